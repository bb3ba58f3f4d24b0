"""Content-aware crop windows: where is the interesting part of the picture?

The saliency map (edges, skin tones, saturation, and faces when a detector is importable)
is computed once per upload on a ≤256 px copy, in the spirit of smartcrop.js and libvips
`attention`. Each output aspect then costs one summed-area-table search (well under 1 ms),
so smart cropping seven formats adds about 10 ms instead of seconds on the full image.
Only elementwise numpy is used: no BLAS call, so no BLAS thread pool to contend with.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from PIL import Image

from app.imaging.geometry import Box, cover_box

ANALYSIS_SIDE = 256
FaceDetector = Callable[[np.ndarray], list[tuple[int, int, int, int]]]
_SKIN = np.array([0.78, 0.57, 0.44], dtype=np.float32)
_SKIN /= np.sqrt((_SKIN * _SKIN).sum())  # unit vector: skin likeness compares chromaticity
_WEIGHTS = {"edges": 0.6, "skin": 1.5, "saturation": 1.0, "faces": 3.0}
# Among equally good windows, prefer the centred one (a flat image is centre-cropped).
_CENTRE_PREFERENCE = 0.05


class Saliency:
    """A saliency map of one image, queried once per output aspect ratio."""

    def __init__(self, weights: np.ndarray, source_size: tuple[int, int]):
        self.weights = weights
        self.source_size = source_size
        height, width = weights.shape
        self._sat = np.zeros((height + 1, width + 1), dtype=np.float64)
        self._sat[1:, 1:] = weights.cumsum(0, dtype=np.float64).cumsum(1)

    def center_for(self, dst_w: int, dst_h: int) -> tuple[float, float]:
        """Centre, in source pixels, of the most salient window with the aspect dst_w:dst_h."""
        height, width = self.weights.shape
        left, top, right, bottom = cover_box(width, height, dst_w, dst_h)
        win_w = min(width, max(1, round(right - left)))
        win_h = min(height, max(1, round(bottom - top)))
        sat = self._sat
        sums = (sat[win_h:, win_w:] - sat[:height - win_h + 1, win_w:]
                - sat[win_h:, :width - win_w + 1] + sat[:height - win_h + 1, :width - win_w + 1])
        score = (sums + 1e-9) * _centre_prior(sums.shape)  # + 1e-9: an all-zero map still centres
        y, x = np.unravel_index(np.argmax(score), sums.shape)
        scale_x, scale_y = self.source_size[0] / width, self.source_size[1] / height
        return ((x + win_w / 2) * scale_x, (y + win_h / 2) * scale_y)

    def box_for(self, dst_w: int, dst_h: int) -> Box:
        """The crop window, in source pixels, for a dst_w×dst_h output."""
        return cover_box(*self.source_size, dst_w, dst_h, self.center_for(dst_w, dst_h))


def analyse(image: Image.Image) -> Saliency:
    """Build the saliency map of an RGB/RGBA image from a ≤256 px copy of it."""
    small = analysis_copy(image)
    rgb = np.asarray(small.convert("RGB"), dtype=np.float32) / 255.0
    weights = saliency_map(rgb)
    detector = face_detector()
    if detector is not None:
        weights += _WEIGHTS["faces"] * _face_mask(detector, rgb)
    if small.mode == "RGBA":
        weights *= np.asarray(small.getchannel("A"), dtype=np.float32) / 255.0
    return Saliency(weights, image.size)


def analysis_copy(image: Image.Image) -> Image.Image:
    """Downscale so the long side is at most ANALYSIS_SIDE (reduce, then bilinear)."""
    scale = ANALYSIS_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def saliency_map(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel interest in [0, ~3]: edge strength, skin likeness and vivid colour."""
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    lum = 0.299 * red + 0.587 * green + 0.114 * blue
    padded = np.pad(lum, 1, mode="edge")
    laplace = np.abs(4 * lum - padded[:-2, 1:-1] - padded[2:, 1:-1]
                     - padded[1:-1, :-2] - padded[1:-1, 2:])
    edges = np.clip(laplace * 4, 0, 1)

    norm = np.sqrt((rgb * rgb).sum(-1)) + 1e-6
    skin_distance = np.sqrt((((rgb / norm[..., None]) - _SKIN) ** 2).sum(-1))
    skin = np.clip((0.2 - skin_distance) / 0.2, 0, 1) * ((lum > 0.2) & (lum < 0.95))

    high, low = rgb.max(-1), rgb.min(-1)
    lightness = (high + low) / 2
    saturation = (high - low) / (1 - np.abs(2 * lightness - 1) + 1e-6)
    vivid = np.clip((saturation - 0.4) / 0.6, 0, 1) * ((lightness > 0.05) & (lightness < 0.9))

    return (_WEIGHTS["edges"] * edges + _WEIGHTS["skin"] * skin
            + _WEIGHTS["saturation"] * vivid).astype(np.float32)


def _centre_prior(shape: tuple[int, int]) -> np.ndarray:
    """Multiplier that falls from 1 (window centred) to 1 − preference (window at an edge)."""
    rows, cols = (np.abs(np.linspace(-1, 1, n)) if n > 1 else np.zeros(1) for n in shape)
    return 1 - _CENTRE_PREFERENCE * np.maximum(rows[:, None], cols[None, :])


def _face_mask(detector: FaceDetector, rgb: np.ndarray) -> np.ndarray:
    """1 inside each detected face box (grown upward for hair, as thumbor does), else 0."""
    grey = ((0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) * 255).astype(np.uint8)
    mask = np.zeros(grey.shape, dtype=np.float32)
    for x, y, w, h in detector(grey):
        mask[max(0, y - h // 4):y + h, x:x + w] = 1.0
    return mask


@functools.cache
def face_detector() -> FaceDetector | None:
    """OpenCV's Haar frontal-face detector when cv2 with its cascades is importable, else None.

    opencv-python(-headless) 5 ships no CascadeClassifier/cv2.data, so the boost is optional.
    """
    try:
        import cv2  # noqa: PLC0415 (optional dependency)
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_alt.xml")
    except (ImportError, AttributeError):
        return None
    if cascade.empty():
        return None

    def detect(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
        found = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=4, minSize=(12, 12))
        return [tuple(int(v) for v in face) for face in found]

    return detect
