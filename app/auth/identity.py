"""Who is calling: a bearer token, or a logged-in browser session with its CSRF token.

Resolved once per request and cached on `g`, because the rate limiter (which runs
first and keys limits by account) and the views both need it. The account row is read on
every request (never cached across requests), so a deleted account's tokens, or tokens
issued before the account's token version was raised, stop working at once, in every
worker. A browser session is a row (see `LoginSession`), so signing out ends it for good.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, select

from app.auth.models import User
from app.auth.service import session_user, user_for_external_identity
from app.auth.tokens import decode_token
from app.errors import AppError, Unauthorized
from app.extensions import csrf, db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_UNSET = object()
# Account ids are database integers: a longer `sub` cannot name one (and would overflow the driver).
MAX_ID_DIGITS = 18
# Built once: SQLAlchemy memoises a statement's cache key, which `Session.get` recomputes for
# every call; same row, same ORM instance (and, like `get`, no autoflush), ~50 us less per request.
_USER_BY_ID = select(User).where(User.id == bindparam("user_id")).execution_options(autoflush=False)


def _load_user(user_id: int) -> User | None:
    return db.session.execute(_USER_BY_ID, {"user_id": user_id}).scalar_one_or_none()


def _from_bearer(token: str) -> User:
    source, claims = decode_token(token, current_app.config)
    if source == "external":
        return user_for_external_identity(claims["iss"], claims["sub"], claims.get("email"))
    subject = str(claims["sub"])
    user = _load_user(int(subject)) if subject.isdigit() and len(subject) <= MAX_ID_DIGITS else None
    if user is None or claims.get("ver", 0) != user.token_version:
        raise Unauthorized()
    return user


def _from_session() -> User | None:
    session_id = session.get("sid")
    if not isinstance(session_id, str):
        return None
    if request.path.startswith("/api/") and request.method not in SAFE_METHODS:
        try:
            csrf.protect()
        except CSRFError:
            return None
    return session_user(session_id, current_app.permanent_session_lifetime)


def current_user() -> User | None:
    """The caller's account or None; raises Unauthorized for a bad bearer token."""
    cached = g.get("_identity", _UNSET)
    if isinstance(cached, AppError):
        raise cached
    if cached is not _UNSET:
        return cached
    header = request.headers.get("Authorization", "")
    try:
        if header[:7].lower() == "bearer ":
            user = _from_bearer(header[7:].strip())
        elif header:
            raise Unauthorized()
        else:
            user = _from_session()
    except AppError as exc:
        g._identity = exc
        raise
    g._identity = user
    return user


def caller_for_limits() -> tuple[int, str] | None:
    """(account id, tier) for the rate limiter; a bad token counts as anonymous."""
    try:
        user = current_user()
    except AppError:
        return None
    return (user.id, user.tier) if user else None


def require_user() -> User:
    user = current_user()
    if user is None:
        raise Unauthorized()
    return user


def _protect_forms() -> None:
    """Every browser form post needs its CSRF token (API views declare `auth_required`)."""
    if not request.path.startswith("/api/") and request.method not in SAFE_METHODS:
        csrf.protect()


def init_app(app: Flask) -> None:
    app.before_request(_protect_forms)

    @app.context_processor
    def inject_user():
        try:
            return {"current_user": current_user()}
        except AppError:
            return {"current_user": None}
