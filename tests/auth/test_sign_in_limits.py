"""Brute force is stopped: failed sign-ins are limited per account and per address, on the
token endpoint and on the login form alike (finding 8 of the money issue)."""
import pytest

from app.auth.service import create_user
from tests.conftest import PASSWORD, csrf_token_in

TOKEN = "/api/auth/token"


def _token(client, email="user@example.com", password="wrong-password", address="10.0.0.1"):
    return client.post(TOKEN, json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _form(client, email="user@example.com", password="wrong-password"):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token_in(page.get_data(as_text=True))})


@pytest.fixture
def limited(make_app):
    return make_app(LOGIN_RATELIMIT_ACCOUNT="3 per minute", LOGIN_RATELIMIT_ADDRESS="5 per minute")


def test_after_the_allowed_failures_even_the_right_password_gets_429(limited):
    make = limited.test_client()
    with limited.app_context():
        create_user("user@example.com", PASSWORD)
    assert [_token(make).status_code for _ in range(3)] == [401] * 3
    refused = _token(make, password=PASSWORD, address="10.0.0.2")  # another address, same account
    assert refused.status_code == 429
    assert refused.json["detail"] == "Rate limit exceeded: too many failed sign-in attempts. Retry later."
    assert int(refused.headers["Retry-After"]) > 0


def test_successful_sign_ins_do_not_count(limited):
    client = limited.test_client()
    with limited.app_context():
        create_user("user@example.com", PASSWORD)
    assert all(_token(client, password=PASSWORD).status_code == 200 for _ in range(8))


def test_one_address_trying_many_accounts_is_stopped(limited):
    client = limited.test_client()
    statuses = [_token(client, email=f"victim{n}@example.com").status_code for n in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    assert _token(client, email="victim9@example.com", address="10.0.0.3").status_code == 401


def test_the_login_form_is_limited_and_says_so(limited):
    client = limited.test_client()
    with limited.app_context():
        create_user("user@example.com", PASSWORD)
    assert [_form(client).status_code for _ in range(3)] == [401] * 3
    page = _form(client, password=PASSWORD)
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    text = page.get_data(as_text=True)
    assert "too many failed sign-in attempts" in text and 'name="password"' in text
    assert client.get("/api/image-studio/usage").status_code == 401  # not signed in
