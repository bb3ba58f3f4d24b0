"""What an RQ worker process runs: `flask --app wsgi jobs worker` and the two queue tasks.

The worker is RQ's SimpleWorker: each job runs in the worker process itself, whose app
(built once by the flask command) and database pool serve every job, instead of a fork per
job. A worker killed mid-job takes only that job with it, and its stopped heartbeat lets any
supervisor fail and refund it (recovery.py), or queue it again when nothing was spent.
"""
from __future__ import annotations

from flask import Flask, current_app

from app.extensions import db
from app.jobs import work

_app: Flask | None = None


def bind(app: Flask) -> None:
    """The app the queue tasks run in (set by the worker command before it starts)."""
    global _app
    _app = app


def _in_app(task, job_id: str) -> None:
    app = _app or current_app._get_current_object()
    with app.app_context():
        try:
            task(job_id)
        finally:
            db.session.remove()


def run(job_id: str) -> None:
    """Queue task: run one job (a no-op when it is no longer queued)."""
    _in_app(work.perform, job_id)


def deliver(job_id: str) -> None:
    """Queue task: tell a finished job's webhook (a cancelled job's, say)."""
    _in_app(work.notify, job_id)
