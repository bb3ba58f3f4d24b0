"""Jobs left by a process that stopped: failed and refunded, or queued again, never stuck."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select, update
from werkzeug import Response

from app.credits import service as credits
from app.credits.models import LedgerEntry
from app.extensions import db
from app.jobs import identity, recovery
from app.jobs.models import Job
from tests.jobs.fakes import generate_calls, slow_images
from tests.jobs.helpers import API, ASYNC, job_row, ledger, wait_for, watch_refunds

ROOT = Path(__file__).resolve().parents[2]
ORPHANED = {"status": 500, "detail": "The worker running this job stopped; its unused credits were refunded"}
NEVER_STARTED = {"status": 503, "detail": "The job was not started in time; its credits were refunded"}
BODY = {"prompt": "x", "width": 96, "height": 64, "num_variations": 2}


def dead_pid() -> int:
    """The pid of a process of this host that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def dead_holder() -> str:
    return f"{socket.gethostname()[:80]}:{dead_pid()}:0badcafe"


def parked(app, headers, body=BODY, **row):
    """Submit a job whose backend never runs it, then give its row `row`'s values, as a
    process that stopped would have left it. Returns the job id."""
    backend = app.extensions["jobs"]
    enqueue, backend.enqueue = backend.enqueue, lambda job_id, calls=1: None
    try:
        response = app.test_client().post(API + "/create", json=body, headers={**headers, **ASYNC})
    finally:
        backend.enqueue = enqueue
    assert response.status_code == 202, response.json
    job_id = response.json["job_id"]
    if row:
        with app.app_context():
            db.session.execute(update(Job).where(Job.id == job_id).values(**row))
            db.session.commit()
    return job_id


def recover(app) -> int:
    with app.app_context():
        return recovery.recover(app.config)


def ago(seconds: float) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=seconds)


RESERVED = [("pending", 3.0, False)] * 2
REFUNDED = [("refunded", 3.0, False)] * 2


@pytest.mark.database
def test_a_running_job_of_a_dead_process_is_failed_and_refunded(studio, monkeypatch):
    app, client, headers, user = studio()
    now = datetime.now(UTC)
    running = {"status": "running", "started_at": now, "heartbeat_at": now, "attempts": 1,
               "provider_called": True}
    orphan = parked(app, headers, **running, holder=dead_holder())
    # An earlier process with this process's pid (a container restarted): its nonce tells.
    earlier = parked(app, headers, **running, holder=f"{socket.gethostname()[:80]}:{os.getpid()}:00000000")
    alive_here = parked(app, headers, **running, holder=identity.holder())
    alive_elsewhere = parked(app, headers, **running, holder="another-host:4242:12345678")
    refunds = watch_refunds(monkeypatch, app)
    assert recover(app) == 2
    assert refunds == [("running", 2)] * 2   # failed and refunded in one commit
    for job_id in (orphan, earlier):
        assert job_row(app, job_id)["status"] == "failed" and job_row(app, job_id)["error"] == ORPHANED
        assert ledger(app, job_id=job_id) == REFUNDED
    for job_id in (alive_here, alive_elsewhere):
        assert job_row(app, job_id)["status"] == "running"
        assert ledger(app, job_id=job_id) == RESERVED
    document = client.get(f"{API}/jobs/{orphan}", headers=headers).json
    assert (document["status"], document["error"], document["result"]) == ("failed", ORPHANED, None)
    assert document["credits"] == {"reserved": 0.0, "charged": 0.0, "refunded": 6.0}
    assert document["finished_at"] is not None
    assert recover(app) == 0   # put right once


@pytest.mark.database
@pytest.mark.parametrize("command, output", [
    (["sweep", "--older-than", "0"], "Refunded 0 stale reservation(s); removed 0 orphan file(s) and 0 expired "
                                     "session(s); 1 orphaned job(s) failed or requeued"),
    (["jobs", "recover"], "1 orphaned jobs put right"),
])
def test_the_cli_fails_a_job_whose_heartbeat_stopped_and_leaves_live_jobs_alone(studio,
                                                                                command, output):
    app, client, headers, user = studio(JOBS_STALE_AFTER=30)
    stale = parked(app, headers, status="running", holder="another-host:4242:12345678", heartbeat_at=ago(31),
                   started_at=ago(60), attempts=1, provider_called=True)
    fresh = parked(app, headers, status="running", holder="another-host:4243:12345678", heartbeat_at=ago(5),
                   started_at=ago(60), attempts=1, provider_called=True)
    # sweep --older-than 0: the sweeper's clock for requests leaves a job's reservations to the job.
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == output
    assert job_row(app, stale)["status"] == "failed" and job_row(app, stale)["error"] == ORPHANED
    assert ledger(app, job_id=stale) == REFUNDED
    assert job_row(app, fresh)["status"] == "running" and ledger(app, job_id=fresh) == RESERVED


