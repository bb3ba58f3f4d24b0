"""Hostile input gets a clear 4xx, never a 500; pages carry security headers."""
import socket
import time

import jwt
import pytest

from app import create_app
from app.http.blueprint import MAX_DEPTH
from tests.conftest import csrf_token_in

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
