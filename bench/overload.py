"""Overload against gunicorn with its production config: does the box stay up and bounded?

    .venv/bin/python bench/overload.py [--phases edit,create,zip] [--idle 30] [--env NAME=VALUE ...]

Phase 1: 100 concurrent 40 MP edits (a 131 KB, mostly flat 6320×6320 PNG, sandbox
remove_background); phase 2: 100 concurrent Creates of 10 variations at 4096² (sandbox);
phase 3: 20 concurrent ZIP downloads of 200 seeded ~2.8 MB assets. All the while /healthz is
polled every 200 ms and each worker's VmRSS sampled every 100 ms. Prints per phase and in
total: connection resets, worker deaths (worker pids that went away), 5xx other than 503 with
Retry-After, 503s, /healthz p50/p99, peak RSS per worker; then the RSS of each worker after
--idle seconds without traffic, and each figure against its target.
"""
from __future__ import annotations

import argparse
import base64
import io
import multiprocessing
import os
import queue
import statistics
import struct
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from server import running_service, status_mib, worker_pids  # noqa: E402

from app import create_app  # noqa: E402
from app.assets.service import store_result  # noqa: E402
from app.auth.service import find_user  # noqa: E402

EDITS, CREATES, ZIPS, ASSETS = 100, 100, 20, 200
CLIENT_TIMEOUT = 340  # past gunicorn's 330 s timeout: the server, not the client, gives up first
TARGETS = {"resets": 0, "deaths": 0, "bad 5xx": 0, "healthz p99 ms": 1000, "peak MiB": 700, "idle MiB": 300}