STOPPED_PROCESS = """
import sys, time
from app import create_app
app = create_app({"JOBS_CONCURRENCY": 1, "JOBS_SUPERVISE": False, "PROVIDER_MAX_RETRIES": 0})
client = app.test_client()
headers = {"Authorization": "Bearer " + sys.argv[1], "Prefer": "respond-async"}
for n in range(2):
    response = client.post("/api/image-studio/create", headers=headers,
                           json={"prompt": f"cat {n}", "width": 96, "height": 64})
    print(response.status_code, response.json["job_id"], flush=True)
time.sleep(60)
"""


def test_thread_jobs_of_a_stopped_process_are_failed_and_refunded_at_the_next_start(
        studio, backend, tmp_path, fake_stability):
    """A web process takes two jobs (one running at the provider, one waiting in its pool) and
    is killed; the next process to start fails and refunds both before anyone asks."""
    app, client, headers, user = studio(JOBS_SUPERVISE=True)
    slow_images(fake_stability, [30])
    env = {**os.environ, "DATABASE_URL": backend, "SECRET_KEY": app.config["SECRET_KEY"],
           "IMAGE_STUDIO_INSTANCE_PATH": str(tmp_path / "instance"),
           "IMAGE_STUDIO_STORAGE_DIR": app.config["IMAGE_STUDIO_STORAGE_DIR"],
           "STABILITY_API_KEY": app.config["STABILITY_API_KEY"],
           "STABILITY_API_BASE": app.config["STABILITY_API_BASE"], "LOG_LEVEL": "WARNING"}
    token = headers["Authorization"].removeprefix("Bearer ")
    process = subprocess.Popen([sys.executable, "-c", STOPPED_PROCESS, token], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = [process.stdout.readline().split() for _ in range(2)]
        assert [status for status, _ in lines] == ["202", "202"], lines
        deadline = time.monotonic() + 10
        while generate_calls(fake_stability) == 0:
            assert time.monotonic() < deadline, "the first job never reached the provider"
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()   # reaped: its pid no longer runs
        process.stdout.close()
    first, second = (job_id for _, job_id in lines)
    assert job_row(app, first)["status"] == "running" and job_row(app, second)["status"] == "queued"
    assert job_row(app, second)["holder"].split(":")[1] == str(process.pid)   # held in its pool
    started = time.monotonic()
    client.get("/healthz")   # the first request of the new process starts its supervisor
    for job_id in (first, second):
        job = wait_for(client, f"{API}/jobs/{job_id}", headers, timeout=5)
        assert (job["status"], job["error"]) == ("failed", ORPHANED)
        assert ledger(app, job_id=job_id) == [("refunded", 3.0, False)]
    assert time.monotonic() - started < 3   # at the start, not when someone asks
    assert generate_calls(fake_stability) == 1   # neither was run again


@pytest.mark.parametrize("row, status", [
    ({"provider_called": False, "attempts": 1}, "queued"),
    ({"provider_called": True, "attempts": 1}, "failed"),      # may have been billed: never twice
    ({"provider_called": False, "attempts": 3}, "failed"),     # JOBS_MAX_ATTEMPTS runs already
])
def test_an_rq_job_that_never_called_a_paid_provider_is_queued_again(studio, row, status):
    app, client, headers, user = studio(JOBS_MAX_ATTEMPTS=3)
    job_id = parked(app, headers, status="running", backend="rq", holder=dead_holder(),
                    heartbeat_at=ago(1), started_at=ago(1), **row)
    queued = []
    app.extensions["jobs"].enqueue = lambda job_id, calls=1: queued.append(job_id)
    assert recover(app) == 1
    after = job_row(app, job_id)
    assert after["status"] == status
    if status == "queued":
        assert (after["holder"], after["error"], queued) == (None, None, [job_id])
        assert ledger(app, job_id=job_id) == RESERVED   # kept for the next run
        document = client.get(f"{API}/jobs/{job_id}", headers=headers).json
        assert (document["status"], document["finished_at"]) == ("queued", None)
        assert recover(app) == 0   # a requeued job is left to its queue
    else:
        assert (after["error"], queued) == (ORPHANED, [])
        assert ledger(app, job_id=job_id) == REFUNDED


@pytest.mark.database
def test_a_queued_job_never_taken_is_failed_with_503_after_the_queue_timeout(studio):
    app, client, headers, user = studio(JOBS_QUEUE_TIMEOUT=60)
    # Queued on Redis: held by no process until a worker claims it.
    lost = parked(app, headers, backend="rq", holder=None, heartbeat_at=None, created_at=ago(61))
    waiting = parked(app, headers, backend="rq", holder=None, heartbeat_at=None, created_at=ago(50))
    assert recover(app) == 1
    assert job_row(app, lost)["status"] == "failed" and job_row(app, lost)["error"] == NEVER_STARTED
    assert ledger(app, job_id=lost) == REFUNDED
    assert job_row(app, waiting)["status"] == "queued" and ledger(app, job_id=waiting) == RESERVED
    document = client.get(f"{API}/jobs/{lost}", headers=headers).json
    assert (document["status"], document["error"], document["started_at"]) == ("failed", NEVER_STARTED, None)


@pytest.mark.database
def test_a_requeued_job_waits_a_whole_queue_timeout_again(studio):
    """The queue timeout counts from when the job was last queued, not from its submission:
    a job requeued after a long wait and a run is not at once 'not started in time'."""
    app, client, headers, user = studio(JOBS_QUEUE_TIMEOUT=60)
    job_id = parked(app, headers, status="running", backend="rq", holder=dead_holder(), created_at=ago(90),
                    heartbeat_at=ago(1), started_at=ago(30), attempts=1, provider_called=False)
    queued = []
    app.extensions["jobs"].enqueue = lambda job_id, calls=1: queued.append(job_id)
    assert recover(app) == 1 and queued == [job_id]
    assert recover(app) == 0
    assert job_row(app, job_id)["status"] == "queued" and ledger(app, job_id=job_id) == RESERVED


def test_recovery_does_not_wait_for_a_slow_webhook(studio):
    """The supervisor that fails an orphan also beats for this process's queued jobs: if it
    waited on the orphan's webhook (up to WEBHOOK_ATTEMPTS x WEBHOOK_TIMEOUT plus backoff),
    those beats would stop and other processes would take live queued jobs for orphans."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    arrived = threading.Event()

    def slow(request):
        arrived.set()
        time.sleep(1.5)
        return Response("ok")

    server.expect_request("/hook", method="POST").respond_with_handler(slow)
    try:
        app, client, headers, user = studio(WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
        body = {**BODY, "webhook_url": server.url_for("/hook")}
        job_id = parked(app, headers, body, status="running", holder=dead_holder(), heartbeat_at=ago(1),
                        started_at=ago(1), attempts=1, provider_called=True)
        started = time.monotonic()
        assert recover(app) == 1
        assert time.monotonic() - started < 1.0
        assert arrived.wait(5)   # told all the same, by the backend
        app.extensions["jobs"].shutdown()
        assert len(server.log) == 1
        assert server.log[0][0].headers["X-Image-Studio-Event"] == "job.failed"
        document = client.get(f"{API}/jobs/{job_id}", headers=headers).json
        assert (document["status"], document["webhook"]["delivered"]) == ("failed", True)
    finally:
        server.clear()
        server.stop()


def test_a_submission_that_died_before_writing_its_job_has_its_reservation_refunded(studio):
    app, _, _, user = studio(JOBS_STALE_AFTER=0)
    with app.test_request_context():
        reservation = credits.reserve(user, studio="create", kind="generate", operation=None,
                                      provider="stability", model="core", count=2, job_id="f" * 32)
        kept = credits.reserve(user, studio="create", kind="generate", operation=None,
                               provider="stability", model="core")
    assert recover(app) == 2
    with app.app_context():
        outcomes = {entry.id: (entry.outcome, entry.note) for entry in db.session.scalars(select(LedgerEntry))}
    assert [outcomes[i] for i in reservation.entry_ids] == [("refunded", "refunded: the job was never written")] * 2
    assert outcomes[kept.entry_ids[0]] == ("pending", None)   # no job: the sweeper's, by its own clock


def test_a_job_that_finishes_during_a_sweep_is_left_as_it_finished(studio, monkeypatch):
    """The sweep reads the live jobs, then commits as it handles each; a job a worker
    finishes meanwhile must stay as it finished, not be failed (as one that never started:
    it has no holder any more) on a reloaded row."""
    app, client, headers, user = studio()
    first, second = (parked(app, headers, status="running", backend="rq", holder=dead_holder(),
                            heartbeat_at=ago(1), started_at=ago(5), attempts=1, provider_called=True)
                     for _ in range(2))
    gone = identity.gone

    def second_finishes_meanwhile(holder):
        with app.app_context(), db.engine.begin() as other:
            other.execute(update(Job).where(Job.id == second).values(
                status="succeeded", holder=None, finished_at=datetime.now(UTC)))
        return gone(holder)

    monkeypatch.setattr(identity, "gone", second_finishes_meanwhile)
    assert recover(app) == 1
    assert job_row(app, first)["status"] == "failed"
    assert (job_row(app, second)["status"], job_row(app, second)["error"]) == ("succeeded", None)
