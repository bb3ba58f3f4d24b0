"""Browser sign-in: /login, /logout and the first-admin set-up page."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for

from app.auth import service
from app.auth.schemas import CredentialsSchema
from app.auth.throttle import SENTENCE, sign_in_limits
from app.errors import AppError
from app.http.errors import load_args

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login page cannot redirect off-site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("pages.home")


def _credentials() -> dict:
    return load_args(CredentialsSchema(), {"email": request.form.get("email", ""),
                                           "password": request.form.get("password", "")},
                     blank_is_missing=False)


def _sign_in(user) -> None:
    """A fresh cookie (no fixation) naming a new session row."""
    service.end_session(session.get("sid"))
    session.clear()
    session["sid"] = service.start_session(user)
    session.permanent = True


def _too_many_attempts(limit):
    wait = max(1, int(limit.reset_at - time.time()))
    error = f"Sign-in refused: {SENTENCE}. Try again in {wait} s."
    response = make_response(render_template("auth/login.html", error=error,
                                             email=request.form.get("email", "")), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits(on_breach=_too_many_attempts)
def login():
    """Sign in with email and password."""
    if not service.has_users():
        return redirect(url_for("auth.setup"))
    error = None
    if request.method == "POST":
        try:
            creds = _credentials()
            user = service.authenticate(creds["email"], creds["password"])
        except AppError as exc:
            error = exc.detail
        else:
            _sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, email=request.form.get("email", "")), status


@bp.route("/logout", methods=["POST"])
def logout():
    """End the browser session for good: a kept copy of the cookie no longer signs in."""
    service.end_session(session.get("sid"))
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Create the first (admin) account; only while no account exists."""
    if service.has_users():
        return redirect(url_for("auth.login"))
    error = None
    if request.method == "POST":
        try:
            if request.form.get("password") != request.form.get("confirm"):
                raise AppError("Passwords do not match")
            creds = _credentials()
            user = service.create_first_admin(creds["email"], creds["password"])
        except service.AlreadySetUp:
            return redirect(url_for("auth.login"))
        except AppError as exc:
            error = exc.detail
        else:
            _sign_in(user)
            return redirect(url_for("pages.home"))
    return render_template("auth/setup.html", error=error, email=request.form.get("email", "")), (400 if error else 200)
