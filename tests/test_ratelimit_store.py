"""A failing rate-limit store never hangs or fails a request (findings 3 and 4 of the money
issue): a Redis that refuses connections, one that accepts and never answers, and a real
Redis server stopped and started again mid-test."""
from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis

from app.ratelimit import FallbackRedisStorage, limiter

TEMPLATES = "/api/image-studio/templates"
BOUND = 1.0  # the contract's: a store call times out within a second


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def black_hole():
    """A listener that accepts connections (the kernel does) and never answers a byte."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    sock.close()


def _timed(client, path=TEMPLATES, **kwargs):
    started = time.monotonic()
    response = client.get(path, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.parametrize("store", ["refused", "black_hole"])
def test_a_dead_store_costs_one_bounded_call_then_limits_count_in_memory(make_app, auth, caplog, store,
                                                                         request):
    uri = f"redis://127.0.0.1:{_free_port()}/0" if store == "refused" else request.getfixturevalue("black_hole")
    app = make_app(RATELIMIT_STORAGE_URI=uri, RATELIMIT_ANONYMOUS="3 per minute")
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
        first, took = _timed(client, headers=auth)
    assert first.status_code == 200 and took < BOUND + 0.5
    assert first.headers["X-RateLimit-Limit"] == "60"
    assert any("rate-limit store unreachable" in record.getMessage() for record in caplog.records)
    later = [_timed(client, headers=auth) for _ in range(5)]
    assert all(response.status_code == 200 and took < 0.3 for response, took in later)
    assert later[-1][0].headers["X-RateLimit-Remaining"] == "54"  # still counted, per process
    anonymous = [client.get("/api/image-studio/health").status_code for _ in range(4)]
    assert anonymous == [401, 401, 401, 429]
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["ratelimit"] == "degraded"


def test_a_healthy_store_reports_ok(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "ratelimit": "ok"}


@pytest.fixture
def redis_server(tmp_path):
    """A Redis server of this test's own, so it can be stopped and started again."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server; bash .ci/run has it)")
    port = _free_port()
    processes = []

    def start():
        process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", str(tmp_path)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        client = redis.Redis(port=port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return client
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop():
        processes[-1].terminate()
        processes[-1].wait(timeout=10)

    start.stop = stop
    start.url = f"redis://127.0.0.1:{port}/0"
    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_redis_stopped_mid_run_then_back(make_app, auth, redis_server, caplog):
    store = redis_server()
    app = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    storage = limiter.storage
    assert isinstance(storage, FallbackRedisStorage)
    storage.RETRY_SECONDS = 0.3
    client = app.test_client()
    assert client.get(TEMPLATES, headers=auth).headers["X-RateLimit-Remaining"] == "59"
    assert any(key.startswith(b"LIMITS:") and b"/user:" in key for key in store.keys())  # counted in Redis

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
        statuses = [_timed(client, headers=auth) for _ in range(3)]
    assert [response.status_code for response, _ in statuses] == [200] * 3
    assert max(took for _, took in statuses) < BOUND + 0.5
    assert client.get("/healthz").json["ratelimit"] == "degraded"

    store = redis_server()
    time.sleep(storage.RETRY_SECONDS)
    with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
        assert client.get("/healthz").json["ratelimit"] == "ok"
    assert any("reachable again" in record.getMessage() for record in caplog.records)
    store.flushall()
    assert client.get(TEMPLATES, headers=auth).status_code == 200
    assert any(key.startswith(b"LIMITS:") and b"/user:" in key for key in store.keys())  # shared again
