"""Rate limits shared across gunicorn workers through a real Redis server."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("IMAGE_STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.redis


def _redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        return client
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__}); start it or set "
                    "IMAGE_STUDIO_TEST_REDIS_URL to run this test (bash .ci/run does)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_two_workers(tmp_path):
    redis_client = _redis_or_skip()
    prefix = f"is-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    env = {**os.environ, "IMAGE_STUDIO_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "redis-test-secret",
           "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
           "RATELIMIT_ANONYMOUS": "6 per minute", "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "LOG_LEVEL": "INFO"}
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    log = open(tmp_path / "gunicorn.log", "wb")
    server = subprocess.Popen([str(bin_dir / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
    yield base, tmp_path / "gunicorn.log"
    server.terminate()
    server.wait(timeout=30)
    log.close()
    for key in redis_client.scan_iter(f"{prefix}*"):
        redis_client.delete(key)


def test_limit_holds_across_two_workers(gunicorn_two_workers):
    base, log_path = gunicorn_two_workers
    statuses = []
    for _ in range(16):
        # A new connection per request, so both workers take turns answering.
        response = requests.post(f"{base}/api/auth/token", json={"email": "a@example.com", "password": "x" * 8},
                                 headers={"Connection": "close"}, timeout=10)
        statuses.append(response.status_code)
    assert statuses[:6] == [401] * 6, statuses
    assert statuses[6:] == [429] * 10, statuses
    time.sleep(0.5)
    workers = {json.loads(line)["pid"] for line in log_path.read_text().splitlines()
               if line.startswith("{") and '"message": "request"' in line}
    assert len(workers) == 2, f"both gunicorn workers should have answered, saw {workers}"
