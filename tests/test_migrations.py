"""`flask db upgrade` on an empty database yields exactly the models' schema, on SQLite and PostgreSQL."""
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.database import bind_migrations
from app.extensions import db

pytestmark = pytest.mark.database
ROOT = Path(__file__).resolve().parent.parent
HEAD = ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def test_upgrade_on_empty_database_matches_the_models(tmp_path, backend):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
                      "SQLALCHEMY_DATABASE_URI": backend})
    bind_migrations(app)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            remaining = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_db_upgrade_prints_what_it_applies_and_nothing_when_up_to_date(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "SECRET_KEY": "a-secret-key-long-enough-for-this-test-0123456789"}
    flask = [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "db", "upgrade"]
    first = subprocess.run(flask, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    lines = first.stderr.splitlines()
    assert lines and all("Running upgrade" in line for line in lines), lines
    again = subprocess.run(flask, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert again.returncode == 0 and again.stdout == again.stderr == ""


def test_a_served_app_leaves_alembic_unimported_and_flask_db_still_migrates(tmp_path):
    """A worker never migrates: Flask-Migrate and Alembic (~12 MiB) load only for `flask db`."""
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}"}
    probe = (f"import sys; from app import create_app; create_app({config!r}); "
             "print(sorted(name for name in ('alembic', 'flask_migrate') if name in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]"
    app = create_app(config)
    runner = app.test_cli_runner()
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        assert {"users", "ledger", "jobs", "alembic_version"} <= set(db.inspect(db.engine).get_table_names())
        assert db.session.scalar(db.text("SELECT version_num FROM alembic_version")) == HEAD
    assert runner.invoke(args=["db", "nosuch"]).exit_code == 2


def test_a_jobs_request_moves_to_its_own_table_and_back(tmp_path, backend):
    """0012 takes each job's body out of its row (a row SQLite rewrites whole at every
    heartbeat and every image made) without losing one; downgrading puts it back."""
    from app.auth.models import User
    from app.jobs.models import Job

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
                      "SQLALCHEMY_DATABASE_URI": backend})
    bind_migrations(app)
    body = {"platforms": ["instagram"], "image_base64": "QUJD" * 1000}
    columns = ("id, user_id, operation, backend, status, request, reservations, progress_done, progress_total, "
               "items, attempts, provider_called, created_at")
    with app.app_context():
        upgrade(revision="0011")
        user = User(email="jobs@example.com", tier="free")
        db.session.add(user)
        db.session.commit()
        db.session.execute(db.text(f"INSERT INTO jobs ({columns}) VALUES ('j1', :user, 'social', 'thread', "
                                   "'queued', :body, '[]', 0, 1, '[]', 0, :no, :now)"),
                           {"user": user.id, "body": json.dumps(body), "no": False, "now": datetime.now(UTC)})
        db.session.commit()
        upgrade()
        assert "request" not in {c["name"] for c in db.inspect(db.engine).get_columns("jobs")}
        assert db.session.get(Job, "j1").request == body
        db.session.remove()   # its transaction would hold the table PostgreSQL must alter
        downgrade(revision="0011")
        back = db.session.execute(db.text("SELECT request FROM jobs WHERE id = 'j1'")).scalar_one()
        assert (json.loads(back) if isinstance(back, str) else back) == body
        assert "job_requests" not in db.inspect(db.engine).get_table_names()
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()
