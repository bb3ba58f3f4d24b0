"""Social Optimizer benchmark: the service through HTTP against libvips and naive Pillow, in one run.

Usage: .venv/bin/python bench/social.py [--runs 7] [--env NAME=VALUE ...]   (make bench; needs pyvips-binary)
       .venv-simd/bin/python bench/social.py --stock-baseline .venv/bin/python   (make bench-simd)

Inputs are synthetic "photos" (gradients, textured rectangles, saturated discs, a skin-tone
face, noise) sized like the performance reference: a 12 MP q90 JPEG (~3.4 MB) and a 27 MP
q94 JPEG (~10 MB), cached in the temp directory. Seven formats (the catalogue's Instagram
square, portrait and story, Facebook post, LinkedIn article, X header and post). Paths:
- naive: decode, exif_transpose, ImageOps.fit LANCZOS per format, default encoders;
- libvips: in-process, decoded once with shrink-on-load to the largest cover size, then per
  format `thumbnail_image` with `crop="attention"`, saved as JPEG q85 or PNG (pyvips-binary);
- pipeline: this project's render_social in-process (smart crop, face detector on);
- service: POST /social/optimize to gunicorn (one worker, so one request has both cores),
  with base64 in and data URLs out, results stored in the library as in production. Each
  timed request stores its seven results new: the round's results are deleted after it,
  untimed (an identical re-run would find them kept and write nothing). The service that
  takes turns with the other paths runs with IMAGE_MEMORY_LINGER=0, so each of its requests
  starts from rasters given back to the system, as one arriving after an idle spell does;
  "back to back" is a second service with the default linger (2 s), the median of --runs
  requests sent one after another (a client working through a batch); "as a job" is the
  same request as the Social page sends it (`Prefer: respond-async`, then the job polled
  until done), on that second service.
Each scenario: 1 warm-up per path, then the median of --runs rounds in which the paths take
turns (a slow spell of the shared machine falls on all of them). Peak RSS: the gunicorn worker's VmHWM
after one 27 MP request in a fresh service, and ru_maxrss of fresh processes for the others, each
beside what the process held before the work (its libraries and the input), so the work's own
memory is compared apart from what each path imports.
The first line names the Pillow build (--stock-baseline: naive on stock Pillow, same run).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: no BLAS spin threads
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import base64  # noqa: E402
import importlib.metadata  # noqa: E402
import io  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import orjson  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageOps  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import requests  # noqa: E402

from app.imaging import codec  # noqa: E402
from app.social.pipeline import Target, render_social  # noqa: E402
from bench.server import peak_rss_mib, running_service, status_mib, worker_pids  # noqa: E402

SIZES = [(1080, 1080), (1080, 1350), (1080, 1920), (1200, 630), (1200, 627), (1500, 500),
         (1200, 675)]
FORMATS = {"instagram": ["Feed Post (Square)", "Feed Post (Portrait)", "Story"], "facebook": ["Feed Post"],
           "linkedin": ["Article"], "twitter": ["Header", "Post"]}   # the same seven sizes
SERVICE_ENV = {"WEB_CONCURRENCY": "1", "MAX_IMAGE_MB": "20", "MAX_REQUEST_MB": "40"}
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


def vips(payload: str, fmt: str) -> list[str]:
    """libvips at its fastest of the ways measured: one decode with shrink-on-load to the
    largest cover size any format needs (`thumbnail_buffer`), then per format a
    `thumbnail_image` with `crop="attention"` (decoding once per format, or resizing then
    `smartcrop` on the full decode, were 1.2–2.7× slower here)."""
    import pyvips

    data = base64.b64decode(payload)
    probe = pyvips.Image.new_from_buffer(data, "")
    width, height = probe.width, probe.height
    scale = max(max(w / width, h / height) for w, h in SIZES)
    image = pyvips.Image.thumbnail_buffer(data, math.ceil(width * scale), height=math.ceil(height * scale),
                                          size="both").copy_memory()
    suffix = ".jpg[Q=85]" if fmt == "jpeg" else ".png"
    return [base64.b64encode(image.thumbnail_image(w, height=h, crop="attention").write_to_buffer(suffix))
            .decode("ascii") for w, h in SIZES]


def http_service(base: str, token: str, as_job: bool = False):
    """POST /social/optimize: the request a client sends, the data URLs it gets back. The
    client writes and reads its JSON with orjson, as the service does: the standard encoder
    would add 19 ms (12 MP) and 52 ms (27 MP) of the client's own time to every request.
    `as_job`: as the Social page asks, with `Prefer: respond-async`, then polling the job
    every 50 ms until it is done (bench/social_page.py times the page itself, its own polls)."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    stored: list[str] = []

    def call(payload: str, fmt: str) -> list[str]:
        response = session.post(f"{base}/api/image-studio/social/optimize", timeout=300, data=orjson.dumps({
            "image_base64": payload, "platforms": list(FORMATS), "format_names": FORMATS,
            "output_format": "jpg" if fmt == "jpeg" else "png"}), headers={"Prefer": "respond-async"} if as_job else {})
        response.raise_for_status()
        body = orjson.loads(response.content)
        while as_job and body.get("status") in ("queued", "running"):
            time.sleep(0.05)
            polled = session.get(f"{base}{response.json()['status_url']}", timeout=30)
            polled.raise_for_status()
            body = polled.json()
        results = (body["result"] if as_job else body)["results"]
        assert sorted((r["width"], r["height"]) for r in results) == sorted(SIZES)
        stored.extend(r["asset_id"] for r in results)
        return [r["image_base64"] for r in results]

    def tidy() -> None:
        while stored:
            session.delete(f"{base}/api/image-studio/assets/{stored.pop()}", timeout=30).raise_for_status()
    call.tidy = tidy
    return call


