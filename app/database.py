"""The database binding: SQLAlchemy, Alembic migrations, and SQLite's connection settings.

Flask-Migrate imports Alembic, ~12 MiB that every gunicorn worker would hold and never use:
only `flask db ...` and the tests that migrate need it, so it is bound on first use.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import click
import orjson
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import event
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.extensions import db


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


def json_text(value: Any) -> str:
    """A JSON column's text, written by orjson: a Social job keeps its request, a 27 MP photo
    as 13 MB of base64, which the standard encoder takes 32 ms to scan for characters to
    escape and orjson writes in 6 (a job's result of seven PNG data URLs alike). What orjson
    refuses (an integer beyond 64 bits, which the request parser lets through) is written
    by the standard encoder."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def init_app(app: Flask, migrations: Path) -> None:
    """Bind the database to `app`; the listener is added to this app's engines only."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"json_serializer": json_text,
                                               **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    db.init_app(app)
    app.extensions["migrations_directory"] = str(migrations)
    app.cli.add_command(MigrationCommands("db", help="Database migrations (Flask-Migrate): "
                                                    "`flask db upgrade` creates or updates the schema."))
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "connect", sqlite_pragmas)


def bind_migrations(app: Flask):
    """Bind Flask-Migrate to `app` (once) so its commands and functions (`upgrade`) can run;
    returns its `db` command group. Alembic announces each plugin it sets up at import, at
    INFO: imported after the app's logging is configured, that would be seven lines of noise
    before every `flask db` command's own output."""
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from flask_migrate import Migrate
    from flask_migrate.cli import db as commands

    if "migrate" not in app.extensions:
        Migrate().init_app(app, db, directory=app.extensions["migrations_directory"], render_as_batch=True)
    return commands


class MigrationCommands(click.Group):
    """`flask db`: stands in for Flask-Migrate's group, which is imported, bound and run in its
    place (its own options and subcommands) once `flask db ...` is invoked."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra) -> click.Context:
        app = parent.find_object(ScriptInfo).load_app()   # a subcommand of `flask`: its parent holds the app
        return bind_migrations(app).make_context(info_name, args, parent=parent, **extra)


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
