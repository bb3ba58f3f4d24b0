"""Token verification: our HS256 tokens and RS256 tokens from a JWKS served on 127.0.0.1."""
import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.auth import service
from app.auth.models import User
from app.config import ConfigError
from app.extensions import db

PROTECTED = "/api/image-studio/templates"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_issued_token_carries_the_contract_claims(app, user, token):
    claims = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])
    assert claims["sub"] == str(user) and claims["email"] == "user@example.com"
    assert claims["tier"] == "free" and claims["exp"] > time.time()


def test_valid_token_is_accepted(client, auth):
    assert client.get(PROTECTED, headers=auth).status_code == 200


@pytest.mark.parametrize("case", ["expired", "wrong_key", "alg_none", "tampered", "garbage", "unknown_user"])
def test_bad_tokens_get_401_with_the_contract_sentence(app, client, user, case):
    now = int(time.time())
    claims = {"sub": str(user), "email": "user@example.com", "tier": "enterprise", "exp": now + 60}
    key = app.config["SECRET_KEY"]
    if case == "expired":
        token = jwt.encode({**claims, "exp": now - 10}, key, algorithm="HS256")
    elif case == "wrong_key":
        token = jwt.encode(claims, "another-secret-of-sufficient-length-123456", algorithm="HS256")
    elif case == "alg_none":
        token = ".".join([_b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()),
                          _b64(json.dumps(claims).encode()), ""])
    elif case == "tampered":
        header, _, signature = jwt.encode(claims, key, algorithm="HS256").split(".")
        token = ".".join([header, _b64(json.dumps({**claims, "sub": "999"}).encode()), signature])
    elif case == "garbage":
        token = "not-a-jwt"
    else:
        token = jwt.encode({**claims, "sub": "424242"}, key, algorithm="HS256")
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json == {"detail": "Authenticated user required for image operations."}
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert key not in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}])
def test_missing_or_non_bearer_credentials_get_401(client, headers):
    response = client.get(PROTECTED, headers=headers)
    assert response.status_code == 401
    assert response.json["detail"] == "Authenticated user required for image operations."


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_server(httpserver, rsa_key):
    public = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)
    httpserver.expect_request("/.well-known/jwks.json").respond_with_json(
        {"keys": [{**public, "kid": "test-key", "use": "sig", "alg": "RS256"}]})
    return httpserver.url_for("/.well-known/jwks.json")


IDP = {"JWT_ISSUER": "https://idp.test", "JWT_AUDIENCE": "image-studio"}


def _rs256(rsa_key, **claims):
    """An identity provider's token; a claim given as None is left out."""
    base = {"sub": "idp|42", "email": "Marketer@Example.com", "iss": "https://idp.test",
            "aud": "image-studio", "exp": int(time.time()) + 60}
    merged = {name: value for name, value in {**base, **claims}.items() if value is not None}
    return jwt.encode(merged, rsa_key, algorithm="RS256", headers={"kid": "test-key"})


def _external_accounts(app):
    with app.app_context():
        return [(u.issuer, u.subject, u.email, u.tier, u.is_admin, u.password_hash)
                for u in db.session.scalars(db.select(User).where(User.issuer.is_not(None)))]


def test_rs256_token_from_the_identity_provider_is_accepted(make_app, jwks_server, rsa_key):
    app = make_app(JWT_JWKS_URL=jwks_server, **IDP)
    client = app.test_client()
    for _ in range(2):
        response = client.get(PROTECTED, headers={"Authorization": f"Bearer {_rs256(rsa_key)}"})
        assert response.status_code == 200
    assert _external_accounts(app) == [("https://idp.test", "idp|42", "marketer@example.com", "free", False, None)]


@pytest.mark.database
def test_an_external_token_never_becomes_a_local_account_by_email(make_app, make_user, jwks_server, rsa_key):
    """Finding 6: `email=admin@...` (unverified) with `tier: enterprise` became the local admin."""
    app = make_app(JWT_JWKS_URL=jwks_server, **IDP)
    with app.app_context():
        admin = service.create_user("admin@example.com", "admin-password-1", tier="enterprise", is_admin=True)
        admin_id = admin.id
    token = _rs256(rsa_key, sub="attacker", email="admin@example.com", email_verified=False,
                   tier="enterprise", is_admin=True, admin=True, roles=["admin"])
    usage = app.test_client().get("/api/image-studio/usage", headers={"Authorization": f"Bearer {token}"})
    assert usage.status_code == 200 and usage.json["allowance"] == 100  # a free account's
    [(issuer, subject, email, tier, is_admin, password)] = _external_accounts(app)
    assert (issuer, subject, tier, is_admin, password) == ("https://idp.test", "attacker", "free", False, None)
    assert email != "admin@example.com" and email.endswith("@accounts.invalid")
    with app.app_context():
        assert service.find_user("admin@example.com").id == admin_id


def test_each_subject_of_the_identity_provider_is_its_own_account(make_app, jwks_server, rsa_key):
    app = make_app(JWT_JWKS_URL=jwks_server, **IDP)
    client = app.test_client()
    for subject in ("alice", "bob"):
        token = _rs256(rsa_key, sub=subject, email="shared@example.com")
        assert client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    accounts = _external_accounts(app)
    assert [row[1] for row in accounts] == ["alice", "bob"] and len({row[2] for row in accounts}) == 2


@pytest.mark.parametrize("missing", [{"JWT_ISSUER": None}, {"JWT_AUDIENCE": None},
                                     {"JWT_ISSUER": None, "JWT_AUDIENCE": None}])
def test_start_up_refuses_a_jwks_url_without_issuer_and_audience(make_app, jwks_server, missing):
    with pytest.raises(ConfigError, match="JWT_JWKS_URL needs JWT_"):
        make_app(JWT_JWKS_URL=jwks_server, **{**IDP, **missing})


@pytest.mark.parametrize("claims", [{"aud": "someone-else"}, {"iss": "https://evil.test"}, {"exp": 1},
                                    {"aud": None}, {"iss": None}, {"sub": None}, {"sub": "x" * 256}])
def test_rs256_token_with_wrong_claims_is_refused(make_app, jwks_server, rsa_key, claims):
    app = make_app(JWT_JWKS_URL=jwks_server, **IDP)
    token = _rs256(rsa_key, **claims)
    assert app.test_client().get(PROTECTED, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _external_accounts(app) == []


def test_rs256_token_signed_by_another_key_is_refused(make_app, jwks_server):
    app = make_app(JWT_JWKS_URL=jwks_server, **IDP)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = _rs256(stranger)
    assert app.test_client().get(PROTECTED, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_rs256_without_jwks_configured_is_refused(client, rsa_key):
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {_rs256(rsa_key)}"})
    assert response.status_code == 401


def test_hs256_signed_with_the_public_key_is_refused(make_app, jwks_server, rsa_key):
    """Algorithm confusion: an HS256 token keyed with the IdP's public key must not pass."""
    app = make_app(JWT_JWKS_URL=jwks_server, **IDP)
    pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    token = _forge_hs256(pem)
    assert app.test_client().get(PROTECTED, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _forge_hs256(secret: bytes) -> str:
    import hashlib
    import hmac
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps({"sub": "1", "email": "a@b.co", "exp": int(time.time()) + 60}).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"
