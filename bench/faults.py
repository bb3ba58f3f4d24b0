"""Fault injection against gunicorn: fake providers that hang, reset connections, answer 500 or
429 with Retry-After, send malformed bodies or truncated images, while requests run.

Checks that no worker dies, nothing is charged without a result, and every client gets a
`{"detail"}` answer within the configured timeouts.

    .venv/bin/python bench/faults.py [--concurrency 6]
"""
from __future__ import annotations

import argparse
import socket
import sqlite3
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from server import running_service, worker_pids  # noqa: E402

from tests.fakes.fixtures import KEYS  # noqa: E402
from tests.fakes.server import png_bytes  # noqa: E402
from tests.fakes.stability import FakeStability  # noqa: E402

TIMEOUT, RETRIES = 2.0, 2
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
    ]


def main(concurrency: int) -> int:
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
            database = Path(service["instance"]) / "image_studio.db"
            with sqlite3.connect(database) as db:
                charged = db.execute("select count(*) from ledger where outcome='charged'").fetchone()[0]
                pending = db.execute("select count(*) from ledger where outcome='pending'").fetchone()[0]
                refunded = db.execute("select count(*) from ledger where outcome='refunded'").fetchone()[0]
    print(f"workers unchanged: {alive} ({sorted(workers_before)} -> {sorted(workers_after)})")
    print(f"images returned {successes}, ledger charged {charged}, refunded {refunded}, pending {pending}")
    failures += (not alive) + (charged != successes) + (pending != 0)
    print("RESULT:", "all checks passed" if failures == 0 else f"{failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=6)
    sys.exit(main(parser.parse_args().concurrency))
