"""Fixtures shared by every test: app, client, runner, accounts and tokens."""
from __future__ import annotations

import os
import uuid

import pytest

from app import create_app
from app.auth import service as accounts
from app.auth.tokens import issue_token
from app.extensions import db

# Settings a developer's shell may carry that must not leak into tests.
ISOLATED_ENV = (
    "SECRET_KEY", "DATABASE_URL", "IMAGE_STUDIO_STORAGE_DIR", "STABILITY_API_KEY", "WAVESPEED_API_KEY",
    "HF_TOKEN", "GEMINI_API_KEY", "STABILITY_API_BASE", "WAVESPEED_API_BASE", "HF_API_BASE",
    "GEMINI_API_BASE", "PROVIDER_OUTPUT_HOSTS", "IMAGE_STUDIO_ALLOW_SANDBOX", "RATELIMIT_STORAGE_URI",
    "RATELIMIT_FREE", "RATELIMIT_PRO", "RATELIMIT_ENTERPRISE", "RATELIMIT_ANONYMOUS",
    "JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "MAX_IMAGE_MB", "MAX_REQUEST_MB", "MAX_IMAGE_PIXELS",
    "STABILITY_MODELS", "STABILITY_DEFAULT_MODEL", "WAVESPEED_MODELS", "WAVESPEED_DEFAULT_MODEL",
    "WAVESPEED_DEFAULT_EDIT_MODEL", "HF_MODELS", "HF_DEFAULT_MODEL", "GEMINI_MODELS",
    "GEMINI_DEFAULT_MODEL", "GEMINI_DEFAULT_EDIT_MODEL", "HF_HUB_BASE", "PROVIDER_STATUS_TTL",
    "PROVIDER_STATUS_WAIT", "JOBS_BACKEND", "REDIS_URL", "JOBS_QUEUE", "JOBS_CONCURRENCY", "JOBS_HEARTBEAT",
    "JOBS_STALE_AFTER", "JOBS_QUEUE_TIMEOUT", "JOBS_MAX_ATTEMPTS", "JOBS_SUPERVISE", "WEBHOOK_SECRET",
    "WEBHOOK_ALLOWED_HOSTS", "WEBHOOK_ATTEMPTS", "WEBHOOK_BACKOFF", "WEBHOOK_TIMEOUT", "RATELIMIT_JOB_STATUS",
)
PASSWORD = "correct-horse-battery"
pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)


POSTGRES_URL = os.environ.get("IMAGE_STUDIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_postgres_state: dict[str, str | None] = {}


def pytest_generate_tests(metafunc):
    """Tests marked `database` run once on SQLite and once on a real PostgreSQL server."""
    if "backend" in metafunc.fixturenames:
        backends = ["sqlite"]
        if metafunc.definition.get_closest_marker("database"):
            backends.append("postgresql")
        metafunc.parametrize("backend", backends, indirect=True)


def _postgres_unavailable() -> str | None:
    if "reason" not in _postgres_state:
        import sqlalchemy

        try:
            engine = sqlalchemy.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
            with engine.connect():
                pass
            engine.dispose()
            _postgres_state["reason"] = None
        except Exception as exc:  # any driver error means: skip, and say how to run them
            _postgres_state["reason"] = (
                f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__}); start it or set "
                "IMAGE_STUDIO_TEST_POSTGRES_URL to run the PostgreSQL variants (bash .ci/run does)")
    return _postgres_state["reason"]


@pytest.fixture
def backend(request, tmp_path):
    """The database URL for this test: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    reason = _postgres_unavailable()
    if reason:
        pytest.skip(reason)
    import sqlalchemy

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def make_app(tmp_path, backend):
    """Build an app with extra settings; tables are created from the models."""
    apps = []

    def factory(**settings):
        config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"),
                  "SECRET_KEY": "test-secret-key-for-hs256-signing-0123456789",
                  "SQLALCHEMY_DATABASE_URI": backend,
                  "IMAGE_STUDIO_STORAGE_DIR": str(tmp_path / "assets"),
                  # No background sweeper per test app; job tests that need one turn it on.
                  "JOBS_SUPERVISE": False}
        config.update(settings)
        application = create_app(config)
        with application.app_context():
            db.create_all()
        apps.append(application)
        return application

    yield factory
    for application in apps:
        application.extensions["jobs"].shutdown()
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    def factory(email="user@example.com", password=PASSWORD, tier="free", is_admin=False):
        with app.app_context():
            user = accounts.create_user(email, password, tier=tier, is_admin=is_admin)
            return user.id
    return factory


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def token_for(app):
    def factory(email="user@example.com", expires_in=3600):
        with app.app_context():
            return issue_token(accounts.find_user(email), app.config["SECRET_KEY"], expires_in)
    return factory


@pytest.fixture
def token(user, token_for):
    return token_for()


@pytest.fixture
def auth(token):
    """Authorization header of the default user."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def png_payload():
    """A base64 PNG of the given size, as API clients send it."""
    import base64
    import io

    from PIL import Image

    def factory(width=64, height=48, color=(30, 120, 200), mode="RGB", fmt="PNG", data_url=False):
        buffer = io.BytesIO()
        Image.new(mode, (width, height), color).save(buffer, fmt)
        encoded = base64.b64encode(buffer.getvalue()).decode()
        return f"data:image/{fmt.lower()};base64,{encoded}" if data_url else encoded
    return factory


def csrf_token_in(html: str) -> str:
    """The CSRF token a server-rendered form carries."""
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email: str = "user@example.com", password: str = PASSWORD):
    """Sign a test client in through the login form, as a browser would."""
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return client


@pytest.fixture
def signed_in(client, user):
    """The test client with the default user signed in."""
    return sign_in(client)
