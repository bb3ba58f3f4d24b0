"""`flask jobs worker` (an RQ worker), `flask jobs webhook-secret` and `flask jobs recover`."""
from __future__ import annotations

import logging
import os

import click
from flask import current_app
from flask.cli import AppGroup

from app.jobs import recovery, webhooks, worker

jobs = AppGroup("jobs", help="Run and look after asynchronous jobs.")


@jobs.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--name", default=None, help="Worker name (default: host and pid).")
@click.option("--nice", default=10, show_default=True, type=click.IntRange(0, 19),
              help="CPU priority below the web processes on a shared host (0: the same).")
def run_worker(burst: bool, name: str | None, nice: int) -> None:
    """Run an RQ worker for JOBS_BACKEND=rq; start any number, on any host.

    A worker on a web host yields the CPU to the web processes (`--nice`): a job's images
    can wait a few milliseconds, a submission or a page should not."""
    from rq import SimpleWorker

    app = current_app._get_current_object()
    backend = app.extensions["jobs"]
    if backend.name != "rq":
        raise click.ClickException("JOBS_BACKEND=rq and REDIS_URL are needed to run a worker "
                                   "(the thread backend runs jobs inside the web processes)")
    worker.bind(app)
    os.nice(nice)
    backend.start()
    logging.getLogger("rq.worker").setLevel(app.config["LOG_LEVEL"])
    rq_worker = SimpleWorker([backend.queue], connection=backend.connection, name=name)
    try:
        rq_worker.work(burst=burst, logging_level=app.config["LOG_LEVEL"], with_scheduler=False)
    finally:
        backend.stop_supervisor()


@jobs.command("webhook-secret")
def webhook_secret() -> None:
    """Print the key webhook signatures are made with (WEBHOOK_SECRET, or derived from SECRET_KEY)."""
    config = current_app.config
    click.echo(webhooks.derive_secret(config["SECRET_KEY"], config.get("WEBHOOK_SECRET")))


@jobs.command("recover")
def recover() -> None:
    """Fail and refund (or queue again) the jobs of processes that stopped."""
    click.echo(f"{recovery.recover(current_app.config)} orphaned jobs put right")
