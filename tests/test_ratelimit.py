import pytest

from tests.conftest import PASSWORD


def test_successful_responses_carry_rate_limit_headers(client, auth):
    response = client.get("/api/image-studio/templates", headers=auth)
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert int(response.headers["X-RateLimit-Remaining"]) == 59
    assert int(response.headers["X-RateLimit-Reset"]) > 0
    assert "Retry-After" not in response.headers  # only a refusal says when to retry


def test_limit_by_tier_then_429_with_retry_after(make_app):
    app = make_app(RATELIMIT_FREE="3 per minute", RATELIMIT_PRO="5 per minute")
    from app.auth import service
    from app.auth.tokens import issue_token
    with app.app_context():
        free = issue_token(service.create_user("f@example.com", PASSWORD), app.config["SECRET_KEY"], 60)
        pro = issue_token(service.create_user("p@example.com", PASSWORD, tier="pro"), app.config["SECRET_KEY"], 60)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/image-studio/templates", headers={"Authorization": f"Bearer {free}"}).status_code == 200
    limited = client.get("/api/image-studio/templates", headers={"Authorization": f"Bearer {free}"})
    assert limited.status_code == 429
    assert limited.json["detail"].startswith("Rate limit exceeded")
    assert int(limited.headers["Retry-After"]) > 0
    # Another account has its own budget, sized by its tier.
    response = client.get("/api/image-studio/templates", headers={"Authorization": f"Bearer {pro}"})
    assert response.status_code == 200 and response.headers["X-RateLimit-Limit"] == "5"


def test_anonymous_requests_are_limited_by_address(make_app):
    app = make_app(RATELIMIT_ANONYMOUS="2 per minute")
    client = app.test_client()
    statuses = [client.post("/api/auth/token", json={"email": "x@example.com", "password": "whatever-x"}).status_code
                for _ in range(3)]
    assert statuses == [401, 401, 429]


@pytest.mark.parametrize("path", ["/healthz", "/login", "/api/docs"])
def test_pages_and_probes_are_not_limited(make_app, path):
    app = make_app(RATELIMIT_ANONYMOUS="1 per minute")
    client = app.test_client()
    assert [client.get(path).status_code for _ in range(3)].count(429) == 0


def test_trusted_proxy_address_keys_anonymous_limits(make_app):
    app = make_app(RATELIMIT_ANONYMOUS="1 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    first = {"X-Forwarded-For": "203.0.113.7"}
    body = {"email": "x@example.com", "password": "whatever-x"}
    assert client.post("/api/auth/token", json=body, headers=first).status_code == 401
    assert client.post("/api/auth/token", json=body, headers=first).status_code == 429
    assert client.post("/api/auth/token", json=body, headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 401
