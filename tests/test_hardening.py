"""Hostile input gets a clear 4xx, never a 500; pages carry security headers."""
import json
import re
import socket
import time

import jwt
import pytest

from app import create_app
from app.auth import service as accounts
from app.auth.tokens import issue_token
from app.http.blueprint import MAX_DEPTH
from tests.conftest import PASSWORD, csrf_token_in

TOO_DEEP = {"detail": f"JSON nested deeper than {MAX_DEPTH} levels is not accepted"}
JSON_ENDPOINTS = ("/api/auth/token", "/api/image-studio/create", "/api/image-studio/edit/process",
                  "/api/image-studio/social/optimize", "/api/image-studio/estimate-cost")


def _nested(depth: int) -> bytes:
    return b'{"prompt": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_400(client, auth, path, depth):
    response = client.post(path, data=_nested(depth), headers={**auth, "Content-Type": "application/json"})
    assert (response.status_code, response.json) == (400, TOO_DEEP)


def test_nesting_up_to_the_limit_is_read_as_usual(client, auth):
    response = client.post("/api/image-studio/create", data=_nested(MAX_DEPTH),
                           headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["detail"].startswith("Invalid value for 'prompt'")


@pytest.mark.parametrize("digits", [31, 5000])
def test_absurd_integers_are_a_400(client, auth, digits):
    body = b'{"prompt": "x", "seed": ' + b"9" * digits + b"}"
    response = client.post("/api/image-studio/create", data=body,
                           headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json == {"detail": "Integers of more than 30 digits are not accepted"}


EMPTY_BODIES = [(None, None), ("application/json", b""), ("application/json", b"null"),
                ("application/json", b"{}"), ("application/json", b"[]"), ("application/json", b'"text"'),
                ("text/plain", b"hello")]


def _body_operations(client) -> list[tuple[str, str]]:
    """Every operation of the API that takes a body, its path parameters filled with an id
    that names nothing."""
    spec = client.get("/api/openapi.json").json
    return [(method, re.sub(r"\{[^}]+\}", "no-such-id", path))
            for path, operations in spec["paths"].items()
            for method, operation in operations.items() if "requestBody" in operation]


@pytest.fixture
def unlimited(make_app):
    """A test client and a free account's header, on an app whose free tier has room for a
    sweep of hundreds of requests (each must reach its view, not the rate limit)."""
    app = make_app(RATELIMIT_FREE="100000 per minute")
    with app.app_context():
        user = accounts.create_user("sweep@example.com", PASSWORD)
        token = issue_token(user, app.config["SECRET_KEY"], 3600)
    return app.test_client(), {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("prefer", [None, "respond-async"])
def test_an_empty_or_odd_body_is_a_sentence_on_every_endpoint(unlimited, prefer):
    """No body, an empty one, or JSON that is not an object: each endpoint answers with a
    4xx and its `detail` (or succeeds where nothing is required), never a 500. Upscale,
    whose fields are all optional, once answered a request with no body with a 500."""
    client, auth = unlimited
    operations = _body_operations(client)
    assert len(operations) >= 20
    failures, statuses = [], set()
    for method, path in operations:
        for content_type, data in EMPTY_BODIES:
            headers = {**auth, **({"Content-Type": content_type} if content_type else {}),
                       **({"Prefer": prefer} if prefer else {})}
            response = client.open(path, method=method.upper(), data=data, headers=headers)
            statuses.add(response.status_code)
            body = response.get_json(silent=True)
            if response.status_code >= 500 or (
                    response.status_code >= 400 and not isinstance((body or {}).get("detail"), str)):
                failures.append((method, path, content_type, data, response.status_code, response.data[:120]))
    assert failures == []
    assert 429 not in statuses and {400, 404} <= statuses


ODD_QUERY_VALUES = ["", "-1", "0", "1.5", "NaN", "inf", "true", "[]", "é", str(2**63), str(-2**63 - 1),
                    "9" * 40, "x" * 3000, "../../etc/passwd"]


def test_odd_query_values_are_a_sentence_on_every_endpoint(unlimited):
    """Each query parameter the API documents, given values no client should send (past a
    64-bit integer, not a number, huge): a 4xx with its `detail` or an answer, never a 500.
    A jobs `offset` past 2⁶³ once reached the database and failed there."""
    client, auth = unlimited
    spec = client.get("/api/openapi.json").json
    failures, asked = [], 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "delete"):
                continue
            for parameter in [p for p in operation.get("parameters", []) if p["in"] == "query"]:
                for value in ODD_QUERY_VALUES:
                    url = re.sub(r"\{[^}]+\}", "no-such-id", path)
                    response = client.open(url, method=method.upper(), query_string={parameter["name"]: value},
                                           headers=auth)
                    asked += 1
                    body = response.get_json(silent=True) or {}
                    if response.status_code >= 500 or (
                            response.status_code >= 400 and not isinstance(body.get("detail"), str)):
                        failures.append((method, path, parameter["name"], value[:20], response.status_code))
    assert asked >= 100 and failures == []


NUL_SENTENCE = "it holds a NUL character (\\u0000), which no text here may contain"
URL_NUL = "The request holds a NUL character (%00) in its URL or a form field, which no text here may contain"
SURROGATE_SENTENCE = "it holds a lone surrogate (\\ud800–\\udfff), which is not a character"


def _body_fields(spec: dict, operation: dict) -> list[str]:
    schema = operation["requestBody"]["content"].get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema.get("properties", {}))


@pytest.mark.database
def test_a_nul_or_a_lone_surrogate_in_any_field_is_a_400_naming_it(unlimited):
    """JSON may carry `\\u0000` and `\\ud800`; PostgreSQL cannot store the first in text and
    neither can be written as UTF-8 (a persona's name, a prompt, an unknown `output_format`
    quoted back were 500s). Every field of every body is refused the same way, on both
    databases, before anything is stored or looked up."""
    client, auth = unlimited
    spec = client.get("/api/openapi.json").json
    headers = {**auth, "Content-Type": "application/json"}
    asked, failures = 0, []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            for field in _body_fields(spec, operation):
                for value, sentence in (("\u0000", NUL_SENTENCE), ("a\u0000b", NUL_SENTENCE),
                                        ("\ud800", SURROGATE_SENTENCE), (["ok", {"k": "\udfff"}], SURROGATE_SENTENCE)):
                    response = client.open(url, method=method.upper(), headers=headers,
                                           data=json.dumps({field: value}))
                    asked += 1
                    expected = f"Invalid value for '{field}': {sentence}"
                    if (response.status_code, (response.get_json(silent=True) or {}).get("detail")) != (400, expected):
                        failures.append((method, path, field, value, response.status_code, response.data[:120]))
    assert asked >= 300 and failures == []


@pytest.mark.parametrize("body, detail", [
    ('{"prompt": "x", "\\u0000": 1}', "The JSON body holds a NUL character (\\u0000), which no text here may contain"),
    ('["\\ud800"]', "The JSON body holds a lone surrogate (\\ud800–\\udfff), which is not a character"),
    ('{"platforms": ["instagram"], "format_names": {"\\u0000": []}}',
     f"Invalid value for 'format_names': {NUL_SENTENCE}"),
])
def test_the_sentence_names_where_the_bad_text_is(client, auth, body, detail):
    response = client.post("/api/image-studio/social/optimize", data=body,
                           headers={**auth, "Content-Type": "application/json"})
    assert (response.status_code, response.json["detail"]) == (400, detail)


@pytest.mark.parametrize("charset", ["", "; charset=latin-1"])
def test_a_body_that_is_not_utf8_is_told_so(client, auth, charset):
    response = client.post("/api/image-studio/create", data='{"prompt": "café"}'.encode("latin-1"),
                           headers={**auth, "Content-Type": "application/json" + charset})
    assert (response.status_code, response.json) == (
        400, {"detail": "The request body is not UTF-8 text: send JSON encoded as UTF-8"})


@pytest.mark.database
@pytest.mark.parametrize("url", ["/api/image-studio/jobs/%00", "/api/image-studio/jobs/a%00b",
                                 "/api/image-studio/assets?search=%00", "/api/image-studio/assets?a%00=1"])
def test_a_nul_in_the_url_is_a_400(client, auth, url):
    response = client.get(url, headers=auth)
    assert response.status_code == 400
    assert response.json == {"detail": URL_NUL}


def test_a_page_with_a_nul_in_its_url_says_so_in_its_error_page(client):
    response = client.get("/library?search=%00")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert URL_NUL in response.get_data(as_text=True)


@pytest.mark.database
def test_a_nul_in_a_sign_in_form_is_a_400_page(client, user):
    """PostgreSQL refused the email's NUL when the account was looked up: a 500 page."""
    csrf = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": csrf, "email": "user@example.com\x00", "password": PASSWORD})
    assert response.status_code == 400 and URL_NUL in response.get_data(as_text=True)


def test_text_that_is_merely_unusual_is_kept(client, auth):
    """Control characters other than NUL, right-to-left marks and characters beyond the basic
    plane are text: a persona keeps its name exactly."""
    name = "Caf\u00e9 \u202e\x01 \U0001f600 \u4e2d"
    response = client.post("/api/image-studio/personas", json={"name": name}, headers=auth)
    assert response.status_code == 201, response.json
    assert response.json["name"] == name


def test_upscale_with_no_body_asks_for_its_image(client, auth):
    for headers in ({}, {"Prefer": "respond-async"}, {"Content-Type": "application/json"}):
        response = client.post("/api/image-studio/upscale", headers={**auth, **headers})
        assert (response.status_code, response.json) == (400, {"detail": "Primary image payload is required"})


@pytest.mark.parametrize("page", ["2", str(10**18)])
def test_a_page_past_the_last_is_a_404(client, auth, page):
    response = client.get(f"/api/image-studio/assets?page={page}", headers=auth)
    assert response.status_code == 404 and response.json == {"detail": f"Page {page} is past the last page (1)"}


def test_pages_carry_security_headers_and_a_self_only_policy(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert "http" not in policy and "unsafe" not in policy
    assert "unsafe-inline" in client.get("/api/docs").headers["Content-Security-Policy"]
    assert "Content-Security-Policy" not in client.get("/healthz").headers


@pytest.mark.parametrize("setting, secure", [(None, False), ("1", True)])
def test_the_session_cookie_is_secure_when_asked(make_app, monkeypatch, user, setting, secure):
    if setting:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", setting)
    client = make_app().test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "user@example.com", "password": "correct-horse-battery",
                                           "csrf_token": csrf_token_in(page)})
    cookie = response.headers["Set-Cookie"]
    assert ("Secure" in cookie) is secure and "HttpOnly" in cookie


