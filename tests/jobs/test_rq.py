"""JOBS_BACKEND=rq with real `flask jobs worker` processes on the real Redis at 127.0.0.1:6379.

Each test has a queue of its own, and the database (a SQLite file or a PostgreSQL schema) is
shared with the workers through DATABASE_URL, as separate hosts would share it.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from flask_migrate import upgrade
from sqlalchemy import update

from app import create_app
from app.database import bind_migrations
from app.extensions import db
from app.jobs import recovery
from app.jobs.models import Job
from tests.fakes.fixtures import KEYS
from tests.jobs.fakes import generate_calls, slow_images
from tests.jobs.helpers import API, ASYNC, FAST, account, comparable, job_count, job_row, ledger, wait_for

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")
REDIS_URL = os.environ.get("IMAGE_STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BODY = {"prompt": "a cat", "width": 96, "height": 64}
ORPHANED = {"status": 500, "detail": "The worker running this job stopped; its unused credits were refunded"}
STALE_AFTER = 2.0
SETTINGS = {"JOBS_HEARTBEAT": "0.5", "JOBS_STALE_AFTER": str(STALE_AFTER), "PROVIDER_MAX_RETRIES": "0",
            "PROVIDER_TIMEOUT": "20", "RATELIMIT_FREE": "10000 per minute"}


@pytest.fixture
def queue_name():
    """This test's own queue on the shared Redis (its keys removed after)."""
    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        connection.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__}); start it or set "
                    "IMAGE_STUDIO_TEST_REDIS_URL to run the RQ backend tests (bash .ci/run does)")
    name = f"is-test-jobs-{uuid.uuid4().hex[:8]}"
    yield name
    for key in connection.scan_iter("rq:job:*"):
        if connection.hget(key, "origin") == name.encode():
            connection.delete(key)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)
    connection.close()


@pytest.fixture
def worker_env(backend, tmp_path, queue_name, fake_stability):
    """What a worker process needs to share this test's database, storage, queue and fake."""
    return {**os.environ, **SETTINGS, "JOBS_BACKEND": "rq", "REDIS_URL": REDIS_URL, "JOBS_QUEUE": queue_name,
            "DATABASE_URL": backend, "SECRET_KEY": "test-secret-key-for-hs256-signing-0123456789",
            "IMAGE_STUDIO_INSTANCE_PATH": str(tmp_path / "instance"),
            "IMAGE_STUDIO_STORAGE_DIR": str(tmp_path / "assets"), "LOG_LEVEL": "WARNING",
            "STABILITY_API_KEY": KEYS["stability"], "STABILITY_API_BASE": fake_stability.url}


class Workers(list):
    logs: list[Path]
    env: dict[str, str]


