"""Rate-limit key and value: per account by tier, per address for everyone else."""
from __future__ import annotations

from flask import current_app, request

from app.errors import AppError

EXEMPT_PREFIXES = ("/api/docs", "/api/openapi.json")


def _user():
    from app.auth.identity import current_user

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
