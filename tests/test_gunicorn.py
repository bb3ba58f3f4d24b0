"""The app under gunicorn with two workers: metrics from both in one scrape, and (with a real
Redis) one rate limit shared by both."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests

from app.config import ConfigError, load_config
from tests.fakes.fixtures import KEYS
from tests.fakes.server import png_bytes

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("IMAGE_STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """Start gunicorn (production config, two workers) with extra settings; yields the base URL,
    the log and the environment (for `flask` commands against the same instance)."""
    started = []

    def start(**settings):
        port = _free_port()
        env = {**os.environ, "IMAGE_STUDIO_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "gunicorn-test-secret",
               "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "2",
               "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "LOG_LEVEL": "INFO", **settings}
        bin_dir = Path(sys.executable).parent
        subprocess.run([str(bin_dir / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        log_path = tmp_path / "gunicorn.log"
        log = open(log_path, "wb")
        server = subprocess.Popen([str(bin_dir / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=log)
        started.append((server, log))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    return base, log_path, env
            except requests.RequestException:
                time.sleep(0.2)
        pytest.fail("gunicorn did not start: " + log_path.read_text()[-2000:])

    start.started = started
    yield start
    for server, log in started:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _post_token(base: str) -> int:
    # A new connection per request, so both workers take turns answering.
    return requests.post(f"{base}/api/auth/token", json={"email": "a@example.com", "password": "x" * 8},
                         headers={"Connection": "close"}, timeout=10).status_code


def _workers_that_answered(log_path: Path) -> set[int]:
    time.sleep(0.5)
    return {json.loads(line)["pid"] for line in log_path.read_text().splitlines()
            if line.startswith("{") and '"message": "request"' in line}


def _post_tokens_until_both_answered(base: str, log_path: Path, at_least: int) -> list[int]:
    """Which worker accepts a connection is the kernel's choice: on a busy machine one worker can
    take ten in a row, so keep asking (a few at a time) until the log shows both answered."""
    statuses = [_post_token(base) for _ in range(at_least)]
    while len(_workers_that_answered(log_path)) < 2 and len(statuses) < at_least + 100:
        statuses += [_post_token(base) for _ in range(4)]
    assert len(_workers_that_answered(log_path)) == 2, "both gunicorn workers should have answered"
    return statuses


def test_no_control_socket_unless_one_is_named(gunicorn, tmp_path):
    """gunicorn 25.1+ would open ~/.gunicorn/gunicorn.ctl for every instance on the host, each
    taking it from the last; named, it is this instance's and `gunicornc` reaches it."""
    home = tmp_path / "home"
    home.mkdir()
    default = {"HOME": str(home), "XDG_RUNTIME_DIR": ""}
    gunicorn(**default)
    assert list(home.iterdir()) == []
    named = tmp_path / "studio.ctl"
    gunicorn(**default, GUNICORN_CONTROL_SOCKET=str(named))
    assert named.is_socket() and list(home.iterdir()) == []
    shown = subprocess.run([str(Path(sys.executable).parent / "gunicornc"), "-s", str(named), "-c", "show workers",
                            "-j"], capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0, shown.stderr
    assert len(json.loads(shown.stdout)["workers"]) == 2


def test_metrics_add_up_every_worker(gunicorn):
    base, log_path, _ = gunicorn(METRICS_TOKEN="scrape-token", LOGIN_RATELIMIT_ACCOUNT="100 per minute")
    statuses = _post_tokens_until_both_answered(base, log_path, 12)
    assert statuses == [401] * len(statuses)
    assert requests.get(f"{base}/metrics", timeout=10).status_code == 401
    oversized = requests.get(f"{base}/api/image-studio/templates", headers={"Cookie": "x" * 20_000}, timeout=10)
    assert oversized.status_code == 431 and "too large" in oversized.json()["detail"]  # not gunicorn's page
    body = requests.get(f"{base}/metrics", headers={"Authorization": "Bearer scrape-token"}, timeout=10).text
    sample = re.search(r'image_studio_request_duration_seconds_count\{endpoint="auth_api.create_token",'
                       r'method="POST",status="401"\} (\S+)', body)
    assert sample and float(sample.group(1)) == float(len(statuses))


@pytest.fixture
def shared_redis():
    """The real Redis on 127.0.0.1 and a key prefix of this test's own (removed after)."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__}); start it or set "
                    "IMAGE_STUDIO_TEST_REDIS_URL to run this test (bash .ci/run does)")
    prefix = f"is-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


@pytest.mark.redis
def test_rate_limit_holds_across_two_workers(gunicorn, shared_redis):
    base, log_path, _ = gunicorn(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=shared_redis,
                                 RATELIMIT_ANONYMOUS="6 per minute")
    statuses = _post_tokens_until_both_answered(base, log_path, 16)
    assert statuses == [401] * 6 + [429] * (len(statuses) - 6), statuses


@pytest.mark.redis
def test_failed_sign_ins_are_counted_across_workers(gunicorn, shared_redis):
    """Finding 8: the limit was per worker in memory, so each worker let its own count through."""
    base, log_path, _ = gunicorn(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=shared_redis,
                                 LOGIN_RATELIMIT_ACCOUNT="4 per minute")
    statuses = _post_tokens_until_both_answered(base, log_path, 10)
    assert statuses == [401] * 4 + [429] * (len(statuses) - 4), statuses


def _flask(env: dict, *args: str) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True, timeout=60)
    return done.stdout.strip()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_worker_killed_mid_call_leaves_credits_the_sweeper_refunds(gunicorn, fake_stability):
    fake_stability.queue(1, status=200, body=png_bytes(64, 64), delay=20, content_type="image/png")
    base, _, env = gunicorn(WEB_CONCURRENCY="1", STABILITY_API_KEY=KEYS["stability"],
                            STABILITY_API_BASE=fake_stability.url, PROVIDER_MAX_RETRIES="0")
    _flask(env, "users", "create", "k@example.com", "--password", "long-enough-pw")
    token = _flask(env, "tokens", "issue", "k@example.com")
    call = threading.Thread(target=lambda: _swallow(lambda: requests.post(
        f"{base}/api/image-studio/create", json={"prompt": "x", "provider": "stability"},
        headers={"Authorization": f"Bearer {token}"}, timeout=30)))
    call.start()
    deadline = time.monotonic() + 15
    while not fake_stability.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake_stability.requests, "the create never reached the provider"
    master = next(s.pid for s, _ in gunicorn.started)
    workers = _children(master)
    assert len(workers) == 1
    os.kill(workers[0], signal.SIGKILL)
    call.join(timeout=30)
    assert _flask(env, "credits", "show", "k@example.com") == "97"  # 3 credits held by a dead request
    assert _flask(env, "sweep").startswith("Refunded 0 stale")  # younger than the bound: kept
    assert _flask(env, "sweep", "--older-than", "0") == (
        "Refunded 1 stale reservation(s); removed 0 orphan file(s) and 0 expired session(s); "
        "0 orphaned job(s) failed or requeued")
    assert _flask(env, "credits", "show", "k@example.com") == "100"


def _swallow(call) -> None:
    try:
        call()
    except requests.RequestException:
        pass


def _chunked(size: int):
    """A body sent with Transfer-Encoding: chunked (no Content-Length), 64 KiB at a time."""
    piece = b'{"image_base64": "' + b"A" * (64 * 1024)
    sent = 0
    while sent < size:
        yield piece if sent == 0 else b"A" * (64 * 1024)
        sent += 64 * 1024
    yield b'"}'


def test_a_chunked_body_over_the_limit_is_a_413_not_a_truncated_body(gunicorn):
    """With no Content-Length the limit is met while reading: past it the client is told 413,
    never answered about the first MAX_REQUEST_MB of its body as if that were all of it."""
    base, _, env = gunicorn(MAX_REQUEST_MB="1")
    subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "users", "create", "c@example.com",
                    "--password", "chunked-password-1"], cwd=ROOT, env=env, check=True, capture_output=True)
    token = requests.post(f"{base}/api/auth/token", json={"email": "c@example.com", "password": "chunked-password-1"},
                          timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    over = requests.post(f"{base}/api/image-studio/compress", data=_chunked(3 << 20), headers=headers, timeout=30)
    assert over.status_code == 413 and over.json() == {"detail": "Request body too large: the limit is 1 MB"}
    within = requests.post(f"{base}/api/image-studio/compress", data=_chunked(512 << 10), headers=headers, timeout=30)
    assert within.status_code == 400 and within.json()["detail"] == "Invalid base64 image payload"


def test_a_url_past_the_apps_bound_gets_the_apis_sentence_not_gunicorns_page(gunicorn):
    """gunicorn refuses a request line over its own limit (4094 by default) with a bare HTML
    page; its limit is raised above the app's, so a client gets the API's 414 sentence."""
    base, _, _ = gunicorn()
    response = requests.get(f"{base}/api/image-studio/assets/{'a' * 6000}", timeout=10)
    assert response.status_code == 414
    assert response.json() == {"detail": "Request URL is too long: the limit is 4096 bytes"}


@pytest.mark.parametrize("threads, concurrency, queue", [("8", "1", "6"), ("8", "2", "5"), ("2", "2", "0")])
def test_the_image_queue_leaves_each_worker_one_free_thread(threads, concurrency, queue):
    """Under gunicorn a waiter holds one of the worker's threads: the queue bound keeps the last
    one free (for /healthz and pages); the app alone has no bound but IMAGE_QUEUE_TIMEOUT."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("IMAGE_QUEUE")}
    env.update(GUNICORN_THREADS=threads, IMAGE_CONCURRENCY=concurrency)
    probe = ("import os, runpy; runpy.run_path('gunicorn.conf.py'); "
             "print(os.environ['IMAGE_QUEUE_LENGTH'])")
    shown = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    assert shown == [queue]


def test_a_bad_image_concurrency_is_refused_by_the_app_by_name_not_by_the_config_file():
    env = {**os.environ, "IMAGE_CONCURRENCY": "two"}
    env.pop("IMAGE_QUEUE_LENGTH", None)
    probe = "import runpy; runpy.run_path('gunicorn.conf.py'); print('read')"
    shown = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert shown.stdout.split() == ["read"], shown.stderr
    with pytest.raises(ConfigError, match="IMAGE_CONCURRENCY must be a number"):
        load_config(str(ROOT), {"IMAGE_CONCURRENCY": "two", "SECRET_KEY": "x" * 40})
