"""Account rules shared by the CLI, the token endpoint and the browser pages."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import TIERS, User
from app.errors import AppError, Unauthorized, ValidationFailed
from app.extensions import db

MIN_PASSWORD = 8
# Hash checked when the email is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    """Check the syntax only (no DNS) and return the normalised address."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed(f"Invalid email address: {exc}") from None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def has_users() -> bool:
    return bool(db.session.scalar(select(func.count(User.id))))


def create_user(email: str, password: str | None, *, tier: str = "free",
                is_admin: bool = False) -> User:
    """Create an account; raises ValidationFailed for a bad email, password, tier or a duplicate."""
    address = normalise_email(email)
    if tier not in TIERS:
        raise ValidationFailed(f"Invalid tier: {tier} (choose one of {', '.join(TIERS)})")
    if password is not None and len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"Password must be at least {MIN_PASSWORD} characters")
    if find_user(address):
        raise ValidationFailed(f"An account with email {address} already exists")
    user = User(email=address, tier=tier, is_admin=is_admin,
                password_hash=generate_password_hash(password) if password else None)
    db.session.add(user)
    db.session.commit()
    return user


class AlreadySetUp(AppError):
    """Another request created the first account first."""


def create_first_admin(email: str, password: str) -> User:
    """The first account, an enterprise admin; exactly one of any number of concurrent
    set-ups wins (no lock needed on any database): each inserts, and every account but the
    oldest withdraws. Raises AlreadySetUp for the others."""
    if has_users():
        raise AlreadySetUp("Image Studio is already set up: sign in")
    user = create_user(email, password, tier="enterprise", is_admin=True)
    first = db.session.scalar(select(func.min(User.id)))
    if first != user.id:
        db.session.delete(user)
        db.session.commit()
        raise AlreadySetUp("Image Studio is already set up: sign in")
    return user


def set_password(email: str, password: str) -> User:
    """Replace an account's password; ValidationFailed for an unknown email or a short password."""
    user = _existing(email)
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"Password must be at least {MIN_PASSWORD} characters")
    user.password_hash = generate_password_hash(password)
    db.session.commit()
    return user


def delete_user(email: str) -> User:
    """Delete an account; its assets, personas and ledger rows go with it (foreign keys
    cascade). The caller removes the asset files first."""
    user = _existing(email)
    db.session.delete(user)
    db.session.commit()
    return user


def _existing(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise ValidationFailed(f"No account with email {email}")
    return user


def authenticate(email: str, password: str) -> User:
    """Return the account for these credentials; one sentence for every failure."""
    user = find_user(email or "")
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    if not check_password_hash(stored, password or "") or user is None or not user.password_hash:
        raise Unauthorized("Invalid email or password")
    return user


def user_for_external_identity(email: str, tier: str | None) -> User:
    """Accounts for identity-provider tokens are created on first use, without a password."""
    address = normalise_email(email)
    user = find_user(address)
    if user is None:
        user = User(email=address, tier=tier if tier in TIERS else "free", password_hash=None)
        db.session.add(user)
        db.session.commit()
    return user