@pytest.fixture
def workers(request, worker_env, tmp_path):
    """Two `flask --app wsgi jobs worker` processes (or as many as the test's indirect
    parameter says), started before the database is migrated (rq_app): until then their
    supervisors find no table and try again at the next beat."""
    logs = [tmp_path / f"worker-{n}.log" for n in range(getattr(request, "param", 2))]
    processes = Workers()
    for n, path in enumerate(logs):
        with open(path, "wb") as log:
            processes.append(subprocess.Popen(
                [FLASK, "--app", "wsgi", "jobs", "worker", "--name", f"{worker_env['JOBS_QUEUE']}-w{n}"],
                cwd=ROOT, env=worker_env, stdout=log, stderr=log))
    processes.logs, processes.env = logs, worker_env
    yield processes
    for process in processes:   # RQ's registrations go with the queue's keys (queue_name)
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.fixture
def rq_app(workers, backend, tmp_path, queue_name, provider_config):
    """An app submitting to this test's queue, on the database `flask db upgrade` made (run in
    this process while the workers start, as tests/test_migrations.py runs it)."""
    app = create_app({**provider_config, **FAST, "TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SECRET_KEY": workers.env["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": backend,
                      "IMAGE_STUDIO_STORAGE_DIR": workers.env["IMAGE_STUDIO_STORAGE_DIR"],
                      "JOBS_SUPERVISE": False, "JOBS_BACKEND": "rq", "REDIS_URL": REDIS_URL,
                      "JOBS_QUEUE": queue_name, "JOBS_HEARTBEAT": 0.5, "JOBS_STALE_AFTER": STALE_AFTER})
    bind_migrations(app)
    with app.app_context():
        upgrade()
    yield app
    app.extensions["jobs"].shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def rq_headers(rq_app):
    """Authorization of an account made on the migrated database."""
    return account(rq_app)[1]


def registered(app, processes) -> None:
    """Wait until RQ lists every worker of `processes` on the app's queue."""
    from rq import Worker

    backend = app.extensions["jobs"]
    deadline = time.monotonic() + 30
    while len(Worker.all(connection=backend.connection, queue=backend.queue)) < len(processes):
        exited = [n for n, process in enumerate(processes) if process.poll() is not None]
        assert not exited, "a worker exited: " + processes.logs[exited[0]].read_text()[-1500:]
        assert time.monotonic() < deadline, "the workers did not register with RQ"
        time.sleep(0.05)


def submit(client, headers, body=BODY) -> str:
    response = client.post(API + "/create", json=body, headers={**headers, **ASYNC})
    assert response.status_code == 202, response.json
    return response.json["status_url"]


@pytest.mark.redis
@pytest.mark.database
def test_two_workers_share_six_jobs_and_run_each_once_with_the_synchronous_body(
        rq_app, workers, rq_headers, fake_stability):
    headers = rq_headers
    client = rq_app.test_client()
    slow_images(fake_stability, [0] + [0.3] * 6)
    synchronous = client.post(API + "/create", json=BODY, headers=headers)
    assert synchronous.status_code == 200, synchronous.json
    registered(rq_app, workers)
    urls = [submit(client, headers) for _ in range(6)]
    jobs = [wait_for(client, url, headers, timeout=20) for url in urls]
    for job in jobs:
        assert (job["status"], job["error"], job["progress"]) == ("succeeded", None, {"done": 1, "total": 1})
        assert comparable(job["result"]) == comparable(synchronous.json)
        assert job_row(rq_app, job["job_id"])["attempts"] == 1
        assert ledger(rq_app, job_id=job["job_id"]) == [("charged", 3.0, True)]   # one charge per image
    assert generate_calls(fake_stability) == 1 + 6   # no job reached the provider twice
    assert ledger(rq_app, synchronous=True) == [("charged", 3.0, True)]
    from rq import Worker

    backend = rq_app.extensions["jobs"]
    deadline = time.monotonic() + 5   # RQ counts a job once our row says it ended
    while True:
        counts = {w.pid: w.successful_job_count for w in Worker.all(connection=backend.connection,
                                                                     queue=backend.queue)}
        if sum(counts.values()) >= 6 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert set(counts) == {p.pid for p in workers}
    assert sum(counts.values()) == 6 and min(counts.values()) >= 1, counts   # both took a share
    assert backend.depth() == 0


@pytest.mark.redis
def test_a_worker_killed_mid_job_leaves_it_failed_and_refunded_within_the_stale_bound(
        rq_app, workers, rq_headers, fake_stability):
    headers = rq_headers
    client = rq_app.test_client()
    registered(rq_app, workers)
    slow_images(fake_stability, [15, 0.2])
    url = submit(client, headers, {**BODY, "num_variations": 2})
    running = wait_for(client, url, headers, until=("running",),
                       check=lambda job: job["progress"]["done"] == 1, timeout=10)
    row = job_row(rq_app, running["job_id"])
    assert row["provider_called"] is True
    victim = next(p for p in workers if row["holder"].split(":")[1] == str(p.pid))
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed = time.monotonic()
    job = wait_for(client, url, headers, timeout=STALE_AFTER + 3)
    assert time.monotonic() - killed < STALE_AFTER   # its holder's pid is gone: at the next beat
    assert (job["status"], job["error"], job["result"]) == ("failed", ORPHANED, None)
    # The image made before the kill is kept and charged; the one in flight is refunded.
    assert sorted(ledger(rq_app, job_id=job["job_id"])) == [("charged", 3.0, True), ("refunded", 3.0, False)]
    assert job["credits"] == {"reserved": 0.0, "charged": 3.0, "refunded": 3.0}
    # The surviving worker is not stuck: the next job runs, and the failed one never ran again.
    after = wait_for(client, submit(client, headers), headers, timeout=10)
    assert after["status"] == "succeeded" and generate_calls(fake_stability) == 3


@pytest.mark.redis
@pytest.mark.parametrize("workers", [1], indirect=True)
def test_a_job_whose_worker_vanished_before_any_provider_call_is_requeued_and_succeeds(
        rq_app, workers, rq_headers, fake_stability):
    headers = rq_headers
    backend = rq_app.extensions["jobs"]
    enqueue, backend.enqueue = backend.enqueue, lambda job_id, calls=1: None   # its queue entry is gone...
    client = rq_app.test_client()
    url = submit(client, headers)
    backend.enqueue = enqueue
    job_id = url.rsplit("/", 1)[1]
    with rq_app.app_context():   # ...with the worker on another host, stopped before calling out
        db.session.execute(update(Job).where(Job.id == job_id).values(
            status="running", holder="another-host:4242:0badcafe", attempts=1,
            heartbeat_at=datetime.now(UTC) - timedelta(seconds=STALE_AFTER + 1),
            started_at=datetime.now(UTC) - timedelta(seconds=5)))
        db.session.commit()
    job = wait_for(client, url, headers, timeout=15)   # a worker's supervisor puts it back
    assert (job["status"], job["error"]) == ("succeeded", None)
    assert job_row(rq_app, job_id)["attempts"] == 2
    assert ledger(rq_app, job_id=job_id) == [("charged", 3.0, True)]
    assert generate_calls(fake_stability) == 1


def test_the_worker_command_refuses_the_thread_backend(make_app):
    result = make_app().test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: JOBS_BACKEND=rq and REDIS_URL are needed to run a worker "
                                     "(the thread backend runs jobs inside the web processes)")