@pytest.mark.parametrize("path", ["/api/image-studio/templates", "/api/auth/token", "/login"])
def test_an_oversized_header_is_a_431_with_a_sentence(client, path):
    response = client.get(path, headers={"X-Padding": "x" * 10_000})
    assert response.status_code == 431
    if path.startswith("/api/"):
        assert response.json == {"detail": "Request header X-Padding is too large: the limit is 8192 bytes"}


@pytest.mark.parametrize("url", ["/api/image-studio/assets/" + "a" * 5000,
                                 "/api/image-studio/assets?q=" + "b" * 5000])
def test_an_overlong_url_is_a_414_with_a_sentence(client, auth, url):
    response = client.get(url, headers=auth)
    assert response.status_code == 414
    assert response.json == {"detail": "Request URL is too long: the limit is 4096 bytes"}
    assert client.get(url[:4000], headers=auth).status_code != 414


def test_an_unreachable_database_is_a_503_to_retry_not_a_500(tmp_path):
    """A database restart answered 500 "Internal server error" to the requests it caught."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"postgresql://postgres@127.0.0.1:{closed}/test"})
    token = jwt.encode({"sub": "1", "exp": int(time.time()) + 60}, "k" * 40, algorithm="HS256")
    response = app.test_client().get("/api/image-studio/usage", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.json == {"detail": "The database is unavailable; retry shortly"}
