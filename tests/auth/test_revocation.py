"""Nothing outlives its revocation: sign-out, a password change, `tokens revoke` and account
deletion end the tokens and browser sessions issued before (finding 7 of the money issue)."""
import time
from datetime import timedelta

import jwt
import pytest

from app.auth.models import LoginSession
from app.auth.service import remove_expired_sessions, utcnow
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token_in, sign_in

pytestmark = pytest.mark.database
USAGE = "/api/image-studio/usage"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _cookie_of(client) -> str:
    return client.get_cookie("session").value


def _with_cookie(app, value: str):
    """A second browser that was handed a copy of someone's session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_session_cookie_kept_from_before_sign_out_no_longer_signs_in(app, client, user):
    sign_in(client)
    kept = _cookie_of(client)
    assert _with_cookie(app, kept).get(USAGE).status_code == 200
    page = client.get("/")
    client.post("/logout", data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})
    replay = _with_cookie(app, kept)
    assert replay.get(USAGE).status_code == 401
    assert replay.get("/create").status_code == 302  # back to the login form


@pytest.mark.parametrize("revoke", [
    ["users", "set-password", "user@example.com", "--password", "a-new-password-2"],
    ["tokens", "revoke", "user@example.com"],
])
def test_a_password_change_or_revoke_ends_every_token_and_session(app, client, runner, user, token, revoke):
    sign_in(client)
    kept = _cookie_of(client)
    assert client.get(USAGE, headers=_bearer(token)).status_code == 200
    result = runner.invoke(args=revoke)
    assert result.exit_code == 0, result.output
    assert app.test_client().get(USAGE, headers=_bearer(token)).status_code == 401
    assert _with_cookie(app, kept).get(USAGE).status_code == 401
    fresh = runner.invoke(args=["tokens", "issue", "user@example.com"]).output.strip()
    assert app.test_client().get(USAGE, headers=_bearer(fresh)).status_code == 200


def test_the_old_password_stops_working_and_the_new_one_signs_in(app, runner, user):
    runner.invoke(args=["users", "set-password", "user@example.com", "--password", "a-new-password-2"])
    api = app.test_client()
    assert api.post("/api/auth/token", json={"email": "user@example.com", "password": PASSWORD}).status_code == 401
    assert api.post("/api/auth/token", json={"email": "user@example.com",
                                             "password": "a-new-password-2"}).status_code == 200


def test_revoking_one_account_leaves_the_others_signed_in(app, runner, make_user, token_for):
    make_user("a@example.com")
    make_user("b@example.com")
    kept = token_for("b@example.com")
    runner.invoke(args=["tokens", "revoke", "a@example.com"])
    assert app.test_client().get(USAGE, headers=_bearer(kept)).status_code == 200


def test_revoke_of_an_unknown_account_fails_with_a_message(runner):
    result = runner.invoke(args=["tokens", "revoke", "nobody@example.com"])
    assert result.exit_code != 0 and "No account with email nobody@example.com" in result.output


def test_a_deleted_accounts_session_ends(app, client, runner, user):
    sign_in(client)
    kept = _cookie_of(client)
    runner.invoke(args=["users", "delete", "user@example.com"])
    assert _with_cookie(app, kept).get(USAGE).status_code == 401


def test_expired_sessions_are_swept(app, client, runner, user):
    sign_in(client)
    with app.app_context():
        assert db.session.query(LoginSession).count() == 1
        assert remove_expired_sessions(timedelta(days=31)) == 0
        assert remove_expired_sessions(timedelta(days=31), now=utcnow() + timedelta(days=32)) == 1
    assert client.get(USAGE).status_code == 401


@pytest.mark.parametrize("subject", ["9" * 400, "1" * 19, "-1", "1e3", ""])
def test_a_signed_token_whose_subject_cannot_be_an_id_is_a_401(app, client, user, subject):
    """Finding 11: a 400-digit `sub` reached the database driver and gave a 500."""
    claims = {"sub": subject, "exp": int(time.time()) + 60}
    token = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
    response = client.get(USAGE, headers=_bearer(token))
    assert response.status_code == 401
    assert response.json == {"detail": "Authenticated user required for image operations."}


@pytest.mark.parametrize("size, status", [(8_100, 401), (20_000, 431)])
def test_an_oversized_token_is_a_4xx_with_a_sentence(client, user, size, status):
    response = client.get(USAGE, headers=_bearer("a" * size))
    assert response.status_code == status and response.json["detail"]


def test_a_token_of_an_older_version_is_refused(app, client, user, token):
    claims = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])
    assert claims["ver"] == 0
    future = jwt.encode({**claims, "ver": 1}, app.config["SECRET_KEY"], algorithm="HS256")
    assert client.get(USAGE, headers=_bearer(future)).status_code == 401
