"""`flask db upgrade` on an empty database yields exactly the models' schema, on SQLite and PostgreSQL."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

pytestmark = pytest.mark.database
ROOT = Path(__file__).resolve().parent.parent


def test_upgrade_on_empty_database_matches_the_models(tmp_path, backend):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
                      "SQLALCHEMY_DATABASE_URI": backend})
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
