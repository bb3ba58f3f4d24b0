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
from sqlalchemy import Select, case, func, select, update

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
    return _allowance(user.tier)


def _allowance(tier: str) -> float:
    return float(current_app.config[f"CREDITS_{tier.upper()}"])


def balance(user: User) -> float:
    """This month's allowance plus grants, minus charges and reservations."""
    return _balance(user.id, user.tier)


def _balance(user_id: int, tier: str) -> float:
    """One query: it runs under the account's lock at every reservation."""
    signed = case((LedgerEntry.outcome == "granted", LedgerEntry.credits),
                  (LedgerEntry.outcome.in_(SPENDING), -LedgerEntry.credits), else_=0.0)
    net = db.session.scalar(select(func.coalesce(func.sum(signed), 0.0)).where(
        LedgerEntry.user_id == user_id, LedgerEntry.created_at >= month_start()))
    return _allowance(tier) + float(net)


@dataclass
class Reservation:
    entry_ids: list[int]


def reserve(user_id: int, *, studio: str, kind: str, operation: str | None, provider: str,
            model: str | None, count: int = 1, job_id: str | None = None) -> Reservation:
    """Hold the price of `count` results; InsufficientCredits (402) before any provider call.

    Atomic per account on PostgreSQL and SQLite alike: the transaction first writes the
    account's row (a no-op on a non-key column), which takes its row lock (PostgreSQL) or the
    database's write lock (SQLite), so concurrent reservations of one account read the balance
    one after another and none can spend what another has just reserved.
    """
    unit = pricing.price(provider, pricing.operation_name(kind, operation), model)
    entries = [LedgerEntry(user_id=user_id, studio=studio, operation=operation or kind, provider=provider,
                           model=model, credits=unit, outcome="pending", job_id=job_id) for _ in range(count)]
    db.session.commit()  # end the request's read transaction: read the balance after the lock
    try:
        # The lock, and the tier it guards, in one statement.
        tier = db.session.execute(update(User).where(User.id == user_id).values(tier=User.tier)
                                  .returning(User.tier)
                                  .execution_options(synchronize_session=False)).scalar_one()
        left = _balance(user_id, tier)
        needed = unit * count
        if needed > 0 and needed > left:
            raise InsufficientCredits(f"Insufficient credits: this needs {needed:g} credits and "
                                      f"{max(left, 0):g} remain this month")
        db.session.add_all(entries)
        db.session.flush()
        ids = [entry.id for entry in entries]  # read before the commit expires them
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return Reservation(ids)


def settle(reservation: Reservation, index: int, *, kind: str, operation: str | None, provider: str,
           model: str | None, asset_id: str) -> bool:
    """Charge one reserved slot at the price of the provider that actually ran (not committed
    here). False when the slot is no longer pending: a cancelled job's refund came first, and
    the result must not be kept (one conditional UPDATE, so a refund and a charge never both win)."""
    unit = pricing.price(provider, pricing.operation_name(kind, operation), model)
    ledger = LedgerEntry.__table__   # a Core statement: one round trip, no ORM bookkeeping per result
    studio = db.session.execute(
        update(ledger).where(ledger.c.id == reservation.entry_ids[index], ledger.c.outcome == "pending")
        .values(provider=provider, model=model, asset_id=asset_id, outcome="charged", credits=unit)
        .returning(ledger.c.studio)).scalar()
    if studio is not None:
        CREDITS_CHARGED.labels(provider, studio).inc(unit)
    return studio is not None


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
    died mid-call (no live request holds one that long). Entries of a job are the job's to
    settle (app/jobs/recovery.py). Returns how many were refunded."""
    result = db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.outcome == "pending", LedgerEntry.created_at < before,
               LedgerEntry.job_id.is_(None))
        .values(outcome="refunded", note="refunded by the sweeper: the request never finished"))
    db.session.commit()
    return result.rowcount


def refund_unowned(since: datetime, before: datetime, jobs: Select) -> int:
    """Refund job reservations made between `since` and `before` whose job is not among
    `jobs` (the ids of the jobs that exist): submission reserves, then writes the job, and
    died between. The window keeps a sweep that runs every few seconds off the whole ledger."""
    result = db.session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.outcome == "pending", LedgerEntry.created_at >= since,
               LedgerEntry.created_at < before,
               LedgerEntry.job_id.is_not(None), LedgerEntry.job_id.not_in(jobs))
        .values(outcome="refunded", note="refunded: the job was never written")
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def refund_job(job_id: str, note: str) -> float:
    """Refund every slot a job still holds, and commit; returns the credits given back."""
    pending = (LedgerEntry.job_id == job_id, LedgerEntry.outcome == "pending")
    amount = float(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.credits), 0.0))
                                     .where(*pending)))
    db.session.execute(update(LedgerEntry).where(*pending)
                       .values(outcome="refunded", note=note[:300])
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return amount


def job_costs(job_ids: list[str]) -> dict[str, dict[str, float]]:
    """Credits per job and outcome (pending, charged, refunded), for the jobs' documents."""
    rows = db.session.execute(
        select(LedgerEntry.job_id, LedgerEntry.outcome, func.sum(LedgerEntry.credits))
        .where(LedgerEntry.job_id.in_(job_ids)).group_by(LedgerEntry.job_id, LedgerEntry.outcome))
    costs: dict[str, dict[str, float]] = {}
    for job_id, outcome, amount in rows:
        costs.setdefault(job_id, {})[outcome] = round(float(amount), 6)
    return costs


def grant(user: User, amount: float, note: str | None = None) -> float:
    """Add credits to this month's balance; returns the new balance."""
    db.session.add(LedgerEntry(user_id=user.id, studio="admin", operation="grant", provider="-",
                               model=None, credits=amount, outcome="granted", note=note))
    db.session.commit()
    return balance(user)
