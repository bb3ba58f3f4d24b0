import re

import pytest

from tests.conftest import PASSWORD, csrf_token_in

pytestmark = pytest.mark.database


csrf_from = csrf_token_in


def test_first_visit_leads_to_setup_and_creates_an_admin(app, client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    response = client.post("/setup", data={"email": "boss@example.com", "password": PASSWORD,
                                           "confirm": PASSWORD, "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    from app.auth.service import find_user
    with app.app_context():
        assert find_user("boss@example.com").is_admin
    assert client.get("/").status_code == 200
    assert client.get("/setup").status_code == 302


def test_setup_refuses_mismatched_passwords(client):
    page = client.get("/setup").get_data(as_text=True)
    response = client.post("/setup", data={"email": "boss@example.com", "password": PASSWORD,
                                           "confirm": "different-one", "csrf_token": csrf_from(page)})
    assert response.status_code == 400 and "Passwords do not match" in response.get_data(as_text=True)


def test_forms_without_csrf_token_are_refused(client, user):
    response = client.post("/login", data={"email": "user@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_login_and_logout(client, user):
    page = client.get("/login").get_data(as_text=True)
    bad = client.post("/login", data={"email": "user@example.com", "password": "nope-nope",
                                      "csrf_token": csrf_from(page)})
    assert bad.status_code == 401 and "Invalid email or password" in bad.get_data(as_text=True)
    good = client.post("/login?next=/templates", data={"email": "user@example.com", "password": PASSWORD,
                                                       "csrf_token": csrf_from(page)})
    assert good.status_code == 302 and good.headers["Location"] == "/templates"
    home = client.get("/")
    assert home.status_code == 200 and "user@example.com" in home.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(home.get_data(as_text=True))})
    assert client.get("/").status_code == 302


def test_login_never_redirects_off_site(client, user):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login?next=//evil.example/x", data={
        "email": "user@example.com", "password": PASSWORD, "csrf_token": csrf_from(page)})
    assert response.headers["Location"] == "/"


def test_session_can_call_the_api_with_its_csrf_token_only(client, user):
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "user@example.com", "password": PASSWORD,
                                "csrf_token": csrf_from(page)})
    assert client.get("/api/image-studio/templates").status_code == 200
    body = {"provider": "sandbox", "operation": "generate"}
    assert client.post("/api/image-studio/estimate-cost", json=body).status_code == 401
    home = client.get("/").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', home).group(1)
    response = client.post("/api/image-studio/estimate-cost", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200
