"""Allowance checks before a provider call, charges for returned results, refunds for failures.

Credits are reserved (a `pending` row, committed) before the call, one account at a time,
so concurrent requests see each other's spending and a balance never goes below zero; the
row becomes `charged` in the same transaction that stores the result, or `refunded` when
the call fails. Balances count one calendar month (UTC).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select, update

from app.auth.models import User
from app.credits.models import LedgerEntry
from app.errors import InsufficientCredits
from app.extensions import db
from app.providers import pricing
from app.telemetry.metrics import CREDITS_CHARGED

SPENDING = ("pending", "charged")


def month_start(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def allowance(user: User) -> float:
    return float(current_app.config[f"CREDITS_{user.tier.upper()}"])


def _sum(user_id: int, outcomes: tuple[str, ...]) -> float:
    query = select(func.coalesce(func.sum(LedgerEntry.credits), 0.0)).where(
        LedgerEntry.user_id == user_id, LedgerEntry.outcome.in_(outcomes),
        LedgerEntry.created_at >= month_start())
    return float(db.session.scalar(query))


def balance(user: User) -> float:
    """This month's allowance plus grants, minus charges and reservations."""
    return allowance(user) + _sum(user.id, ("granted",)) - _sum(user.id, SPENDING)


@dataclass
class Reservation:
    entry_ids: list[int]


def reserve(user_id: int, *, studio: str, kind: str, operation: str | None, provider: str,
            model: str | None, count: int = 1) -> Reservation:
    """Hold the price of `count` results; InsufficientCredits (402) before any provider call.

    Atomic per account on PostgreSQL and SQLite alike: the transaction first writes the
    account's row (a no-op on a non-key column), which takes its row lock (PostgreSQL) or the
    database's write lock (SQLite), so concurrent reservations of one account read the balance
    one after another and none can spend what another has just reserved.
    """
    unit = pricing.price(provider, pricing.operation_name(kind, operation), model)
    entries = [LedgerEntry(user_id=user_id, studio=studio, operation=operation or kind, provider=provider,
                           model=model, credits=unit, outcome="pending") for _ in range(count)]
    db.session.commit()  # end the request's read transaction: read the balance after the lock
    try:
        db.session.execute(update(User).where(User.id == user_id).values(tier=User.tier))
        left = balance(db.session.get(User, user_id))
        needed = unit * count
        if needed > 0 and needed > left:
            raise InsufficientCredits(f"Insufficient credits: this needs {needed:g} credits and "
                                      f"{max(left, 0):g} remain this month")
        db.session.add_all(entries)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return Reservation([entry.id for entry in entries])


def settle(reservation: Reservation, index: int, *, kind: str, operation: str | None, provider: str,
           model: str | None, asset_id: str) -> None:
    """Charge one reserved slot at the price of the provider that actually ran (not committed here)."""
    entry = db.session.get(LedgerEntry, reservation.entry_ids[index])
    entry.provider, entry.model, entry.asset_id, entry.outcome = provider, model, asset_id, "charged"
    entry.credits = pricing.price(provider, pricing.operation_name(kind, operation), model)
    CREDITS_CHARGED.labels(provider, entry.studio).inc(entry.credits)


def refund(reservation: Reservation, indexes: list[int] | None = None, note: str | None = None) -> None:
    """Release reserved slots whose call failed or was refused, and commit."""
    chosen = range(len(reservation.entry_ids)) if indexes is None else indexes
    for index in chosen:
        entry = db.session.get(LedgerEntry, reservation.entry_ids[index])
        if entry is not None and entry.outcome == "pending":
            entry.outcome, entry.note = "refunded", (note or "")[:300] or None
    db.session.commit()


def refund_stale(before: datetime) -> int:
    """Refund reservations still pending from before `before`: the worker that made them
    died mid-call (no live request holds one that long). Returns how many were refunded."""
    result = db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.outcome == "pending", LedgerEntry.created_at < before)
        .values(outcome="refunded", note="refunded by the sweeper: the request never finished"))
    db.session.commit()
    return result.rowcount


def grant(user: User, amount: float, note: str | None = None) -> float:
    """Add credits to this month's balance; returns the new balance."""
    db.session.add(LedgerEntry(user_id=user.id, studio="admin", operation="grant", provider="-",
                               model=None, credits=amount, outcome="granted", note=note))
    db.session.commit()
    return balance(user)
