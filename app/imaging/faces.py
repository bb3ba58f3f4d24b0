"""Where the faces are: dlib's HOG face detector, whose model is compiled into the wheel.

Measured on this project's 2-core machine (bench/crop_quality.py prints it): on a 384 px
copy it takes 6–21 ms (15 ms typical) and finds faces from about a fifth of the picture's
long side up, looking ahead or to either side (its five filters: front, left, right and two tilts).
Smaller faces are left to the saliency map, which is where they matter least: a small face
sits inside any crop window's full height or width. The alternatives were measured too: in
opencv-python-headless 4.x a frontal cascade plus the Haar profile cascade both ways cost
43–126 ms on a 256 px astronaut, MediaPipe 1.x ships no model in its wheel, and the
BlazeFace and CenterFace ports that do need TensorFlow or a fixed-size ONNX graph.
"""
from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PIL import Image

from app.imaging.geometry import Box

DETECT_SIDE = 384
# dlib scores a true face 1.0–2.5 here; a mission patch or a knot in wood scores below 0.2.
MIN_SCORE = 0.3
# Building a detector costs more than a search, and dlib does not promise that two threads
# may share one: idle detectors wait here for the next search, on whichever thread it runs.
_idle: queue.SimpleQueue = queue.SimpleQueue()


def detect(image: Image.Image) -> list[Box]:
    """Face boxes (eyebrows to lips, cheek to cheek) in `image`'s pixels, best first.

    `image` may be any size: it is searched on a copy at most DETECT_SIDE px long.
    """
    grey = image.convert("L")
    scale = min(1.0, DETECT_SIDE / max(grey.size))
    if scale < 1:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    with _detector() as detector:
        rects, scores, _ = detector.run(np.asarray(grey), 0, 0.0)
    back_x, back_y = image.width / grey.width, image.height / grey.height
    found = sorted(zip(scores, rects, strict=True), key=lambda pair: -pair[0])
    return [(r.left() * back_x, r.top() * back_y, (r.right() + 1) * back_x, (r.bottom() + 1) * back_y)
            for score, r in found if score >= MIN_SCORE]


def warm() -> None:
    """Build a detector now, so that a worker's first request does not wait ~250 ms for it."""
    with _detector():
        pass


@contextmanager
def _detector() -> Iterator:
    """An idle detector, or a new one when all are busy; given back after the search."""
    try:
        detector = _idle.get_nowait()
    except queue.Empty:
        import dlib  # noqa: PLC0415 (2 MB of model tables, loaded on first use)
        detector = dlib.get_frontal_face_detector()
    try:
        yield detector
    finally:
        _idle.put(detector)
