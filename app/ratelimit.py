"""The API rate limiter and its keys: per account by tier, per address for everyone else."""
from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter

from app.auth.identity import current_user
from app.errors import AppError

EXEMPT_PREFIXES = ("/api/docs", "/api/openapi.json")


def _user():
    try:
        return current_user()
    except AppError:
        return None


def rate_limit_key() -> str:
    user = _user()
    return f"user:{user.id}" if user else f"addr:{request.remote_addr or 'unknown'}"


def rate_limit_value() -> str:
    user = _user()
    if user is None:
        return current_app.config["RATELIMIT_ANONYMOUS"]
    return current_app.config[f"RATELIMIT_{user.tier.upper()}"]


def is_exempt() -> bool:
    """Only the JSON API is limited; pages, static files and the API docs are not."""
    path = request.path
    return not path.startswith("/api/") or path.startswith(EXEMPT_PREFIXES)


# One budget per account (or address) across the whole API, not one per endpoint.
limiter = Limiter(key_func=rate_limit_key, application_limits=[rate_limit_value],
                  application_limits_exempt_when=is_exempt, headers_enabled=True)
