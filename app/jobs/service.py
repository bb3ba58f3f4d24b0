"""Jobs for their owners: submit a studio call, follow it, list them, cancel one.

Submission runs the studio service once with the runner in `defer` mode (execution.py):
the body is validated, the routes are planned and the credits reserved exactly as the
synchronous call would, so a bad body is still a 400 and a short balance a 402, with
nothing queued; then the job goes to the backend. The job's row is written first, so
every reservation names a job that exists.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from app.assets.service import zip_named
from app.credits import service as credits
from app.errors import Conflict, NotFound, ServiceUnavailable
from app.extensions import db
from app.imaging.formats import extension
from app.jobs import identity, webhooks
from app.jobs.models import LIVE, Job, new_job_id
from app.jobs.operations import OPERATIONS
from app.social.service import file_stem

log = logging.getLogger(__name__)
NOT_FOUND = "Job not found"
STATUS_URL = "/api/image-studio/jobs/{}"
FINISHED = {"succeeded": "The job has already succeeded", "failed": "The job has already failed",
            "cancelled": "The job was already cancelled"}


def submit(user_id: int, operation: str, body: dict[str, Any], args: Any,
           webhook_url: str | None = None) -> dict[str, Any]:
    """Reserve and queue `operation`; returns the 202 body. Raises what the synchronous
    call raises before its first provider call (400, 402, 404, 413, 503), and a 400 naming
    webhook_url for a URL the service must not call."""
    config = current_app.config
    if webhook_url is not None:
        webhooks.check_url(webhook_url, allowed_hosts(config))
    backend = current_app.extensions["jobs"]
    job_id = new_job_id()
    # Reserved first, the row written after in one commit: a crash between leaves entries
    # naming a job that does not exist, which recovery.py refunds.
    reservations, total = OPERATIONS[operation].reserve(job_id, user_id, args)
    now = datetime.now(UTC) if backend.holds_queue else None
    job = Job(id=job_id, user_id=user_id, operation=operation, backend=backend.name,
              request={key: value for key, value in body.items() if key != "webhook_url"},
              webhook_url=webhook_url, reservations=reservations, items=[], progress_done=0,
              progress_total=total, attempts=0, provider_called=False, status="queued",
              holder=identity.holder() if backend.holds_queue else None, heartbeat_at=now)
    db.session.add(job)
    db.session.commit()
    log.info("job_queued", extra={"job_id": job_id, "operation": operation, "user_id": user_id,
                                  "total": total, "backend": backend.name})
    try:
        backend.enqueue(job_id, len(reservations))
    except Exception:  # the queue is away (Redis down): hold nothing for a job nobody will run
        db.session.rollback()
        log.exception("job_enqueue_failed", extra={"job_id": job_id, "backend": backend.name})
        credits.refund_job(job_id, "refunded: the job could not be queued")
        db.session.execute(Job.__table__.delete().where(Job.id == job_id))
        db.session.commit()
        raise ServiceUnavailable("The job queue is unavailable; nothing was charged, try again shortly") from None
    return {"job_id": job_id, "status": "queued", "status_url": STATUS_URL.format(job_id)}


def allowed_hosts(config: Any) -> set[str]:
    return {host.strip().lower() for host in (config.get("WEBHOOK_ALLOWED_HOSTS") or "").split(",")
            if host.strip()}


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the UTC offset (SQLite hands back naive datetimes: they are UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def document(job: Job, costs: dict[str, float] | None = None, *, result: bool = True) -> dict[str, Any]:
    """The job as GET /jobs/{id} returns it (and the webhook sends it)."""
    costs = costs or {}
    body: dict[str, Any] = {
        "job_id": job.id, "status": job.status, "operation": job.operation,
        "progress": {"done": job.progress_done, "total": job.progress_total},
        "created_at": iso(job.created_at), "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at), "error": job.error,
        "items": job.items, "status_url": STATUS_URL.format(job.id),
        "credits": {"reserved": costs.get("pending", 0.0), "charged": costs.get("charged", 0.0),
                    "refunded": costs.get("refunded", 0.0)},
        "duration": duration(job), "webhook": job.webhook,
    }
    if result:
        body["result"] = job.result if job.status == "succeeded" else None
    return body


def duration(job: Job) -> float | None:
    """Seconds from start to end (to now while running); None before it starts."""
    if job.started_at is None:
        return None
    end = job.finished_at or datetime.now(UTC)
    start = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=UTC)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    return round((end - start).total_seconds(), 3)


def owned(user_id: int, job_id: str) -> Job:
    job = db.session.get(Job, job_id) if len(job_id) <= 32 else None
    if job is None or job.user_id != user_id:
        raise NotFound(NOT_FOUND)
    return job


def get(user_id: int, job_id: str) -> dict[str, Any]:
    """One of the caller's jobs; NotFound (404) for another user's or an unknown id."""
    job = owned(user_id, job_id)
    return document(job, credits.job_costs([job.id]).get(job.id))


def listing(user_id: int, *, status: str | None = None, limit: int = 50,
            offset: int = 0) -> dict[str, Any]:
    """The caller's jobs, newest first, without their results."""
    where = [Job.user_id == user_id] + ([Job.status == status] if status else [])
    total = db.session.scalar(select(func.count()).select_from(Job).where(*where))
    jobs = db.session.scalars(select(Job).where(*where).order_by(Job.created_at.desc(), Job.id)
                              .limit(limit).offset(offset)).all()
    costs = credits.job_costs([job.id for job in jobs])
    return {"jobs": [document(job, costs.get(job.id), result=False) for job in jobs], "total": total}


