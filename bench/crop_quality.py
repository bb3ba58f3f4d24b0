"""Crop-quality benchmark: how much of each labelled subject survives the crop, side by side.

Usage: .venv/bin/python bench/crop_quality.py [--runs 5]      (make bench-crop)

For every case of the crop-quality set (tests/imaging/crop_cases.py: scikit-image's bundled
photographs, hand-labelled) it prints the share of each subject kept by this project's smart
crop, by a centre crop and by libvips `smartcrop` with `attention` (pyvips-binary, the
engine of imgproxy and sharp), and whether the case passes (faces ≥ 95%, whole subjects ≥
95% of what the window can hold). Then the cost on this machine: the face detector on the
384 px copy and the whole analysis, for the set's pictures and for a 12 MP photograph.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.imaging import faces, geometry, saliency  # noqa: E402
from app.imaging.geometry import Box  # noqa: E402
from tests.imaging.crop_cases import CASES  # noqa: E402
from tests.photos import large  # noqa: E402


def vips_window(image, size: tuple[int, int]) -> Box:
    """The window libvips attention keeps, read back from the crop's offsets."""
    import pyvips

    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    left, top, right, bottom = geometry.cover_box(*image.size, *size)
    width, height = round(right - left), round(bottom - top)
    crop = pyvips.Image.new_from_buffer(buffer.getvalue(), "").smartcrop(width, height, interesting="attention")
    x, y = -crop.get("xoffset"), -crop.get("yoffset")
    return (x, y, x + width, y + height)


def median_ms(work: Callable[[], object], runs: int) -> float:
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    croppers = {
        "this project": lambda image, size: saliency.analyse(image).box_for(*size),
        "centre": lambda image, size: geometry.cover_box(*image.size, *size),
        "libvips attention": vips_window,
    }
    print(f"{'case':26} {'size':>9}  " + "  ".join(f"{name:>20}" for name in croppers))
    passed = dict.fromkeys(croppers, 0)
    for case in CASES:
        image = case.image()
        cells = []
        for name, crop in croppers.items():
            window = crop(image, case.size)
            ok = case.passes(window)
            passed[name] += ok
            shares = "/".join(f"{share:.0%}" for share in case.shares(window))
            cells.append(f"{shares} {'pass' if ok else 'FAIL'}")
        print(f"{case.name:26} {case.size[0]:>4}×{case.size[1]:<4}  " + "  ".join(f"{cell:>20}" for cell in cells))
    print(f"{'cases passed':37}" + "  ".join(f"{f'{count} of {len(CASES)}':>20}" for count in passed.values()))

    print(f"\ncost, median of {args.runs} (ms)       face detector   whole analysis")
    pictures = [(case.name, case.image()) for case in CASES]
    pictures.append(("12 MP astronaut (4000×4000)", large("astronaut", 12_000_000)))
    detector_worst = 0.0
    for name, image in pictures:
        copy = saliency.reduced(image, faces.DETECT_SIDE)
        detector = median_ms(lambda copy=copy: faces.detect(copy), args.runs)
        analysis = median_ms(lambda image=image: saliency.analyse(image), args.runs)
        detector_worst = max(detector_worst, detector)
        print(f"{name:32} {detector:14.1f} {analysis:16.1f}")
    print(f"face detector, slowest picture: {detector_worst:.1f} ms (budget 20 ms)")


if __name__ == "__main__":
    main()
