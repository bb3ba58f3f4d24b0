"""The database binding: SQLAlchemy, Alembic migrations, and SQLite's connection settings."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.extensions import db, migrate


def sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys enforced (SQLite leaves them off: deleting an account must cascade), WAL
    so readers and one writer work at once across gunicorn workers, and synchronous=NORMAL
    so each commit is one fsync of the log instead of two of the file."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def init_app(app: Flask, migrations: Path) -> None:
    """Bind the database to `app`; the listener is added to this app's engines only."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True)
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "connect", sqlite_pragmas)


MISSING_TABLE = ("no such table", "does not exist")   # SQLite's and PostgreSQL's words


def explain_missing_schema(command: click.Command) -> click.Command:
    """A command run before the first `flask db upgrade` says what to do, not a SQL traceback.
    Commands are module-level objects every app of the process shares: each is wrapped once."""
    if getattr(command, "explains_missing_schema", False):
        return command
    invoke = command.invoke

    def guarded(ctx: click.Context):
        try:
            return invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            if not any(words in str(exc.orig) for words in MISSING_TABLE):
                raise
            raise click.ClickException("The database has no tables yet: run `flask --app wsgi db upgrade` "
                                       "(or `make migrate`) first.") from None

    command.invoke = guarded
    command.explains_missing_schema = True
    return command
