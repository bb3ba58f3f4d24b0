"""The job table: one row per asynchronous studio call, from submission to its end.

The row is the whole truth about a job (the queue only says "run job X"), so any web
process can answer for it and any worker on any host can run it or clean up after one
that died: `holder` names the process running it and `heartbeat_at` says it is alive.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.auth.models import utcnow
from app.extensions import db

LIVE = ("queued", "running")


def new_job_id() -> str:
    """128 random bits, like asset ids: a status URL alone reveals nothing."""
    return secrets.token_hex(16)


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_user_created", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    operation: Mapped[str] = mapped_column(String(20), nullable=False)
    backend: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued", index=True)
    # The request body as the client sent it (validated at submission, loaded again to run),
    # kept in a table of its own (JobRequest).
    body: Mapped[JobRequest] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    request = association_proxy("body", "body", creator=lambda body: JobRequest(body=body))
    # What submission reserved: {"studio", "ids": ledger entry ids} per runner call, in order.
    reservations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    progress_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Images stored so far (asset id, url, size), so a page shows each as it is made.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    result: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON, nullable=True))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    webhook: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    holder: Mapped[str | None] = mapped_column(String(120), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Set before the first call to a provider that bills us: such a job is never run twice.
    provider_called: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class JobRequest(db.Model):
    """A job's request body, apart from its row: SQLite rewrites a whole row on any update,
    and a job's row is updated at each heartbeat and for each image made, while a 27 MP
    photo's body is 13 MB (seven Social formats rewrote ~100 MB and took a job 1.5 s longer)."""
    __tablename__ = "job_requests"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
