"""What the job tests share: the five studio calls, polling, and the ledger as rows."""
from __future__ import annotations

import base64
import io
import time
from typing import Any

from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from app.assets.models import Asset
from app.auth import service as accounts
from app.auth.tokens import issue_token
from app.credits.models import LedgerEntry
from app.extensions import db
from app.jobs.models import Job
from tests.studio_helpers import b64, photo

API = "/api/image-studio"
ASYNC = {"Prefer": "respond-async"}
FINAL = ("succeeded", "failed", "cancelled")
# Settings of every job test's app: no provider retries, no rate limit in the way of polling,
# beats and webhook retries fast.
FAST = {"PROVIDER_MAX_RETRIES": 0, "RATELIMIT_FREE": "10000 per minute", "JOBS_HEARTBEAT": 0.1,
        "WEBHOOK_BACKOFF": 0.01, "WEBHOOK_TIMEOUT": 2}
SQUARE = b64(Image.new("RGB", (160, 120), (40, 90, 160)))

# The smallest valid body of each studio call (as the studio tests send them), and the
# number of images each makes.
CALLS = {
    "create": ("/create", {"prompt": "a cat", "width": 96, "height": 64, "num_variations": 3}, 3),
    "edit": ("/edit/process", {"image_base64": b64(photo(96, 64)), "operation": "remove_background"}, 1),
    "upscale": ("/upscale", {"image_base64": b64(photo(64, 32)), "mode": "fast"}, 1),
    "control": ("/control/process", {"control_image_base64": b64(photo(96, 64)), "operation": "sketch",
                                     "prompt": "a castle"}, 1),
    "social": ("/social/optimize", {"image_base64": SQUARE, "platforms": ["instagram", "linkedin"],
                                    "format_names": {"instagram": ["Feed Post (Square)", "Story"],
                                                     "linkedin": "Feed Post"},
                                    "output_format": "jpeg"}, 3),
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def account(app: Flask, email: str = "user@example.com") -> tuple[int, dict[str, str]]:
    """A new account (no password) and its Authorization header."""
    with app.app_context():
        user = accounts.create_user(email, None)
        return user.id, bearer(issue_token(user, app.config["SECRET_KEY"], 3600))


def wait_for(client, url: str, headers: dict[str, str], until=FINAL, timeout: float = 10.0,
             check=None) -> dict[str, Any]:
    """Poll GET `url` until the job's status is one of `until` (and `check(body)` holds)."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        body = response.json
        if body["status"] in until and (check is None or check(body)):
            return body
        assert time.monotonic() < deadline, f"job still {body['status']} after {timeout} s: {body}"
        time.sleep(0.02)


def image_size(value: str) -> tuple[int, int]:
    data = base64.b64decode(value.split(",", 1)[1] if value.startswith("data:") else value)
    return Image.open(io.BytesIO(data)).size


VARYING = {"asset_id", "url", "file_name", "processing_time"}


def comparable(body: Any) -> Any:
    """A response body with what differs between two runs of one request taken out: ids, URLs,
    timings, and each image replaced by its decoded size."""
    if isinstance(body, dict):
        return {key: (("image", image_size(value)) if key == "image_base64" else comparable(value))
                for key, value in body.items() if key not in VARYING}
    if isinstance(body, list):
        return [comparable(value) for value in body]
    return body


def ledger(app: Flask, job_id: str | None = None, synchronous: bool = False) -> list[tuple[str, float, bool]]:
    """(outcome, credits, has an asset) of each ledger row, of one job's, or of no job's
    (`synchronous`), in id order."""
    where = [LedgerEntry.job_id.is_(None)] if synchronous else []
    if job_id is not None:
        where.append(LedgerEntry.job_id == job_id)
    with app.app_context():
        rows = db.session.scalars(select(LedgerEntry).where(*where).order_by(LedgerEntry.id)).all()
        return [(row.outcome, row.credits, row.asset_id is not None) for row in rows]


def job_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Job))


def job_row(app: Flask, job_id: str) -> dict[str, Any]:
    with app.app_context():
        job = db.session.get(Job, job_id)
        return {column: getattr(job, column) for column in
                ("status", "holder", "attempts", "provider_called", "progress_done", "backend", "error")}


def asset_ids(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Asset.id)))


def watch_refunds(monkeypatch, app: Flask) -> list[tuple[str, int]]:
    """Record, as each job refund begins, what another connection (another request) sees of
    the job: its status and how many of its credits are still pending."""
    from app.credits import service as credits

    seen: list[tuple[str, int]] = []
    refund_job = credits.refund_job

    def watched(job_id: str, note: str) -> float:
        with db.engine.connect() as other:
            status = other.scalar(select(Job.status).where(Job.id == job_id))
            pending = other.scalar(select(func.count()).select_from(LedgerEntry).where(
                LedgerEntry.job_id == job_id, LedgerEntry.outcome == "pending"))
        seen.append((status, pending))
        return refund_job(job_id, note)

    monkeypatch.setattr(credits, "refund_job", watched)
    return seen
