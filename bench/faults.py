"""Fault injection against gunicorn, in two parts.

providers: fake providers that hang, reset connections, answer 500 or 429 with Retry-After,
send malformed bodies or truncated images, or stream a reply (200 or 503) without end, while
requests run. Checks that no worker dies,
nothing is charged without a result, and every client gets a `{"detail"}` answer within the
configured timeouts.

infra: the service on the real PostgreSQL (a schema of its own) with its rate limits on a
Redis server of its own, under a steady stream of priced creates, while that Redis is
stopped, then frozen (SIGSTOP: it accepts connections and never answers), PostgreSQL is
restarted, and a worker is killed with SIGKILL mid-call. Checks that no request hangs past
its bound, every failure is a `{"detail"}`, and after `flask sweep` no credit is lost or
charged twice and no file lacks its row (or a row its file).

    .venv/bin/python bench/faults.py [--part providers|infra|all] [--concurrency 6]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from server import BIN, ROOT, free_port, peak_rss_mib, running_service, worker_pids  # noqa: E402

from tests.fakes.fixtures import KEYS  # noqa: E402
from tests.fakes.server import Streamed, png_bytes  # noqa: E402
from tests.fakes.stability import FakeStability  # noqa: E402

TIMEOUT, RETRIES = 2.0, 2
ENDLESS = 4 << 30   # "without end": 4 GiB, far past MAX_PROVIDER_REPLY_MB (64)
# The longest a request may take: every attempt times out, plus backoff, plus margin.
DEADLINE = TIMEOUT * (RETRIES + 1) + 10


class ResettingServer:
    """Accepts TCP connections and resets them at once (SO_LINGER 0)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()


def scenarios(fake: FakeStability, n: int):
    truncated = png_bytes(512, 512)[:300]
    calls = n * (RETRIES + 1)
    return [
        ("hang past the timeout", "stability", lambda: fake.hang(TIMEOUT + 1.5, times=calls)),
        ("connection reset", "wavespeed", lambda: None),
        ("500 every time", "stability", lambda: fake.fail(times=calls, status=500)),
        ("429 with Retry-After", "stability", lambda: fake.fail(times=calls, status=429, retry_after=1)),
        ("malformed JSON body", "stability",
         lambda: fake.queue(calls, status=200, body=b"{not json", content_type="application/json")),
        ("truncated image", "stability",
         lambda: fake.queue(calls, status=200, body=truncated, content_type="image/png")),
        ("recovers after two 503s", "stability", lambda: fake.fail(times=2, status=503)),
        ("200 streamed without end", "stability",
         lambda: fake.queue(calls, status=200, body=Streamed(ENDLESS), content_type="image/png")),
        ("503 streamed without end", "stability",
         lambda: fake.queue(calls, status=503, body=Streamed(ENDLESS), content_type="application/json")),
    ]


