"""Where jobs run: a bounded pool in this process, or RQ workers on Redis on any host.

Both only carry a job id: the row holds everything else, so the two backends share one
code path (work.perform) and differ only in who calls it.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask

from app.extensions import db
from app.jobs import work
from app.jobs.recovery import Supervisor


def job_timeout(config: Any, calls: int = 1) -> int:
    """The longest a job may run: per studio call (a campaign makes one per item), a provider
    call with its polling three times over for failover, and a minute to store the results."""
    call = float(config["PROVIDER_TIMEOUT"]) + float(config["PROVIDER_POLL_TIMEOUT"])
    return int((call * 3 + 60) * max(1, calls))


class Backend:
    """What both backends share: this process's supervisor (recovery.py), started once."""

    name = ""
    holds_queue = False   # True when queued jobs wait in this process (and need its beat)

    def __init__(self, app: Flask):
        self.app = app
        self._supervisor: Supervisor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start sweeping orphans in this process (a no-op once started, or when disabled)."""
        if self._supervisor is not None:
            return
        with self._lock:
            if self._supervisor is None and self.app.config["JOBS_SUPERVISE"]:
                self._supervisor = Supervisor(self.app, beat_queued=self.holds_queue)
                self._supervisor.start()

    def stop_supervisor(self) -> None:
        if self._supervisor is not None:
            self._supervisor.closed.set()


class ThreadBackend(Backend):
    """JOBS_CONCURRENCY jobs at once in each web process; nothing else to start. The jobs a
    process holds carry its name, so if it stops they are found and refunded (recovery.py)."""

    name = "thread"
    holds_queue = True

    def __init__(self, app: Flask):
        super().__init__(app)
        self._pool: ThreadPoolExecutor | None = None

    def enqueue(self, job_id: str, calls: int = 1) -> None:
        """Into this process's pool (the row was written held by this process)."""
        self._submit(work.perform, job_id)

    def notify(self, job_id: str) -> None:
        self._submit(work.notify, job_id)

    def waiting(self, job_ids: list[str]) -> set[str]:
        """None of this backend's queued jobs is ever unheld (they carry their process)."""
        return set()

    def _submit(self, task, job_id: str) -> None:
        self.start()
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=int(self.app.config["JOBS_CONCURRENCY"]),
                                                thread_name_prefix="job")
        self._pool.submit(self._in_app, task, job_id)

    def _in_app(self, task, job_id: str) -> None:
        with self.app.app_context():
            try:
                task(job_id)
            finally:
                db.session.remove()

    def shutdown(self) -> None:
        """Wait for running jobs (tests and a clean exit); queued ones stay for recovery."""
        self.stop_supervisor()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


class RQBackend(Backend):
    """Jobs on a Redis queue, run by `flask --app wsgi jobs worker` processes on any host."""

    name = "rq"

    def __init__(self, app: Flask):
        import redis
        from rq import Queue

        super().__init__(app)
        self.connection = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=5,
                                               socket_connect_timeout=2)
        self.queue = Queue(app.config["JOBS_QUEUE"], connection=self.connection)

    def enqueue(self, job_id: str, calls: int = 1) -> None:
        """Onto the Redis queue; `calls` (the job's studio calls) scales its time limit."""
        config = self.app.config
        self.queue.enqueue("app.jobs.worker.run", job_id, job_timeout=job_timeout(config, calls),
                           ttl=int(config["JOBS_QUEUE_TIMEOUT"]), result_ttl=0, failure_ttl=86400,
                           description=f"image-studio job {job_id}", job_id=f"job-{job_id}")

    def waiting(self, job_ids: list[str]) -> set[str]:
        """Which of these jobs still wait on the queue (a worker killed between taking one and
        claiming it leaves a queued row that nothing will run)."""
        on_queue = {rq_id.removeprefix("job-") for rq_id in self.queue.get_job_ids()}
        return {job_id for job_id in job_ids if job_id in on_queue}

    def notify(self, job_id: str) -> None:
        self.queue.enqueue("app.jobs.worker.deliver", job_id, job_timeout=600, result_ttl=0,
                           failure_ttl=86400)

    def shutdown(self) -> None:
        self.stop_supervisor()
        self.connection.close()

    def depth(self) -> int:
        return len(self.queue)


def build_backend(app: Flask) -> ThreadBackend | RQBackend:
    return RQBackend(app) if app.config["JOBS_BACKEND"] == "rq" else ThreadBackend(app)
