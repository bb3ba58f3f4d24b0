"""Social Optimizer benchmark: the service path against a naive Pillow baseline, in one run.

Usage: .venv/bin/python bench/social.py [--runs 5] [--bicubic]
       .venv-simd/bin/python bench/social.py --stock-baseline .venv/bin/python   (make bench-simd)

Inputs are synthetic "photos" (gradients, textured rectangles, saturated discs, a skin-tone
face, noise) sized like the performance reference: a 12 MP q90 JPEG (~3.4 MB) and a 27 MP
q94 JPEG (~10 MB), cached in the temp directory. Both paths include base64 in and out.
Each scenario: 1 warm-up, then the median of --runs. Peak RSS is measured in a fresh
subprocess per path on the 27 MP input (ru_maxrss). The machine should be otherwise idle:
compare the speed-ups, which are measured in the same run, more than the milliseconds.
The first line names the Pillow build: pillow-simd speeds up the naive path's full-size
LANCZOS far more than the service path (which resizes little), so under it the same-build
ratio falls; --stock-baseline adds the ratio against naive on stock Pillow, in the same run.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: no BLAS spin threads
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import base64  # noqa: E402
import importlib.metadata  # noqa: E402
import io  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageOps  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.imaging import codec, geometry  # noqa: E402
from app.social.pipeline import Target, render_social  # noqa: E402

SIZES = [(1080, 1080), (1080, 1350), (1080, 1920), (1200, 630), (1200, 627), (1500, 500),
         (1600, 900)]
TARGETS = [Target("bench", f"{w}x{h}", w, h, "", {"top": .15, "bottom": .15, "left": .1,
                                                  "right": .1}, 5 * 1024 * 1024)
           for w, h in SIZES]
INPUTS = {"12MP": (4000, 3000, 90, 8.0), "27MP": (6000, 4500, 94, 7.0)}
SCENARIOS = [("12 MP JPEG -> 7 JPEG", "12MP", "jpeg"), ("27 MP JPEG -> 7 JPEG", "27MP", "jpeg"),
             ("12 MP JPEG -> 7 PNG", "12MP", "png")]
CACHE = Path(tempfile.gettempdir()) / "image-studio-bench"


def synthesise(width: int, height: int, quality: int, sigma: float) -> bytes:
    """A photo-like JPEG: worst case for PNG size because of the sensor-like noise."""
    rng = np.random.default_rng(width)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([80 + 100 * xx / width, 90 + 80 * yy / height,
                     160 - 60 * (xx + yy) / (width + height)], axis=-1)
    image = Image.fromarray(base.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    unit = width // 40
    for _ in range(60):
        x, y = rng.integers(0, width), rng.integers(0, height)
        w, h = rng.integers(unit, unit * 8, size=2)
        draw.rectangle((x, y, x + w, y + h), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    for _ in range(30):
        x, y, r = rng.integers(0, width), rng.integers(0, height), rng.integers(unit, unit * 3)
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=tuple(int(v) for v in rng.permutation([240, 30, int(rng.integers(0, 255))])))
    fx, fy, fr = int(width * 0.7), int(height * 0.4), unit * 3
    draw.ellipse((fx - fr, fy - int(fr * 1.3), fx + fr, fy + int(fr * 1.3)), fill=(224, 172, 140))
    pixels = np.asarray(image.filter(ImageFilter.BoxBlur(1)), dtype=np.float32)
    pixels += rng.normal(0, sigma, pixels.shape).astype(np.float32)
    out = io.BytesIO()
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(out, "JPEG", quality=quality)
    return out.getvalue()


def load_input(name: str) -> str:
    """Base64 text of a cached synthetic input (created on first use)."""
    width, height, quality, sigma = INPUTS[name]
    path = CACHE / f"photo{name}.jpg"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_bytes(synthesise(width, height, quality, sigma))
    return base64.b64encode(path.read_bytes()).decode("ascii")


def naive(payload: str, fmt: str) -> list[str]:
    """Decode, exif_transpose, convert, ImageOps.fit LANCZOS per format, default encoder."""
    image = Image.open(io.BytesIO(base64.b64decode(payload)))
    image = ImageOps.exif_transpose(image).convert("RGB")
    outputs = []
    for size in SIZES:
        buffer = io.BytesIO()
        fitted = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
        fitted.save(buffer, "JPEG" if fmt == "jpeg" else "PNG",
                    **({"quality": 85} if fmt == "jpeg" else {}))
        outputs.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    return outputs


def service(payload: str, fmt: str) -> list[str]:
    """The Social Optimizer path: codec decode, render_social (smart crop), data URLs."""
    data = codec.decode_base64(payload, max_bytes=10 * 1024 * 1024 + 1)
    renditions = render_social(data, TARGETS, crop_mode="smart", output_format=fmt)
    return [codec.data_url(r.data) for r in renditions]


def median_ms(func, payload: str, fmt: str, runs: int) -> float:
    func(payload, fmt)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func(payload, fmt)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def pillow_build() -> str:
    """Which Pillow runs: stock PyPI `pillow`, or the `pillow-simd` fork (AVX2/SSE4 resize)."""
    import PIL

    try:
        importlib.metadata.version("pillow-simd")
        kind = "pillow-simd"
    except importlib.metadata.PackageNotFoundError:
        kind = "stock Pillow"
    return f"{kind} {PIL.__version__}"


def child(task: str, *extra: str, python: str = sys.executable) -> str:
    """Run this script in a fresh interpreter: input preparation, one request's peak RSS, or
    the naive timings under another interpreter (--stock-baseline)."""
    return subprocess.run([python, __file__, "--child", task, *extra],
                          check=True, capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bicubic", action="store_true",
                        help="also time the service path with BICUBIC instead of LANCZOS")
    parser.add_argument("--stock-baseline", metavar="PYTHON",
                        help="also time the naive path under this interpreter (e.g. .venv/bin/python "
                             "with stock Pillow, when this one runs pillow-simd), in the same run")
    parser.add_argument("--child", choices=["prepare", "naive", "service", "naive-ms"],
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        for name in INPUTS:
            print(f"input {name}: {len(base64.b64decode(load_input(name))) / 1e6:.1f} MB JPEG")
        return
    if args.child == "naive-ms":
        print(pillow_build())
        for _, name, fmt in SCENARIOS:
            print(median_ms(naive, load_input(name), fmt, args.runs))
        return
    if args.child:
        {"naive": naive, "service": service}[args.child](load_input("27MP"), "jpeg")
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return
    # Children first, while this process is small: Linux carries the parent's peak RSS
    # into ru_maxrss across fork and exec.
    print(f"{pillow_build()}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(child("prepare"), end="")
    rss = {path: float(child(path)) for path in ("naive", "service")}
    if args.stock_baseline:
        build, *stock_ms = child("naive-ms", "--runs", str(args.runs),
                                 python=args.stock_baseline).splitlines()
        print(f"baseline: naive path under {build} ({args.stock_baseline}), same inputs")
    print(f"{'scenario':24} {'naive ms':>9} {'service ms':>11} {'speed-up':>9}"
          + (f" {'stock naive ms':>15} {'vs stock':>9}" if args.stock_baseline else ""))
    for index, (label, name, fmt) in enumerate(SCENARIOS):
        payload = load_input(name)
        slow = median_ms(naive, payload, fmt, args.runs)
        fast = median_ms(service, payload, fmt, args.runs)
        line = f"{label:24} {slow:9.0f} {fast:11.0f} {slow / fast:8.1f}x"
        if args.stock_baseline:
            stock = float(stock_ms[index])
            line += f" {stock:15.0f} {stock / fast:8.1f}x"
        if args.bicubic:
            geometry.RESAMPLE = Image.Resampling.BICUBIC
            cubic = median_ms(service, payload, fmt, args.runs)
            geometry.RESAMPLE = Image.Resampling.LANCZOS
            line += f"   bicubic {cubic:.0f} ms {slow / cubic:.1f}x"
        print(line)
    print(f"peak RSS, 27 MP JPEG -> 7 JPEG (fresh process): naive {rss['naive']:.0f} MiB, "
          f"service {rss['service']:.0f} MiB")


if __name__ == "__main__":
    main()
