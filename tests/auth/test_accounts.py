"""Accounts end cleanly: ids are never reused, deletion cascades, set-up has one winner."""
import threading
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app import create_app
from app.assets.models import Asset
from app.auth.models import User
from app.create.models import Persona
from app.credits.models import LedgerEntry
from app.database import bind_migrations
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token_in

pytestmark = pytest.mark.database


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_deleted_account_id_is_never_given_again(app, runner, client, make_user, token_for):
    first = make_user("first@example.com")
    old_token = token_for("first@example.com")
    assert runner.invoke(args=["users", "delete", "first@example.com"]).exit_code == 0
    second = make_user("second@example.com")
    assert second != first
    response = client.get("/api/image-studio/usage", headers={"Authorization": f"Bearer {old_token}"})
    assert response.status_code == 401


def test_deleting_an_account_removes_its_images_personas_and_ledger(app, runner, client, user, auth,
                                                                    png_payload):
    made = client.post("/api/image-studio/edit/process", headers=auth, json={
        "operation": "remove_background", "image_base64": png_payload()}).json
    client.post("/api/image-studio/personas", headers=auth, json={"name": "Acme"})
    files = list(Path(app.config["IMAGE_STUDIO_STORAGE_DIR"]).rglob(f"{made['asset_id']}.*"))
    assert len(files) == 1
    result = runner.invoke(args=["users", "delete", "user@example.com"])
    assert result.exit_code == 0 and "1 image(s)" in result.output
    with app.app_context():
        assert [_count(m) for m in (User, Asset, Persona, LedgerEntry)] == [0, 0, 0, 0]
    assert not files[0].exists()
    assert runner.invoke(args=["users", "delete", "user@example.com"]).exit_code != 0


def test_set_password_replaces_the_old_one(runner, client, user):
    result = runner.invoke(args=["users", "set-password", "user@example.com", "--password", "a-new-password"])
    assert result.exit_code == 0
    token = lambda password: client.post("/api/auth/token", json={  # noqa: E731
        "email": "user@example.com", "password": password}).status_code
    assert (token(PASSWORD), token("a-new-password")) == (401, 200)
    short = runner.invoke(args=["users", "set-password", "user@example.com", "--password", "short"])
    assert short.exit_code != 0 and "at least 8" in short.output


def test_concurrent_first_admin_set_ups_have_exactly_one_winner(app):
    attempts = 12
    clients = [app.test_client() for _ in range(attempts)]
    tokens = [csrf_token_in(c.get("/setup").get_data(as_text=True)) for c in clients]
    start = threading.Barrier(attempts)
    outcomes: list[str] = []

    def post(index: int) -> None:
        start.wait(timeout=10)
        response = clients[index].post("/setup", data={
            "email": f"admin{index}@example.com", "password": "long-enough-pw", "confirm": "long-enough-pw",
            "csrf_token": tokens[index]})
        outcomes.append(response.headers.get("Location", ""))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with app.app_context():
        admins = db.session.scalars(select(User)).all()
    assert len(admins) == 1 and admins[0].is_admin
    assert sorted(outcomes) == ["/"] + ["/login"] * (attempts - 1)


def test_the_migration_keeps_every_row_and_upgrades_ids(tmp_path):
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"}
    app = create_app(config)
    bind_migrations(app)
    with app.app_context():
        upgrade(revision="0004")
        db.session.execute(db.text("INSERT INTO users (email, tier, is_admin, created_at) "
                                   "VALUES ('a@example.com', 'free', 0, '2026-12-01 00:00:00')"))
        db.session.execute(db.text("INSERT INTO ledger (user_id, studio, operation, provider, credits, outcome, "
                                   "created_at) VALUES (1, 'create', 'generate', 'sandbox', 0, 'charged', "
                                   "'2026-12-01 00:00:00')"))
        db.session.commit()
        upgrade()
        assert (_count(User), _count(LedgerEntry)) == (1, 1)
        sql = db.session.scalar(db.text("SELECT sql FROM sqlite_master WHERE name = 'users'"))
        assert "AUTOINCREMENT" in sql
        downgrade(revision="0004")
        assert (_count(User), _count(LedgerEntry)) == (1, 1)
        db.engine.dispose()