def service(payload: str, fmt: str) -> list[str]:
    """The Social Optimizer pipeline in-process: codec decode, render_social (smart crop), data URLs."""
    data = codec.decode_base64(payload, max_bytes=10 * 1024 * 1024 + 1)
    renditions = render_social(data, TARGETS, crop_mode="smart", output_format=fmt)
    return [codec.data_url(r.data) for r in renditions]


def median_ms(func, payload: str, fmt: str, runs: int) -> float:
    return interleaved_ms([func], payload, fmt, runs)[0]


def interleaved_ms(paths: list, payload: str, fmt: str, runs: int) -> list[float]:
    """Median ms of each path after a warm-up, the paths taking turns within every round: on a
    shared machine a slow spell then slows all of them, not only the one it falls on. The
    order rotates each round, so each path follows each other one equally often (one that
    runs after the naive path finds caches cold and memory freshly returned)."""
    for path in paths:
        path(payload, fmt)
        _tidy(path)
    times: list[list[float]] = [[] for _ in paths]
    for round_ in range(runs):
        turn = round_ % len(paths)
        for index in list(range(turn, len(paths))) + list(range(turn)):
            start = time.perf_counter()
            paths[index](payload, fmt)
            times[index].append((time.perf_counter() - start) * 1000)
            _tidy(paths[index])
    return [statistics.median(kept) for kept in times]


def _tidy(path) -> None:
    """Undo what a path kept (the service's stored results), outside its timing."""
    getattr(path, "tidy", lambda: None)()


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
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stock-baseline", metavar="PYTHON",
                        help="also time the naive path under this interpreter (e.g. .venv/bin/python "
                             "with stock Pillow, when this one runs pillow-simd), in the same run")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the services (e.g. GLIBC_TUNABLES=glibc.malloc.hugetlb=0)")
    parser.add_argument("--child", choices=["prepare", "naive", "service", "vips", "naive-ms"],
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
        if args.child == "vips":
            import pyvips  # noqa: F401  (its library is part of the baseline, not of the work)
        payload = load_input("27MP")
        before = status_mib(os.getpid(), "VmRSS")
        {"naive": naive, "service": service, "vips": vips}[args.child](payload, "jpeg")
        print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return
    # Children first, while this process is small: Linux carries the parent's peak RSS
    # into ru_maxrss across fork and exec.
    import pyvips

    print(f"{pillow_build()}, libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {args.runs}")
    print(child("prepare"), end="")
    rss = {path: tuple(map(float, child(path).split())) for path in ("naive", "vips", "service")}
    env = {**SERVICE_ENV, **dict(pair.split("=", 1) for pair in args.env)}
    if args.env:
        print("services' extra environment:", " ".join(args.env))
    with running_service(env) as server:
        (worker,) = worker_pids(server["pid"])
        idle = status_mib(worker, "VmRSS")
        http_service(server["base"], server["token"])(load_input("27MP"), "jpeg")
        rss["http"] = (idle, peak_rss_mib(worker))
    if args.stock_baseline:
        build, *stock_ms = child("naive-ms", "--runs", str(args.runs),
                                 python=args.stock_baseline).splitlines()
        print(f"baseline: naive path under {build} ({args.stock_baseline}), same inputs")
    print(f"{'scenario':24} {'naive':>7} {'libvips':>8} {'pipeline':>9} {'service HTTP':>13} "
          f"{'HTTP/libvips':>13} {'back to back':>13} {'as a job':>9}"
          + (f" {'stock naive':>12}" if args.stock_baseline else ""))
    with running_service({**env, "IMAGE_MEMORY_LINGER": "0"}) as cold, running_service(env) as warm:
        http = http_service(cold["base"], cold["token"])
        batch = http_service(warm["base"], warm["token"])
        page = http_service(warm["base"], warm["token"], as_job=True)
        for index, (label, name, fmt) in enumerate(SCENARIOS):
            payload = load_input(name)
            figures = interleaved_ms([naive, vips, service, http], payload, fmt, args.runs)
            in_a_row = median_ms(batch, payload, fmt, args.runs)
            as_job = median_ms(page, payload, fmt, args.runs)
            line = (f"{label:24} {figures[0]:7.0f} {figures[1]:8.0f} {figures[2]:9.0f} {figures[3]:13.0f} "
                    f"{figures[3] / figures[1]:12.2f}x {in_a_row:13.0f} {as_job:9.0f}")
            if args.stock_baseline:
                line += f" {float(stock_ms[index]):12.0f}"
            print(line)
    print("(ms)")
    print("peak RSS, 27 MP JPEG -> 7 JPEG (MiB): peak / before the work (libraries, input) / the work's own")
    for path, label in (("naive", "naive"), ("vips", "libvips"), ("service", "pipeline"),
                        ("http", "service worker (VmHWM after VmRSS idle, fresh gunicorn)")):
        before, peak = rss[path]
        print(f"  {label:24} {peak:5.0f} / {before:5.0f} / {peak - before:5.0f}")

if __name__ == "__main__":
    main()
