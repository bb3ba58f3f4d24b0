"""Bounded load against gunicorn with its production config: catalogue reads, sandbox creates
and social optimizations, mixed. Prints requests/s, p50/p99 latency, errors and worker memory.

    .venv/bin/python bench/load.py [--duration 60] [--clients 8]
"""
from __future__ import annotations

import argparse
import base64
import io
import random
import statistics
import threading
import time
from collections import Counter

import requests
from PIL import Image
from server import peak_rss_mib, running_service, worker_pids


def _photo_b64() -> str:
    image = Image.effect_noise((1600, 1200), 40).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return base64.b64encode(buffer.getvalue()).decode()


def mix(photo: str) -> list[tuple[str, str, str, dict | None]]:
    """(name, method, path, body) with weights by repetition: reads dominate, as in real use."""
    read = [("templates", "GET", "/api/image-studio/templates?platform=instagram", None),
            ("search", "GET", "/api/image-studio/templates/search?query=linkedin+banner", None),
            ("specs", "GET", "/api/image-studio/platform-specs/twitter", None),
            ("providers", "GET", "/api/image-studio/providers", None)]
    create = ("create", "POST", "/api/image-studio/create",
              {"prompt": "a lighthouse at dusk", "provider": "sandbox", "width": 512, "height": 512})
    social = ("social", "POST", "/api/image-studio/social/optimize",
              {"image_base64": photo, "platforms": ["instagram", "twitter"], "output_format": "jpg"})
    return read * 4 + [create] * 3 + [social]


def run(duration: float, clients: int) -> None:
    photo = _photo_b64()
    with running_service() as service:
        headers = {"Authorization": f"Bearer {service['token']}"}
        requests_mix = mix(photo)
        latencies: dict[str, list[float]] = {}
        statuses: Counter = Counter()
        lock = threading.Lock()
        stop = time.monotonic() + duration

        def client(seed: int) -> None:
            rng = random.Random(seed)
            session = requests.Session()
            while time.monotonic() < stop:
                name, method, path, body = rng.choice(requests_mix)
                started = time.perf_counter()
                try:
                    response = session.request(method, service["base"] + path, json=body, headers=headers,
                                               timeout=120)
                    status = response.status_code
                except requests.RequestException:
                    status = 599
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.setdefault(name, []).append(elapsed)
                    statuses[status] += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        workers = worker_pids(service["pid"])
        memory = [round(peak_rss_mib(pid), 1) for pid in workers]
    everything = sorted(v for values in latencies.values() for v in values)
    total = len(everything)
    print(f"duration {wall:.1f} s, {clients} clients, {total} requests, {total / wall:.1f} requests/s")
    print(f"latency p50 {statistics.median(everything) * 1000:.1f} ms, "
          f"p99 {everything[int(0.99 * (total - 1))] * 1000:.1f} ms")
    for name, values in sorted(latencies.items()):
        values.sort()
        print(f"  {name:10s} n={len(values):5d} p50 {statistics.median(values) * 1000:8.1f} ms "
              f"p99 {values[int(0.99 * (len(values) - 1))] * 1000:8.1f} ms")
    errors = sum(count for status, count in statuses.items() if status >= 500)
    print(f"status codes {dict(sorted(statuses.items()))}; 5xx errors: {errors}")
    print(f"peak RSS per worker (MiB): {memory}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    run(args.duration, args.clients)
