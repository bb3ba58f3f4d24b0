"""Unbound extensions; `create_app` binds them. The smorest Api is built per app (app/api.py)."""
import sqlite3

from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, event

from app.ratelimit import is_exempt, rate_limit_key, rate_limit_value

db = SQLAlchemy()
migrate = Migrate()
csrf = CSRFProtect()
# One budget per account (or address) across the whole API, not one per endpoint.
limiter = Limiter(key_func=rate_limit_key, application_limits=[rate_limit_value],
                  application_limits_exempt_when=is_exempt, headers_enabled=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite only: WAL lets readers and one writer work at once across gunicorn workers, and
    synchronous=NORMAL makes each commit one fsync of the log instead of two of the file."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
