"""`flask users ...`, `flask tokens issue|revoke` and `flask sweep`."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.assets.service import delete_files, storage_keys_of
from app.auth import service
from app.auth.models import TIERS
from app.auth.tokens import issue_token
from app.database import explain_missing_schema
from app.errors import AppError
from app.sweeper import sweep

BUILT_IN = {"db", "run", "shell", "routes"}
users = AppGroup("users", help="Manage accounts.")
tokens = AppGroup("tokens", help="Issue and revoke bearer tokens.")


@users.command("create")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--tier", type=click.Choice(TIERS), default="free", show_default=True)
@click.option("--admin", is_flag=True, help="Grant administrator rights.")
def create_user(email: str, password: str, tier: str, admin: bool) -> None:
    """Create an account."""
    try:
        user = service.create_user(email, password, tier=tier, is_admin=admin)
    except AppError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"Created {user.email} (tier {user.tier}{', admin' if user.is_admin else ''})", err=True)


@users.command("set-password")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
def set_password(email: str, password: str) -> None:
    """Replace EMAIL's password."""
    try:
        service.set_password(email, password)
    except AppError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"Password changed for {email}", err=True)


@users.command("delete")
@click.argument("email")
def delete_user(email: str) -> None:
    """Delete EMAIL's account with its images, personas and ledger rows."""
    user = service.find_user(email)
    if user is None:
        raise click.ClickException(f"No account with email {email}")
    keys = storage_keys_of(user.id)
    service.delete_user(email)
    delete_files(keys)
    click.echo(f"Deleted {email} and {len(keys)} image(s)", err=True)


@tokens.command("issue")
@click.argument("email")
@click.option("--expires-in", type=click.IntRange(min=1), default=None,
              help="Lifetime in seconds (default: TOKEN_EXPIRES_IN).")
def issue(email: str, expires_in: int | None) -> None:
    """Print a bearer token for EMAIL, alone on stdout."""
    user = service.find_user(email)
    if user is None:
        raise click.ClickException(f"No account with email {email}")
    lifetime = expires_in or current_app.config["TOKEN_EXPIRES_IN"]
    click.echo(issue_token(user, current_app.config["SECRET_KEY"], lifetime))


@tokens.command("revoke")
@click.argument("email")
def revoke(email: str) -> None:
    """Refuse every token of EMAIL issued so far and end its browser sessions."""
    try:
        service.revoke_tokens(email)
    except AppError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"Revoked every token and session of {email}", err=True)


@click.command("sweep")
@with_appcontext
@click.option("--older-than", type=click.FloatRange(min=0), default=None,
              help="Seconds (default: PROVIDER_TIMEOUT + PROVIDER_POLL_TIMEOUT + 60).")
def sweep_command(older_than: float | None) -> None:
    """Refund reservations a dead worker left pending, remove orphan asset files and
    forget expired browser sessions."""
    swept = sweep(current_app.config, None if older_than is None else timedelta(seconds=older_than))
    click.echo(f"Refunded {swept.refunded} stale reservation(s); removed {swept.removed} orphan file(s) "
               f"and {swept.sessions} expired session(s); {swept.jobs} orphaned job(s) failed or requeued")


def init_app(app) -> None:
    """Adds the commands above; registered last, so every project command (each package's too)
    explains a database that was never migrated."""
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(sweep_command)
    for name, command in app.cli.commands.items():
        if name not in BUILT_IN:
            explain_missing_schema(command)
