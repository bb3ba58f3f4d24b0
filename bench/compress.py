"""Compress benchmark: the service through HTTP against Pillow and libvips in-process, in one run.

Usage: .venv/bin/python bench/compress.py [--runs 5]      (make bench-compress)

Input: a real photograph (scikit-image's chelsea) enlarged to 12 MP with sensor-like noise,
as a q92 JPEG (~5 MB), cached in the temp directory. Work, the same for the three:
  - "JPEG <= 200 KB": bytes in, the highest-quality progressive, Huffman-optimised JPEG that
    fits 200 KB out. Pillow and libvips search by plain bisection over quality 1..100 (what
    a hand-written loop does); the service by its bounded search (app/imaging/compression.py).
  - "WebP q80": bytes in, a WebP at quality 80 out (libwebp's default effort in all three).
Each in-process path decodes the JPEG once per run. The service runs under gunicorn with
the production config (bench/server.py): each request carries the photo as base64 JSON,
and the time is the whole round trip, the base64 answer decoded. Median of --runs after one
warm-up. Needs pyvips-binary (`make bench-compress` installs the bench extra).
Last, in a fresh service, one `POST /compress/batch` of --batch copies of the photo to WebP
q80: the busiest worker's RSS, sampled every 20 ms while it runs (median), and its peak.
"""
from __future__ import annotations

import argparse
import base64
import io
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import requests
import skimage.data
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.server import peak_rss_mib, running_service, status_mib, worker_pids  # noqa: E402

TARGET = 200 * 1024
CACHE = Path(tempfile.gettempdir()) / "image-studio-bench"


def photo_12mp() -> bytes:
    path = CACHE / "chelsea-12mp.jpg"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        image = Image.fromarray(skimage.data.chelsea())
        image = image.resize((4243, 2828), Image.Resampling.LANCZOS)
        noise = np.random.default_rng(12).normal(0, 3, (image.height, image.width, 3))
        pixels = (np.asarray(image, dtype=np.float32) + noise).clip(0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(path, "JPEG", quality=92)
    return path.read_bytes()


def bisect(encode: Callable[[int], bytes]) -> tuple[bytes, int, int]:
    """The highest quality whose file fits TARGET: (file, quality, encodes)."""
    low, high, best, encodes = 1, 100, None, 0
    while low <= high:
        quality = (low + high) // 2
        data = encode(quality)
        encodes += 1
        if len(data) <= TARGET:
            best, low = (data, quality), quality + 1
        else:
            high = quality - 1
    return best[0], best[1], encodes


def pillow_jpeg(source: bytes) -> tuple[bytes, int, int]:
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(source))).convert("RGB")

    def encode(quality: int) -> bytes:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, progressive=True, optimize=True)
        return out.getvalue()
    return bisect(encode)


def pillow_webp(source: bytes) -> tuple[bytes, int, int]:
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(source))).convert("RGB")
    out = io.BytesIO()
    image.save(out, "WEBP", quality=80)
    return out.getvalue(), 80, 1


def vips_jpeg(source: bytes) -> tuple[bytes, int, int]:
    import pyvips
    image = pyvips.Image.new_from_buffer(source, "").autorot().copy_memory()   # decode once
    return bisect(lambda q: image.jpegsave_buffer(Q=q, optimize_coding=True, interlace=True, keep="none"))


def vips_webp(source: bytes) -> tuple[bytes, int, int]:
    import pyvips
    image = pyvips.Image.new_from_buffer(source, "").autorot()
    return image.webpsave_buffer(Q=80, keep="none"), 80, 1


def service(base: str, token: str) -> Callable[[bytes, dict], tuple[bytes, int, int]]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    bodies: dict[int, str] = {}

    def call(source: bytes, options: dict) -> tuple[bytes, int, int]:
        key = id(source)
        if key not in bodies:
            bodies[key] = base64.b64encode(source).decode("ascii")
        response = session.post(f"{base}/api/image-studio/compress", json={"image_base64": bodies[key], **options},
                                timeout=120)
        response.raise_for_status()
        body = response.json()
        data = base64.b64decode(body["image_base64"].split(",", 1)[1])
        return data, body["quality_used"], body["metadata"]["encodes"]
    return call