def providers(concurrency: int) -> int:
    reset = ResettingServer()
    failures = 0
    with FakeStability(KEYS["stability"]) as fake:
        env = {"STABILITY_API_KEY": KEYS["stability"], "STABILITY_API_BASE": fake.url,
               "WAVESPEED_API_KEY": KEYS["wavespeed"], "WAVESPEED_API_BASE": reset.url,
               "PROVIDER_TIMEOUT": str(TIMEOUT), "PROVIDER_MAX_RETRIES": str(RETRIES),
               "PROVIDER_BACKOFF_FACTOR": "0.1", "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "8"}
        with running_service(env) as service:
            headers = {"Authorization": f"Bearer {service['token']}"}
            workers_before = set(worker_pids(service["pid"]))
            successes = 0
            for name, provider, arm in scenarios(fake, concurrency):
                arm()
                body = {"prompt": "a lighthouse", "provider": provider, "width": 512, "height": 512}

                def call(_, body=body):
                    started = time.monotonic()
                    try:
                        response = requests.post(f"{service['base']}/api/image-studio/create", json=body,
                                                 headers=headers, timeout=DEADLINE + 30)
                    except requests.RequestException as exc:
                        return 0, {"detail": f"client error {type(exc).__name__}"}, time.monotonic() - started
                    try:
                        payload = response.json()
                    except ValueError:
                        payload = {}
                    return response.status_code, payload, time.monotonic() - started

                with ThreadPoolExecutor(concurrency) as pool:
                    results = list(pool.map(call, range(concurrency)))
                fake.script.clear()
                ok = [r for r in results if r[0] == 200]
                successes += sum(p.get("total_generated", 0) for _, p, _ in ok)
                bad = [r for r in results if r[0] != 200 and not isinstance(r[1].get("detail"), str)]
                slow = [r for r in results if r[2] > DEADLINE]
                statuses = sorted({r[0] for r in results})
                worst = max(r[2] for r in results)
                verdict = "ok" if not bad and not slow else "FAIL"
                failures += verdict != "ok"
                detail = next((r[1].get("detail") for r in results if r[0] != 200), "")
                print(f"{verdict:4s} {name:26s} statuses {statuses} slowest {worst:5.1f} s  {detail[:70]}")
            workers_after = set(worker_pids(service["pid"]))
            alive = workers_before == workers_after
            peaks = [round(peak_rss_mib(pid)) for pid in sorted(workers_after)]
            database = Path(service["instance"]) / "image_studio.db"
            with sqlite3.connect(database) as db:
                charged = db.execute("select count(*) from ledger where outcome='charged'").fetchone()[0]
                pending = db.execute("select count(*) from ledger where outcome='pending'").fetchone()[0]
                refunded = db.execute("select count(*) from ledger where outcome='refunded'").fetchone()[0]
    print(f"workers unchanged: {alive} ({sorted(workers_before)} -> {sorted(workers_after)}); "
          f"their peak RSS {peaks} MiB")
    print(f"images returned {successes}, ledger charged {charged}, refunded {refunded}, pending {pending}")
    failures += (not alive) + (charged != successes) + (pending != 0)
    print("RESULT:", "all checks passed" if failures == 0 else f"{failures} check(s) failed")
    return 1 if failures else 0


POSTGRES_URL = os.environ.get("IMAGE_STUDIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# One create: a 1 s provider call (the fake's delay), its timeout and its retries, plus margin.
INFRA_BOUND = 20.0
PHASE_SECONDS = 6.0


class OwnRedis:
    """A redis-server of the benchmark's own, to stop, freeze and start again."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _postgres_restart() -> None:
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True,
                   capture_output=True, timeout=60)


def _stream(service: dict, seconds: float, clients: int) -> list[tuple[int, dict, float]]:
    """`clients` threads posting creates back to back for `seconds`."""
    headers = {"Authorization": f"Bearer {service['token']}"}
    body = {"prompt": "a lighthouse", "provider": "stability", "width": 512, "height": 512}
    results: list[tuple[int, dict, float]] = []
    stop_at = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                response = requests.post(f"{service['base']}/api/image-studio/create", json=body,
                                         headers=headers, timeout=INFRA_BOUND + 30)
                try:
                    payload = response.json()
                except ValueError:
                    payload = {}
                results.append((response.status_code, payload, time.monotonic() - started))
            except requests.RequestException as exc:
                results.append((0, {"detail": f"connection {type(exc).__name__}"}, time.monotonic() - started))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _storage_check(service: dict, sql) -> tuple[int, int]:
    """(files without a row, rows without a file)."""
    folder = Path(service["instance"]) / "assets"
    files = {path.stem for path in folder.rglob("*.*")} if folder.exists() else set()
    rows = {row[0] for row in sql("select id from assets")}
    return len(files - rows), len(rows - files)


def infra(concurrency: int) -> int:
    try:
        import sqlalchemy
        engine = sqlalchemy.create_engine(POSTGRES_URL, pool_pre_ping=True, connect_args={"connect_timeout": 3})
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # any driver error: say how to run this part
        print(f"SKIP infra: PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__})")
        return 0
    if not shutil.which("redis-server"):
        print("SKIP infra: redis-server is not installed")
        return 0
    redis_server = OwnRedis()
    redis_server.start()
    failures = 0
    database = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    png = png_bytes(512, 512)
    try:
        with FakeStability(KEYS["stability"]) as fake:
            fake.queue(100_000, status=200, body=png, content_type="image/png", delay=1.0)
            env = {"DATABASE_URL": database, "RATELIMIT_STORAGE_URI": redis_server.url,
                   "STABILITY_API_KEY": KEYS["stability"], "STABILITY_API_BASE": fake.url,
                   "PROVIDER_TIMEOUT": "5", "PROVIDER_MAX_RETRIES": "2", "IMAGE_STUDIO_ALLOW_SANDBOX": "0",
                   "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "8"}
            with running_service(env) as service:
                def kill_a_worker() -> None:
                    os.kill(worker_pids(service["pid"])[0], signal.SIGKILL)

                phases = [
                    ("Redis stopped", redis_server.stop, redis_server.start),
                    ("Redis frozen (never answers)", lambda: os.kill(redis_server.process.pid, signal.SIGSTOP),
                     lambda: os.kill(redis_server.process.pid, signal.SIGCONT)),
                    ("PostgreSQL restarted", _postgres_restart, lambda: None),
                    ("worker kill -9 mid-call", kill_a_worker, lambda: None),
                ]
                returned = lost = 0
                for name, fault, heal in phases:
                    timer = threading.Timer(1.5, fault)
                    timer.start()
                    results = _stream(service, PHASE_SECONDS, concurrency)
                    timer.join()
                    health = requests.get(f"{service['base']}/healthz", timeout=10).json()
                    heal()
                    time.sleep(1.0)
                    returned += sum(p.get("total_generated", 0) for status, p, _ in results if status == 200)
                    lost += sum(1 for status, _, _ in results if status == 0)
                    bad = [r for r in results if r[0] not in (200, 0) and not isinstance(r[1].get("detail"), str)]
                    slow = [r for r in results if r[2] > INFRA_BOUND]
                    counts = dict(sorted(Counter(r[0] for r in results).items()))
                    verdict = "ok" if not bad and not slow else "FAIL"
                    failures += verdict != "ok"
                    detail = next((r[1].get("detail") for r in results if r[0] not in (200,)), "") or ""
                    print(f"{verdict:4s} {name:30s} answers {counts} slowest {max(r[2] for r in results):5.1f} s "
                          f"(bound {INFRA_BOUND:g}) healthz ratelimit={health.get('ratelimit')}  {detail[:60]}")
                subprocess.run([str(BIN / "flask"), "--app", "wsgi", "sweep", "--older-than", "0"], cwd=ROOT,
                               env=service["env"], check=True, capture_output=True)
                balance = float(subprocess.run(
                    [str(BIN / "flask"), "--app", "wsgi", "credits", "show", "bench@example.com"], cwd=ROOT,
                    env=service["env"], check=True, capture_output=True, text=True).stdout)
                with engine.connect() as connection:
                    connection.execute(sqlalchemy.text(f'SET search_path TO "{schema}"'))

                    def sql(query):
                        return connection.execute(sqlalchemy.text(query)).fetchall()

                    outcomes = dict(sql("select outcome, count(*) from ledger group by outcome"))
                    charged_credits = sql("select coalesce(sum(credits), 0) from ledger where outcome='charged'")[0][0]
                    allowance = float(service["env"]["CREDITS_ENTERPRISE"])
                    orphan_files, missing_files = _storage_check(service, sql)
                    charged = outcomes.get("charged", 0)
                    uncharged_assets = sql("select count(*) from assets a where not exists "
                                           "(select 1 from ledger l where l.asset_id = a.id)")[0][0]
        print(f"images returned {returned} (+ {lost} answers lost with the killed worker); ledger {outcomes}")
        print(f"balance {balance:.0f} = allowance {allowance:.0f} - charged {charged_credits:g}: "
              f"{balance == allowance - charged_credits}")
        print(f"after the sweep: pending {outcomes.get('pending', 0)}, files without a row {orphan_files}, "
              f"rows without a file {missing_files}, assets without a charge {uncharged_assets}")
        checks = [outcomes.get("pending", 0) == 0, balance == allowance - charged_credits,
                  returned <= charged <= returned + lost, orphan_files == 0, missing_files == 0]
        failures += checks.count(False)
    finally:
        if redis_server.process.poll() is None:
            os.kill(redis_server.process.pid, signal.SIGCONT)
            redis_server.stop()
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    print("RESULT (infra):", "all checks passed" if failures == 0 else f"{failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=("providers", "infra", "all"), default="all")
    parser.add_argument("--concurrency", type=int, default=6)
    args = parser.parse_args()
    code = 0
    if args.part in ("providers", "all"):
        code |= providers(args.concurrency)
    if args.part in ("infra", "all"):
        code |= infra(args.concurrency)
    sys.exit(code)
