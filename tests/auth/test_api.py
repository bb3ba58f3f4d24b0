import jwt
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.database


def test_token_endpoint_returns_a_working_bearer_token(app, client, user):
    response = client.post("/api/auth/token", json={"email": "User@Example.com", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    claims = jwt.decode(body["access_token"], app.config["SECRET_KEY"], algorithms=["HS256"])
    assert claims["email"] == "user@example.com"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/image-studio/templates", headers=headers).status_code == 200


@pytest.mark.parametrize("email, password", [("user@example.com", "wrong-password"),
                                             ("nobody@example.com", PASSWORD)])
def test_wrong_credentials_get_the_same_401(client, user, email, password):
    response = client.post("/api/auth/token", json={"email": email, "password": password})
    assert response.status_code == 401
    assert response.json == {"detail": "Invalid email or password"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_missing_field_is_400_naming_it(client):
    response = client.post("/api/auth/token", json={"email": "user@example.com"})
    assert response.status_code == 400
    assert "password" in response.json["detail"]
    assert "password" in response.json["errors"]


@pytest.mark.parametrize("body, content_type", [
    ("email=a&password=b", "application/x-www-form-urlencoded"),
    ("{not json", "application/json"),
    ('["a", "b"]', "application/json"),
])
def test_non_json_bodies_get_400(client, body, content_type):
    response = client.post("/api/auth/token", data=body, content_type=content_type)
    assert response.status_code == 400
    assert isinstance(response.json["detail"], str) and response.json["detail"]


def test_wrong_json_types_get_400(client):
    response = client.post("/api/auth/token", json={"email": 5, "password": ["x"]})
    assert response.status_code == 400
    assert "email" in response.json["errors"] and "password" in response.json["errors"]
