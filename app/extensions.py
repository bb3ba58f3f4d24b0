"""Unbound extensions; `create_app` binds them. The smorest Api is built per app (app/api.py)."""
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.ratelimit import is_exempt, rate_limit_key, rate_limit_value

db = SQLAlchemy()
migrate = Migrate()
csrf = CSRFProtect()
# One budget per account (or address) across the whole API, not one per endpoint.
limiter = Limiter(key_func=rate_limit_key, application_limits=[rate_limit_value],
                  application_limits_exempt_when=is_exempt, headers_enabled=True)
