"""Running one job to its end, in whichever process took it (a pool thread or an RQ worker).

claim (queued → running, by one process only) → load the stored body through the route's
schema → call the studio with the job's reservation (execution.py), recording each image as
it is stored → finish with exactly the synchronous body or the synchronous error → refund
what is left → tell the webhook. A heartbeat thread keeps `heartbeat_at` fresh while the
job runs and stops the runner from starting new items once the job is cancelled.
"""
from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import update

from app.admission import scope as admission_scope
from app.credits import service as credits
from app.errors import AppError
from app.extensions import db
from app.jobs import identity, webhooks
from app.jobs.models import Job
from app.jobs.operations import OPERATIONS
from app.jobs.service import allowed_hosts, document, duration
from app.studio import execution
from app.studio.runner import Delivered
from app.telemetry.metrics import JOB_DURATION, JOBS_FINISHED

log = logging.getLogger(__name__)
FAILED = "Internal server error"


def perform(job_id: str) -> str | None:
    """Run the job if it is still queued (in an app context); returns its final status."""
    job = claim(job_id)
    if job is None:
        return None
    app = current_app._get_current_object()
    beat = Heartbeat(app, job_id, float(app.config["JOBS_HEARTBEAT"]))
    beat.start()
    try:
        status, result, error = _execute(job, beat.stop)
    finally:
        beat.close()
    final = finish(job_id, status, result=result, error=error)
    if final == status:  # else a cancel (or a sweeper) ended it first and told the webhook itself
        notify(job_id)
    return final


def claim(job_id: str) -> Job | None:
    """queued → running for this process alone; None when another took it or it was cancelled."""
    now = datetime.now(UTC)
    changed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now, holder=identity.holder(),
                attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not changed:
        return None
    job = db.session.get(Job, job_id)
    log.info("job_running", extra={"job_id": job_id, "operation": job.operation,
                                   "attempt": job.attempts, "holder": job.holder})
    return job


def _execute(job: Job, stop: threading.Event) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    operation = OPERATIONS[job.operation]
    run = execution.Execution(job.id, reservations=[dict(record) for record in job.reservations],
                              report=Reporter(job.id), stop=stop, billing=lambda: _billing(job.id))
    try:
        with execution.running(run), admission_scope(admitted=True):
            args = operation.load(job.request)
            db.session.expire(job, ["body"])   # args hold it now: a studio lets an upload's text go once decoded
            return "succeeded", operation.run(job.user_id, args), None
    except AppError as exc:
        db.session.rollback()
        return "failed", None, {"status": exc.status, "detail": exc.detail}
    except Exception as error:
        db.session.rollback()
        if _timed_out(error):
            return "failed", None, {"status": 500, "detail": "The job ran past its time limit"}
        log.exception("job_error", extra={"job_id": job.id, "operation": job.operation})
        return "failed", None, {"status": 500, "detail": FAILED}


def _timed_out(error: Exception) -> bool:
    """RQ's signal that the job passed its `job_timeout`. Only an RQ worker can raise it, and
    one has imported rq: a web worker running jobs in its own pool never loads rq (~6 MiB)."""
    timeouts = sys.modules.get("rq.timeouts")
    return timeouts is not None and isinstance(error, timeouts.JobTimeoutException)


def _billing(job_id: str) -> None:
    """Mark, before the first paid provider call, that this job must never run again."""
    db.session.execute(update(Job).where(Job.id == job_id).values(provider_called=True)
                       .execution_options(synchronize_session=False))
    db.session.commit()