def cancel(user_id: int, job_id: str) -> dict[str, Any]:
    """Cancel a queued or running job and refund what it has not spent; Conflict (409) once
    it has finished. Images already made are kept (and charged); one being made now is
    dropped when it arrives (credits.settle refuses a refunded slot)."""
    job = owned(user_id, job_id)
    changed = db.session.execute(
        update(Job).where(Job.id == job.id, Job.status.in_(LIVE))
        .values(status="cancelled", finished_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.rollback()
        db.session.refresh(job)
        raise Conflict(FINISHED[job.status])
    # Committed with the status, so nobody sees a cancelled job still holding credits.
    refunded = credits.refund_job(job.id, "refunded: the job was cancelled")
    db.session.refresh(job)
    log.info("job_cancelled", extra={"job_id": job.id, "operation": job.operation,
                                     "refunded": refunded})
    current_app.extensions["jobs"].notify(job.id)
    return {**document(job, credits.job_costs([job.id]).get(job.id)), "refunded_credits": refunded}



def archive(user_id: int, job_id: str) -> Iterator[bytes]:
    """A ZIP of every image the job has made so far: a campaign's in one folder per item
    (`item-001/…`, its renditions under `item-001/variation-1/…`), any other job's flat."""
    job = owned(user_id, job_id)
    entries = _campaign_entries(job.result) if job.operation == "batch" and job.result else [
        (item["file_name"], item["asset_id"]) for item in job.items if item.get("asset_id")]
    if not entries:
        raise NotFound("This job has made no images yet")
    return zip_named(user_id, entries)


def _campaign_entries(result: dict[str, Any]) -> list[tuple[str, str]]:
    entries = []
    for image in result["images"]:
        if image.get("success"):
            folder = f"item-{image['item']:03d}"
            name = f"{folder}/variation-{image['variation']}.{extension(image['mime_type'])}"
            entries.append((name, image["asset_id"]))
            entries += [(f"{folder}/variation-{image['variation']}/{file_stem(r['platform'], r['format'])}."
                         f"{extension(r['mime_type'])}", r["asset_id"]) for r in image.get("renditions", [])]
    return entries