def median_ms(work: Callable[[], tuple[bytes, int, int]], runs: int) -> tuple[float, tuple[bytes, int, int]]:
    result = work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def estimate_of(server: dict, source: bytes, fmt: str, quality: int | None) -> None:
    """One line: the estimate against the real compressed size, and the estimate's time."""
    headers = {"Authorization": f"Bearer {server['token']}"}
    body = {"image_base64": base64.b64encode(source).decode("ascii"), "format": fmt, "quality": quality or 85}
    start = time.perf_counter()
    estimate = requests.post(f"{server['base']}/api/image-studio/compress/estimate", json=body, headers=headers,
                             timeout=300).json()
    elapsed = (time.perf_counter() - start) * 1000
    actual = requests.post(f"{server['base']}/api/image-studio/compress", json=body, headers=headers,
                           timeout=300).json()["compressed_size_kb"]
    error = 100 * (estimate["estimated_size_kb"] - actual) / actual
    label = f"  {fmt}" + (f" q{quality}" if quality else " (lossless)")
    print(f"{label:38} {estimate['estimated_size_kb']:8.0f}KB {actual:8.0f}KB {error:+6.1f}% {elapsed:6.0f}ms")


def batch_memory(source: bytes, copies: int) -> None:
    """RSS of the busiest worker while one batch runs: what a batch holds as it goes."""
    text = base64.b64encode(source).decode()
    body = {"images": [{"image_base64": text, "format": "webp", "quality": 80}] * copies}
    with running_service(tier="enterprise") as server:
        workers = worker_pids(server["pid"])
        idle = max(status_mib(pid, "VmRSS") for pid in workers)
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                samples.append(max(status_mib(pid, "VmRSS") for pid in workers))

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        try:
            answer = requests.post(f"{server['base']}/api/image-studio/compress/batch", json=body, timeout=900,
                                   headers={"Authorization": f"Bearer {server['token']}"})
        finally:
            done.set()
            sampler.join()
        answer.raise_for_status()
        print(f"batch of {copies} (base64 {copies * len(text) / 2**20:.0f} MiB) -> WebP q80: "
              f"{answer.json()['successful']} made in {time.perf_counter() - started:.1f} s; worker RSS "
              f"idle {idle:.0f}, while running median {statistics.median(samples):.0f}, peak (VmHWM) "
              f"{max(peak_rss_mib(pid) for pid in workers):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20, help="copies in the batch memory run (1-20)")
    args = parser.parse_args()
    import pyvips

    source = photo_12mp()
    width, height = Image.open(io.BytesIO(source)).size
    print(f"input: chelsea enlarged to {width}x{height} ({width * height / 1e6:.1f} MP), "
          f"q92 JPEG {len(source) / 1e6:.2f} MB; Pillow {Image.__version__}, libvips "
          f"{pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}; median of {args.runs}")
    with running_service(tier="enterprise") as server:
        http = service(server["base"], server["token"])
        rows = [("12 MP -> JPEG <= 200 KB", lambda: pillow_jpeg(source), lambda: vips_jpeg(source),
                 lambda: http(source, {"format": "jpeg", "target_size_kb": 200})),
                ("12 MP -> WebP q80", lambda: pillow_webp(source), lambda: vips_webp(source),
                 lambda: http(source, {"format": "webp", "quality": 80}))]
        print(f"{'work':26} {'Pillow':>16} {'libvips':>16} {'service (HTTP)':>18} {'service/faster':>15}")
        for name, pillow, vips, ours in rows:
            figures = [median_ms(work, args.runs) for work in (pillow, vips, ours)]
            cells = [f"{ms:7.0f} ms {len(data) // 1024:4d}K q{q}/{n}" for ms, (data, q, n) in figures]
            ratio = figures[2][0] / min(figures[0][0], figures[1][0])
            print(f"{name:26} {cells[0]:>16} {cells[1]:>16} {cells[2]:>18} {ratio:14.2f}x")
        print("cells: median time, output size, quality/encodes")
        print(f"{'estimate (POST /compress/estimate)':38} {'estimated':>10} {'actual':>10} {'error':>7} {'time':>8}")
        for fmt, quality in (("jpeg", 85), ("webp", 80), ("png", None), ("avif", 60)):
            estimate_of(server, source, fmt, quality)
    batch_memory(source, args.batch)


if __name__ == "__main__":
    main()