def flat_png(side: int = 6320) -> bytes:
    """Just under 40 MP, one colour with a small patch: 131 KB that decodes to 152 MiB."""
    image = Image.new("RGB", (side, side), (40, 120, 200))
    ImageDraw.Draw(image).rectangle((side // 3, side // 3, side // 3 + 64, side // 3 + 64), fill=(250, 200, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def noise_png() -> bytes:
    """An incompressible ~2.8 MB PNG: the issue's 200-asset ZIPs held 568 MB."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (980, 960), os.urandom(980 * 960 * 3)).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def numbered(png: bytes, number: int) -> bytes:
    """`png` with a text chunk naming `number` after its header: the same picture as distinct
    bytes, since the library stores identical bytes once."""
    text = b"tEXt" + b"Comment\x00copy %d" % number
    chunk = struct.pack(">I", len(text) - 4) + text + struct.pack(">I", zlib.crc32(text))
    return png[:33] + chunk + png[33:]   # 8-byte signature + the 25-byte IHDR chunk


class Sampler(threading.Thread):
    """VmRSS of every worker every 100 ms: the peak per worker pid, and every pid ever seen."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.peaks, self.seen, self.running = master, Counter(), set(), True

    def run(self) -> None:
        while self.running:
            for pid in worker_pids(self.master):
                self.seen.add(pid)
                self.peaks[pid] = max(self.peaks[pid], status_mib(pid, "VmRSS"))
            time.sleep(0.1)

    def take(self) -> Counter:
        """The peaks since the last call (a phase's peaks)."""
        peaks, self.peaks = self.peaks, Counter()
        return peaks


class Prober:
    """GET /healthz every 200 ms from a process of its own, so that the client threads of the
    load (and their GIL) never delay a probe; a probe that fails or times out counts as 10 s."""

    def __init__(self, base: str):
        self.samples: multiprocessing.Queue = multiprocessing.Queue()
        self.stop = multiprocessing.Event()
        self.process = multiprocessing.Process(target=probe, args=(base, self.samples, self.stop), daemon=True)

    def take(self) -> tuple[list[float], Counter]:
        """The probes since the last call: latencies (s) and why any failed."""
        latencies, failures = [], Counter()
        while True:
            try:
                latency, failure = self.samples.get_nowait()
            except queue.Empty:
                return latencies, failures
            latencies.append(latency)
            if failure:
                failures[failure] += 1


def probe(base: str, samples: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    """A new connection per probe, as a load balancer's checks: any worker may accept it."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status = requests.get(f"{base}/healthz", timeout=10, headers={"Connection": "close"}).status_code
            failure = None if status == 200 else str(status)
        except requests.RequestException as error:
            failure = type(error).__name__
        samples.put((10.0 if failure else time.perf_counter() - started, failure))
        stop.wait(max(0.0, 0.2 - (time.perf_counter() - started)))


def outcome(call: Callable[[], requests.Response]) -> str:
    """One request's outcome: 200, 503 (with Retry-After), the status, reset or timeout."""
    try:
        response = call()
    except requests.ConnectionError:
        return "reset"
    except requests.Timeout:
        return "timeout"
    if response.status_code == 503:
        return "503" if response.headers.get("Retry-After") else "503 without Retry-After"
    return str(response.status_code)


def post_json(url: str, headers: dict, body: dict) -> Callable[[], requests.Response]:
    return lambda: requests.post(url, json=body, headers=headers, timeout=CLIENT_TIMEOUT)


def download(url: str, headers: dict, body: dict) -> Callable[[], requests.Response]:
    """The whole ZIP read in 1 MiB chunks, as a browser would save it."""
    def call() -> requests.Response:
        with requests.post(url, json=body, headers=headers, timeout=CLIENT_TIMEOUT, stream=True) as response:
            for _ in response.iter_content(1024 * 1024):
                pass
        return response
    return call


def seed_assets(instance: str, count: int) -> list[str]:
    """Store `count` results straight through the asset service, as Create would."""
    app = create_app({"INSTANCE_PATH": instance})
    data = noise_png()
    with app.test_request_context():  # asset URLs are built as in a request
        user_id = find_user("bench@example.com").id
        return [store_result(user_id, studio="create", operation="generate", data=numbered(data, index),
                             mime_type="image/png", width=980, height=960, provider="sandbox",
                             model="sandbox").asset_id for index in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(name: str, outcomes: Counter, wall: float, probes: list[float], failed_probes: Counter,
           peaks: Counter) -> dict:
    bad = sum(n for status, n in outcomes.items() if status.startswith("5") and status != "503")
    figures = {"resets": outcomes["reset"], "bad 5xx": bad, "503": outcomes["503"],
               "healthz p50 ms": statistics.median(probes) * 1000 if probes else 0.0,
               "healthz p99 ms": percentile(probes, 0.99) * 1000, "peak MiB": max(peaks.values(), default=0.0)}
    print(f"{name}: {f'{wall:.1f} s, ' if wall else ''}outcomes {dict(sorted(outcomes.items()))}")
    print(f"  resets {figures['resets']}, 5xx other than 503+Retry-After {bad}, 503s {figures['503']}, "
          f"/healthz p50 {figures['healthz p50 ms']:.0f} ms p99 {figures['healthz p99 ms']:.0f} ms "
          f"({len(probes)} probes, failed: {dict(failed_probes)})")
    print(f"  peak RSS per worker (MiB): {[round(v) for _, v in sorted(peaks.items())]}")
    return figures


def main(phases: list[str], idle: float, extra_env: dict[str, str]) -> int:
    edit_body = {"image_base64": base64.b64encode(flat_png()).decode(), "operation": "remove_background",
                 "provider": "sandbox"}
    create_body = {"prompt": "a lighthouse at dusk", "provider": "sandbox", "num_variations": 10,
                   "width": 4096, "height": 4096}
    with running_service(extra_env) as service:
        base, headers = service["base"], {"Authorization": f"Bearer {service['token']}"}
        work = {
            "edit": (EDITS, post_json(f"{base}/api/image-studio/edit/process", headers, edit_body)),
            "create": (CREATES, post_json(f"{base}/api/image-studio/create", headers, create_body)),
        }
        if "zip" in phases:
            ids = seed_assets(service["instance"], ASSETS)
            work["zip"] = (ZIPS, download(f"{base}/api/image-studio/assets/zip", headers, {"ids": ids}))
        sampler, prober = Sampler(service["pid"]), Prober(base)
        first = set(worker_pids(service["pid"]))
        prober.process.start()  # forked before any client thread exists
        sampler.start()
        outcomes, probes, failed, peaks = Counter(), [], Counter(), Counter()
        for name in phases:
            count, call = work[name]
            sampler.take()
            prober.take()
            started = time.monotonic()
            with ThreadPoolExecutor(count) as pool:
                phase = Counter(pool.map(lambda _, call=call: outcome(call), range(count)))
            wall = time.monotonic() - started
            phase_probes, phase_failed = prober.take()
            phase_peaks = sampler.take()
            report(f"phase {name} ({count} concurrent)", phase, wall, phase_probes, phase_failed, phase_peaks)
            outcomes, failed, peaks = outcomes + phase, failed + phase_failed, peaks | phase_peaks
            probes += phase_probes
        prober.stop.set()
        time.sleep(idle)
        sampler.running = False
        idle_rss = {pid: status_mib(pid, "VmRSS") for pid in worker_pids(service["pid"])}
        high_water = {pid: status_mib(pid, "VmHWM") for pid in idle_rss}
        deaths = len((first | sampler.seen) - set(idle_rss))
    figures = report("all phases", outcomes, 0.0, probes, failed, peaks)
    figures.update({"deaths": deaths, "idle MiB": max(idle_rss.values(), default=0.0)})
    print(f"worker deaths {deaths} (pids {sorted(first)} -> {sorted(idle_rss)})")
    print(f"VmHWM per worker (MiB): {[round(v) for _, v in sorted(high_water.items())]}")
    print(f"idle RSS per worker {idle:.0f} s after (MiB): {[round(v) for _, v in sorted(idle_rss.items())]}")
    missed = [f"{name} {figures[name]:.0f} > {target}" for name, target in TARGETS.items() if figures[name] > target]
    print("RESULT:", "all targets met" if not missed else "missed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phases", default="edit,create,zip", help="comma-separated: edit, create, zip")
    parser.add_argument("--idle", type=float, default=30, help="seconds without traffic before the idle RSS")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra server environment, e.g. IMAGE_CONCURRENCY=1 (repeatable)")
    args = parser.parse_args()
    sys.exit(main(args.phases.split(","), args.idle, dict(item.split("=", 1) for item in args.env)))