def test_the_rq_backend_needs_redis_url(make_app):
    from app.config import ConfigError

    with pytest.raises(ConfigError, match="JOBS_BACKEND=rq needs REDIS_URL"):
        make_app(JOBS_BACKEND="rq", REDIS_URL=None)


def test_a_submission_while_redis_is_away_is_a_503_that_holds_nothing(studio, fake_stability):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    app, client, headers, user = studio(JOBS_BACKEND="rq", REDIS_URL=f"redis://127.0.0.1:{closed}/0")
    response = client.post(API + "/create", json=BODY, headers={**headers, **ASYNC})
    assert response.status_code == 503
    assert response.json == {"detail": "The job queue is unavailable; nothing was charged, try again shortly"}
    assert job_count(app) == 0 and client.get(API + "/jobs", headers=headers).json == {"jobs": [], "total": 0}
    assert ledger(app) == [("refunded", 3.0, False)]   # released at once, not after JOBS_QUEUE_TIMEOUT
    assert fake_stability.requests == []


def test_a_queued_job_whose_queue_entry_was_lost_is_queued_again(studio, queue_name):
    """A worker killed between taking a job off the queue and claiming it leaves a queued row
    that nothing would run: the sweep puts it back on the queue (safe even if that worker
    lived: only one claim succeeds)."""
    app, client, headers, _ = studio(JOBS_BACKEND="rq", REDIS_URL=REDIS_URL, JOBS_QUEUE=queue_name,
                                     JOBS_STALE_AFTER=30)
    job_id = submit(client, headers).rsplit("/", 1)[1]
    backend = app.extensions["jobs"]
    with app.app_context():
        assert backend.waiting([job_id]) == {job_id}
        assert recovery.recover(app.config) == 0          # waiting on the queue: left alone
        backend.queue.empty()                             # taken off by a worker that then died
        assert recovery.recover(app.config) == 0          # younger than JOBS_STALE_AFTER
        db.session.execute(update(Job).where(Job.id == job_id).values(
            created_at=datetime.now(UTC) - timedelta(seconds=31)))
        db.session.commit()
        assert recovery.recover(app.config) == 1
        assert backend.waiting([job_id]) == {job_id}
        assert recovery.recover(app.config) == 0          # its queue time was reset
        assert db.session.get(Job, job_id).status == "queued"
