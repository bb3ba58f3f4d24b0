"""Jobs whose process died are put right: failed and refunded, or queued again.

A job is orphaned when its holder stopped beating for JOBS_STALE_AFTER seconds, or at once
when its holder was a process of this host that no longer runs; a job still queued after
JOBS_QUEUE_TIMEOUT (its queue entry lost) is orphaned too. An RQ job that never sent a paid
provider call nor stored an image is queued again (up to JOBS_MAX_ATTEMPTS runs); any other
is failed with its unused credits refunded, as the contract asks of the thread backend's
jobs at the next start. Every change is one conditional UPDATE, so two sweepers on two
hosts never both act on one job.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import and_, func, or_, select, update

from app.credits import service as credits
from app.extensions import db
from app.jobs import identity, work
from app.jobs.models import LIVE, Job

log = logging.getLogger(__name__)
ORPHANED = "The worker running this job stopped; its unused credits were refunded"
NEVER_STARTED = "The job was not started in time; its credits were refunded"
UNOWNED_WINDOW = timedelta(days=1)


# What a sweep reads of each live job: plain values, which a commit in the sweep (each fail
# or requeue commits) cannot expire and reload with a newer status.
SEEN = (Job.id, Job.status, Job.operation, Job.backend, Job.holder, Job.heartbeat_at, Job.created_at,
        Job.attempts, Job.provider_called, Job.progress_done, Job.reservations)


def recover(config: Mapping[str, Any]) -> int:
    """Fail or requeue every orphaned job, and refund the reservations of a submission that
    died before writing its job (in an app context); returns how many were touched."""
    now = datetime.now(UTC)
    stale = now - timedelta(seconds=float(config["JOBS_STALE_AFTER"]))
    lost = now - timedelta(seconds=float(config["JOBS_QUEUE_TIMEOUT"]))
    # Every process sweeps every JOBS_HEARTBEAT seconds: a day is ample room to find those.
    touched = credits.refund_unowned(stale - UNOWNED_WINDOW, stale, select(Job.id))
    # A queued job's heartbeat_at, when set, is when it was last put on the queue.
    queued_at = func.coalesce(Job.heartbeat_at, Job.created_at)
    candidates = db.session.execute(select(*SEEN).where(
        Job.status.in_(LIVE), or_(Job.holder.is_not(None), queued_at < stale))).all()
    db.session.commit()
    backend = current_app.extensions["jobs"]
    unheld = [job.id for job in candidates if job.holder is None and job.backend == backend.name]
    waiting = backend.waiting(unheld) if unheld else set()
    for job in candidates:
        if job.holder is None:
            if _older(job.heartbeat_at or job.created_at, lost):
                touched += _fail(job, NEVER_STARTED, 503)
            elif job.id in unheld and job.id not in waiting:
                touched += _requeue(job, "its queue entry was lost")
        elif identity.gone(job.holder) or _older(job.heartbeat_at, stale):
            touched += _retry(job, config) or _fail(job, ORPHANED, 500)
    return touched


def _older(moment: datetime | None, than: datetime) -> bool:
    if moment is None:
        return True
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) < than


def _same(job: Any):
    """The row still as this sweeper saw it: nobody took or finished it meanwhile."""
    holder = Job.holder.is_(None) if job.holder is None else Job.holder == job.holder
    beat = Job.heartbeat_at.is_(None) if job.heartbeat_at is None else Job.heartbeat_at == job.heartbeat_at
    return and_(Job.id == job.id, Job.status == job.status, holder, beat)


def _retry(job: Any, config: Mapping[str, Any]) -> int:
    """An RQ job whose worker died before it spent anything runs again (a bounded number of
    times); 0 when that is not safe."""
    safe = (job.backend == "rq" and not job.provider_called and job.progress_done == 0
            and job.attempts < int(config["JOBS_MAX_ATTEMPTS"]))
    return _requeue(job, "its worker stopped before calling a provider") if safe else 0


def _requeue(job: Any, why: str) -> int:
    """Back on the queue, its queue time reset. Safe even when a live worker still holds a
    copy: a job runs only once it is claimed, and only one claim succeeds (work.claim)."""
    changed = db.session.execute(update(Job).where(_same(job))
                                 .values(status="queued", holder=None, heartbeat_at=datetime.now(UTC))
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if changed:
        log.info("job_requeued", extra={"job_id": job.id, "operation": job.operation,
                                        "attempt": job.attempts, "holder": job.holder, "why": why})
        current_app.extensions["jobs"].enqueue(job.id, len(job.reservations))
    return changed


def _fail(job: Any, detail: str, status: int) -> int:
    changed = db.session.execute(
        update(Job).where(_same(job))
        .values(status="failed", error={"status": status, "detail": detail},
                finished_at=datetime.now(UTC), holder=None)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.commit()
        return 0
    work.close(job.id)  # commits the status with the refund
    # By the backend, not here: this thread also beats for the process's queued jobs.
    current_app.extensions["jobs"].notify(job.id)
    return changed


class Supervisor(threading.Thread):
    """One per process: beats for the jobs this process holds in its queue (the thread
    backend) and sweeps orphans, every JOBS_HEARTBEAT seconds, starting at once."""

    def __init__(self, app: Flask, beat_queued: bool):
        super().__init__(name="job-supervisor", daemon=True)
        self.app, self.beat_queued = app, beat_queued
        self.closed = threading.Event()

    def run(self) -> None:
        interval = max(0.05, float(self.app.config["JOBS_HEARTBEAT"]))
        while True:
            with self.app.app_context():
                try:
                    if self.beat_queued:
                        db.session.execute(update(Job).where(Job.status == "queued",
                                                             Job.holder == identity.holder())
                                           .values(heartbeat_at=datetime.now(UTC))
                                           .execution_options(synchronize_session=False))
                        db.session.commit()
                    recover(self.app.config)
                except Exception:  # a database away for a moment must not end the supervisor
                    db.session.rollback()
                    log.warning("job_supervisor_failed", exc_info=True)
                finally:
                    db.session.remove()
            if self.closed.wait(interval):
                return
