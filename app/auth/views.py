"""Browser sign-in: /login, /logout and the first-admin set-up page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for

from app.auth import service
from app.auth.schemas import CredentialsSchema
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


@bp.route("/login", methods=["GET", "POST"])
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
            session.clear()
            session["user_id"] = user.id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, email=request.form.get("email", "")), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Forget the browser session."""
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
            session.clear()
            session["user_id"] = user.id
            return redirect(url_for("pages.home"))
    return render_template("auth/setup.html", error=error, email=request.form.get("email", "")), (400 if error else 200)
