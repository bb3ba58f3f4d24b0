"""Fixtures for the Social Optimizer tests."""
import pytest

from app.auth import service as accounts
from app.auth.tokens import issue_token
from tests.conftest import PASSWORD


@pytest.fixture
def auth_for(make_app):
    """An app built with extra settings, its client and a user's Authorization header."""
    def factory(**settings):
        application = make_app(**settings)
        with application.app_context():
            user = accounts.create_user("limits@example.com", PASSWORD)
            token = issue_token(user, application.config["SECRET_KEY"], 3600)
        return application.test_client(), {"Authorization": f"Bearer {token}"}
    return factory