class Reporter:
    """The runner's per-item report: progress and the stored image, in the item's transaction."""

    def __init__(self, job_id: str):
        self.job_id = job_id
        self.done = 0
        self.items: list[dict[str, Any]] = []

    def __call__(self, slot: int, result: Any, done: int, total: int) -> None:
        made = isinstance(result, Delivered)
        entry: dict[str, Any] = {"n": self.done + 1, "slot": slot}
        if made:
            entry.update(asset_id=result.asset_id, url=result.url, width=result.width,
                         height=result.height, mime_type=result.mime_type, size_bytes=result.size_bytes,
                         file_name=result.file_name, provider=result.provider)
        else:
            entry["error"] = str(result)
        where = [Job.id == self.job_id]
        if not made:
            # A call in flight at a cancel fails after it: it must not move the progress a
            # client (and the cancel's webhook) was told. An image stored and charged just
            # before the cancel is listed whatever the status: it is kept.
            where.append(Job.status == "running")
        # Not committed here: the runner commits it with the item's charge or refund.
        changed = db.session.execute(update(Job).where(*where)
                                     .values(progress_done=self.done + 1, items=[*self.items, entry])
                                     .execution_options(synchronize_session=False)).rowcount
        if changed:
            self.done += 1
            self.items.append(entry)


def finish(job_id: str, status: str, *, result: dict[str, Any] | None = None,
           error: dict[str, Any] | None = None) -> str:
    """Write the end of a running job (a cancel that came first stays), refund what is left."""
    db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == "running")
        .values(status=status, result=result, error=error, finished_at=datetime.now(UTC), holder=None)
        .execution_options(synchronize_session=False))
    return close(job_id)  # commits the status with the refund: no final status with credits held


def close(job_id: str) -> str:
    """After a job's last status is written: refund its unused credits, count and log it."""
    job = db.session.get(Job, job_id, populate_existing=True)
    refunded = credits.refund_job(job_id, f"refunded: the job {job.status}")
    elapsed = duration(job) or 0.0
    JOBS_FINISHED.labels(job.operation, job.status).inc()
    JOB_DURATION.labels(job.operation, job.status).observe(elapsed)
    log.info(f"job_{job.status}", extra={"job_id": job_id, "operation": job.operation,
                                         "seconds": elapsed, "refunded": refunded,
                                         "error": (job.error or {}).get("detail")})
    return job.status


def notify(job_id: str) -> None:
    """POST the finished job to its webhook, retried with backoff; the attempts are logged on
    the job. A job without a webhook_url, or one already told, is left alone."""
    job = db.session.get(Job, job_id)
    if job is None or not job.webhook_url or (job.webhook or {}).get("delivered"):
        return
    config = current_app.config
    costs = credits.job_costs([job.id]).get(job.id)
    body = json.dumps(document(job, costs), separators=(",", ":")).encode()
    secret = webhooks.derive_secret(config["SECRET_KEY"], config.get("WEBHOOK_SECRET"))
    delivery = webhooks.deliver(job.webhook_url, body, f"job.{job.status}", secret=secret,
                                allowed_hosts=allowed_hosts(config),
                                attempts=int(config["WEBHOOK_ATTEMPTS"]),
                                backoff=float(config["WEBHOOK_BACKOFF"]),
                                timeout=float(config["WEBHOOK_TIMEOUT"]))
    job.webhook = {"url": job.webhook_url, "event": f"job.{job.status}", **delivery.as_dict()}
    db.session.commit()
    log.info("job_webhook", extra={"job_id": job_id, "delivered": delivery.delivered,
                                   "attempts": delivery.attempts, "status": delivery.status})


class Heartbeat(threading.Thread):
    """Keeps a running job's heartbeat fresh; sets `stop` once the job is no longer running
    here (cancelled, or failed by a sweeper that took this process for dead)."""

    def __init__(self, app: Flask, job_id: str, interval: float):
        super().__init__(name=f"job-heartbeat-{job_id[:8]}", daemon=True)
        self.app, self.job_id, self.interval = app, job_id, max(0.05, interval)
        self.stop = threading.Event()
        self._closed = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self._closed.wait(self.interval):
                try:
                    alive = db.session.execute(
                        update(Job).where(Job.id == self.job_id, Job.status == "running",
                                          Job.holder == identity.holder())
                        .values(heartbeat_at=datetime.now(UTC))
                        .execution_options(synchronize_session=False)).rowcount
                    db.session.commit()
                except Exception:  # the database may be away for a moment: try again next beat
                    db.session.rollback()
                    log.warning("job_heartbeat_failed", extra={"job_id": self.job_id})
                    continue
                if not alive:
                    self.stop.set()
            db.session.remove()

    def close(self) -> None:
        self._closed.set()
        self.join(timeout=5)
