"""Sign-in attempts, limited per account and per client address.

Only failed attempts count (a 401), so people who type their password right are never
slowed down; once an account or an address has used up its failures, every attempt from
it is refused with 429 until the window ends, the right password included. The counters
live in the rate limiter's store, so with a shared RATELIMIT_STORAGE_URI every worker and
host sees the same count.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask.wrappers import Response

from app.errors import AppError
from app.http.blueprint import parsed_body
from app.ratelimit import client_address, limiter

SENTENCE = "too many failed sign-in attempts"
MAX_EMAIL_CHARS = 320


def _account_key() -> str:
    """The email being tried, as accounts are looked up (trimmed, lower case)."""
    email = request.form.get("email")
    if email is None and request.is_json:
        try:
            body = parsed_body()
        except (AppError, ValueError):
            body = None
        email = body.get("email") if isinstance(body, dict) else None
    return "account:" + (email.strip().lower()[:MAX_EMAIL_CHARS] if isinstance(email, str) else "")


def _address_key() -> str:
    return "address:" + client_address()


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def sign_in_limits(on_breach: Callable | None = None) -> Callable:
    """Decorate a sign-in view (POST only); `on_breach` may answer a breach with a page."""
    def decorate(view: Callable) -> Callable:
        for setting, key in (("LOGIN_RATELIMIT_ADDRESS", _address_key),
                             ("LOGIN_RATELIMIT_ACCOUNT", _account_key)):
            view = limiter.limit(_setting(setting), key_func=key, scope=f"sign-in-{setting}",
                                 methods=["POST"], deduct_when=_failed, error_message=SENTENCE,
                                 on_breach=on_breach)(view)
        return view
    return decorate
