"""The ledger: one row per priced operation (and per admin grant)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import utcnow
from app.extensions import db


class LedgerEntry(db.Model):
    """`outcome` is pending (reserved before the provider call), charged (a result was
    returned), refunded (the call failed or was refused) or granted (added by an admin)."""

    __tablename__ = "ledger"
    # SQLite: never hand a deleted row's id to a new one (PostgreSQL sequences never do).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    studio: Mapped[str] = mapped_column(String(20), nullable=False)
    operation: Mapped[str] = mapped_column(String(40), nullable=False)
    provider: Mapped[str] = mapped_column(String(40), nullable=False)
    model: Mapped[str | None] = mapped_column(String(120), nullable=True)
    credits: Mapped[float] = mapped_column(Float, nullable=False)
    outcome: Mapped[str] = mapped_column(String(10), nullable=False)
    asset_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # The asynchronous job that reserved this entry: the job, not the sweeper's clock, says
    # when it is stale (a job may wait in the queue longer than any request runs).
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 index=True)
