"""Account rules shared by the CLI, the token endpoint and the browser pages."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import TIERS, LoginSession, User, utcnow
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
    set-ups wins: each inserts, and every account but the oldest withdraws. Raises
    AlreadySetUp for the others.

    "Oldest" must mean "committed first": SQLite serialises writers, so ids follow commit
    order; PostgreSQL hands out ids before commit, so a set-up there first locks the table
    against other inserts until it commits (one set-up at a time, only while none exists).
    """
    if has_users():
        raise AlreadySetUp("Image Studio is already set up: sign in")
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))
        if has_users():
            db.session.rollback()
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
    _revoke(user)
    db.session.commit()
    return user


def revoke_tokens(email: str) -> User:
    """Refuse every token and end every browser session of the account issued so far."""
    user = _existing(email)
    _revoke(user)
    db.session.commit()
    return user


def _revoke(user: User) -> None:
    # One UPDATE in the database, so two revocations at once both count.
    db.session.execute(update(User).where(User.id == user.id)
                       .values(token_version=User.token_version + 1))
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.refresh(user)


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


def user_for_external_identity(issuer: str, subject: str, email: object) -> User:
    """The account of an identity provider's user, made on first use: a free account with
    no password and no admin rights, whatever the token claims, keyed by (iss, sub) alone.
    The token's email only labels it, and only while no account uses that address."""
    user = _external(issuer, subject)
    if user is not None:
        return user
    user = User(email=_external_label(email), tier="free", password_hash=None,
                issuer=issuer, subject=subject)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same identity's first two requests at once: one row wins
        db.session.rollback()
        user = _external(issuer, subject)
        if user is None:
            raise
    return user


def _external(issuer: str, subject: str) -> User | None:
    return db.session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))


def _external_label(email: object) -> str:
    try:
        address = normalise_email(email) if isinstance(email, str) else None
    except ValidationFailed:
        address = None
    if address is None or find_user(address) is not None:
        # `.invalid` is reserved (RFC 2606): no local account can take this address.
        return f"external-{secrets.token_hex(8)}@accounts.invalid"
    return address


def start_session(user: User) -> str:
    """A new browser session for the account; returns the id the cookie keeps."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id_hash=_hash(session_id), user_id=user.id))
    db.session.commit()
    return session_id


def end_session(session_id: str | None) -> None:
    if session_id:
        db.session.execute(delete(LoginSession).where(LoginSession.id_hash == _hash(session_id)))
        db.session.commit()


def session_user(session_id: str, lifetime: timedelta) -> User | None:
    """The account a live browser session belongs to, or None once it ended or expired."""
    return db.session.scalar(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.id_hash == _hash(session_id), LoginSession.created_at >= utcnow() - lifetime))


def remove_expired_sessions(lifetime: timedelta, now: datetime | None = None) -> int:
    """Forget sessions older than the cookie's lifetime (the sweeper calls this)."""
    cutoff = (now or utcnow()) - lifetime
    removed = db.session.execute(delete(LoginSession).where(LoginSession.created_at < cutoff)).rowcount
    db.session.commit()
    return removed or 0


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
