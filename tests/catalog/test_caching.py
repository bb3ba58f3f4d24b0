"""Catalogue reads are served from cached bytes with a strong ETag; If-None-Match gives 304."""
import json
import logging
import time

import jwt
import pytest

TEMPLATES = "/api/image-studio/templates"
READS = [
    TEMPLATES,
    f"{TEMPLATES}?platform=instagram",
    f"{TEMPLATES}?platform=facebook&category=social_media",
    f"{TEMPLATES}/search?query=hero",
    f"{TEMPLATES}/search?query=linkedin+banner",
    f"{TEMPLATES}/recommend?use_case=brand",
    f"{TEMPLATES}/recommend?use_case=brand&platform=twitter",
    "/api/image-studio/social/platforms/instagram/formats",
    "/api/image-studio/platform-specs/twitter",
]


def _rate_limit_headers(response) -> dict:
    return {name: response.headers.get(name) for name in
            ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")}


def test_etag_is_strong_and_stable_across_requests_and_workers(make_app, client, auth):
    first = client.get(TEMPLATES, headers=auth)
    second = client.get(TEMPLATES, headers=auth)
    assert first.status_code == second.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert second.headers["ETag"] == etag
    assert second.get_data() == first.get_data()
    assert first.json["total"] == 26 and len(first.json["templates"]) == 26
    assert first.headers["Cache-Control"] == "private, no-cache"
    # Another app (another gunicorn worker) builds the same bytes, hence the same ETag.
    other = make_app()
    from app.auth import service
    from app.auth.tokens import issue_token
    with other.app_context():
        token = issue_token(service.create_user("other@example.com", "long-enough-pw"), other.config["SECRET_KEY"], 60)
    elsewhere = other.test_client().get(TEMPLATES, headers={"Authorization": f"Bearer {token}"})
    assert elsewhere.headers["ETag"] == etag and elsewhere.get_data() == first.get_data()


def test_if_none_match_gives_304_without_body_and_with_rate_limit_headers(client, auth):
    etag = client.get(TEMPLATES, headers=auth).headers["ETag"]
    response = client.get(TEMPLATES, headers={**auth, "If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag
    limits = _rate_limit_headers(response)
    assert limits["X-RateLimit-Limit"] == "60"
    assert limits["X-RateLimit-Remaining"] == "58"  # the 304 counts against the budget too
    assert int(limits["X-RateLimit-Reset"]) > 0
    assert response.headers["X-Request-ID"]


@pytest.mark.parametrize("header", ['W/{etag}', '"something-else", {etag}', "*"])
def test_if_none_match_uses_weak_comparison_and_lists(client, auth, header):
    etag = client.get(TEMPLATES, headers=auth).headers["ETag"]
    response = client.get(TEMPLATES, headers={**auth, "If-None-Match": header.format(etag=etag)})
    assert response.status_code == 304 and response.get_data() == b""


@pytest.mark.parametrize("header", ['"0123456789abcdef"', '"stale"', "garbage", ""])
def test_changed_or_unknown_etag_gives_200_with_the_body(client, auth, header):
    fresh = client.get(TEMPLATES, headers=auth)
    response = client.get(TEMPLATES, headers={**auth, "If-None-Match": header})
    assert response.status_code == 200
    assert response.get_data() == fresh.get_data()
    assert response.headers["ETag"] == fresh.headers["ETag"]
    assert response.headers["X-RateLimit-Limit"] == "60"


def test_each_read_has_its_own_etag(client, auth):
    responses = [client.get(path, headers=auth) for path in READS]
    assert [r.status_code for r in responses] == [200] * len(READS)
    etags = [r.headers["ETag"] for r in responses]
    assert len(set(etags)) == len(READS)
    # One read's ETag does not validate another read.
    listing, instagram = etags[0], READS[1]
    assert client.get(instagram, headers={**auth, "If-None-Match": listing}).status_code == 200
    for path, etag in zip(READS, etags, strict=True):
        assert client.get(path, headers={**auth, "If-None-Match": etag}).status_code == 304, path


def test_cached_answers_equal_fresh_ones(make_app, client, auth):
    """The second request (from the cache) has the same body as the first (dumped by the schema)."""
    for path in READS:
        first, second = client.get(path, headers=auth), client.get(path, headers=auth)
        assert first.get_data() == second.get_data(), path
        assert first.headers["Content-Type"] == second.headers["Content-Type"] == "application/json"
    body = client.get(f"{TEMPLATES}/recommend?use_case=brand&platform=twitter", headers=auth).json
    assert [t["id"] for t in body["templates"]] == ["twitter_header"]


def test_same_filter_spelled_differently_shares_the_etag(client, auth):
    lower = client.get(f"{TEMPLATES}?platform=instagram", headers=auth)
    upper = client.get(f"{TEMPLATES}?platform=Instagram", headers=auth)
    reordered = client.get(f"{TEMPLATES}?category=social_media&platform=facebook", headers=auth)
    ordered = client.get(f"{TEMPLATES}?platform=facebook&category=social_media", headers=auth)
    assert lower.headers["ETag"] == upper.headers["ETag"] and lower.get_data() == upper.get_data()
    assert reordered.headers["ETag"] == ordered.headers["ETag"]


@pytest.mark.parametrize("path, status", [(f"{TEMPLATES}?platform=myspace", 400),
                                          (f"{TEMPLATES}/search", 400),
                                          ("/api/image-studio/platform-specs/blog", 404),
                                          ("/api/image-studio/social/platforms/myspace/formats", 404)])
def test_errors_are_not_cached_and_carry_no_etag(client, auth, path, status):
    for _ in range(2):
        response = client.get(path, headers={**auth, "If-None-Match": "*"})
        assert response.status_code == status
        assert "ETag" not in response.headers
        assert response.json["detail"]


@pytest.mark.parametrize("path", READS)
def test_401_without_a_valid_token_even_when_if_none_match_matches(client, auth, path):
    etag = client.get(path, headers=auth).headers["ETag"]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": "*"},
                    {"If-None-Match": etag, "Authorization": "Bearer not-a-token"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.json == {"detail": "Authenticated user required for image operations."}
        assert "ETag" not in response.headers


def test_304_is_logged_and_measured(make_app, auth, caplog):
    client = make_app(METRICS_PUBLIC=True).test_client()
    from tests.test_observability import _json_lines

    etag = client.get(TEMPLATES, headers=auth).headers["ETag"]
    caplog.set_level(logging.INFO)
    client.get(TEMPLATES, headers={**auth, "If-None-Match": etag, "X-Request-ID": "conditional-1234"})
    lines = [entry for entry in _json_lines(caplog) if entry.get("message") == "request"]
    assert lines[-1]["status"] == 304 and lines[-1]["request_id"] == "conditional-1234"
    assert lines[-1]["endpoint"] == "catalog_api.list_templates" and lines[-1]["user_id"] == 1
    assert "Bearer" not in json.dumps(lines[-1])
    metrics = client.get("/metrics").get_data(as_text=True)
    assert ('image_studio_request_duration_seconds_count{endpoint="catalog_api.list_templates",'
            'method="GET",status="304"}') in metrics


def test_head_answers_headers_only(client, auth):
    get = client.get(TEMPLATES, headers=auth)
    head = client.head(TEMPLATES, headers=auth)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


def test_a_token_accepted_before_is_refused_once_expired(client, user, token_for):
    token = token_for(expires_in=1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(TEMPLATES, headers=headers).status_code == 200
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires - time.time()) + 0.05)
    assert client.get(TEMPLATES, headers=headers).status_code == 401


def test_a_token_is_refused_by_an_app_with_another_secret(make_app, client, token):
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(TEMPLATES, headers=headers).status_code == 200
    other = make_app(SECRET_KEY="another-secret-key-for-hs256-signing-987654321")
    assert other.test_client().get(TEMPLATES, headers=headers).status_code == 401


def test_a_deleted_account_is_refused_at_once(client, runner, auth):
    assert client.get(TEMPLATES, headers=auth).status_code == 200
    assert runner.invoke(args=["users", "delete", "user@example.com"]).exit_code == 0
    response = client.get(TEMPLATES, headers=auth)
    assert response.status_code == 401
    etag_probe = client.get(TEMPLATES, headers={**auth, "If-None-Match": "*"})
    assert etag_probe.status_code == 401


def test_concurrent_reads_all_succeed(make_app):
    """Many threads at once (as in a gthread worker): every read is a 200 with the same bytes."""
    import threading

    app = make_app(RATELIMIT_ENTERPRISE="100000 per minute")
    from app.auth import service
    from app.auth.tokens import issue_token
    with app.app_context():
        token = issue_token(service.create_user("busy@example.com", "long-enough-pw", tier="enterprise"),
                            app.config["SECRET_KEY"], 60)
    headers = {"Authorization": f"Bearer {token}"}
    outcomes, bodies = [], set()
    start = threading.Barrier(8)

    def reader(index: int) -> None:
        client = app.test_client()
        start.wait(timeout=10)
        for round_number in range(40):
            path = READS[(index + round_number) % len(READS)]
            response = client.get(path, headers=headers)
            outcomes.append(response.status_code)
            if path == TEMPLATES:
                bodies.add(response.get_data())

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == [200] * 320
    assert len(bodies) == 1


def test_memory_rate_limit_storage_starts_its_sweep_once_under_concurrent_hits(monkeypatch):
    """limits' own MemoryStorage starts a sweep from every thread that finds none running (8 here),
    and two of them can start the same Timer: a 500 under gthread. `memory://` builds the storage
    that starts one."""
    import threading

    from limits.storage import storage_from_string

    from app.ratelimit import ThreadSafeMemoryStorage

    storage = storage_from_string("memory://")
    assert isinstance(storage, ThreadSafeMemoryStorage)
    storage.timer.join(timeout=5)  # the sweep the constructor starts
    started = []

    class SlowTimer(threading.Timer):
        def start(self):
            started.append(self)
            time.sleep(0.05)  # widens the window between "is it running?" and start()
            super().start()

    monkeypatch.setattr(threading, "Timer", SlowTimer)
    errors = []
    go = threading.Barrier(8)

    def hit() -> None:
        go.wait(timeout=10)
        try:
            storage.incr("key", 60)
        except RuntimeError as exc:  # "threads can only be started once"
            errors.append(exc)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == [] and len(started) == 1
    assert storage.get("key") == 8
    started[0].cancel()
