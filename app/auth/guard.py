"""Who may call a view: declared on the view, not inferred from its path.

`auth_required` guards JSON API views (401 without a valid token or signed-in session) and
publishes the bearer scheme and the 401 in the OpenAPI document; `login_required` guards
browser pages (sending visitors to set-up or to /login).
"""
from __future__ import annotations

from functools import wraps

from flask import redirect, request, url_for
from flask_smorest import Blueprint

from app.auth.identity import current_user, require_user
from app.auth.service import has_users
from app.errors import AppError

SECURITY = [{"bearerAuth": []}]


def auth_required(view):
    """For API views: the caller is resolved (and 401 raised) before the body is parsed."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)

    guarded = Blueprint.doc(security=SECURITY, responses={"401": "UNAUTHORIZED"})(wrapper)
    guarded.auth_required = True
    return guarded


def login_required(view):
    """For browser pages: send visitors to the set-up page (no account yet) or to /login."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            user = current_user()
        except AppError:
            user = None
        if user is None:
            if not has_users():
                return redirect(url_for("auth.setup"))
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper
