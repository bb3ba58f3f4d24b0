"""Start the real service under gunicorn on a loopback port for the load and fault benchmarks."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def status_mib(pid: int, field: str) -> float:
    """A memory line of /proc/<pid>/status in MiB (VmRSS: now, VmHWM: the peak); 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the process's peak resident set size."""
    return status_mib(pid, "VmHWM")


@contextlib.contextmanager
def running_service(extra_env: dict[str, str] | None = None, tier: str = "enterprise") -> Iterator[dict]:
    """gunicorn with the production config, a fresh instance folder, one account and its token."""
    instance = tempfile.mkdtemp(prefix="image-studio-bench-")
    port = free_port()
    env = {**os.environ, "IMAGE_STUDIO_INSTANCE_PATH": instance, "HOST": "127.0.0.1", "PORT": str(port),
           "LOG_LEVEL": "WARNING", "RATELIMIT_ENTERPRISE": "1000000 per minute",
           "CREDITS_ENTERPRISE": "100000000", **(extra_env or {})}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "users", "create", "bench@example.com", "--password", PASSWORD, "--tier", tier],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    token = subprocess.run([*flask, "tokens", "issue", "bench@example.com", "--expires-in", "7200"], cwd=ROOT,
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    log = open(Path(instance) / "gunicorn.log", "wb")
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        server.kill()
        raise RuntimeError("gunicorn did not start; see " + str(Path(instance) / "gunicorn.log"))
    try:
        yield {"base": base, "token": token, "pid": server.pid, "instance": instance, "env": env}
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
