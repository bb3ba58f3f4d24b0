"""Content-aware crop windows: faces first, then the most interesting place.

One analysis per upload, on small copies (faces on ≤ 384 px, the saliency map on ≤ 256 px);
each output aspect then costs a 1-D search, since a cover window always spans the whole
width or the whole height and only slides along the other side.

The window's score at each position is, in order of weight:
- faces (`faces.detect`): +2 for each face wholly inside with head room (or, when that does
  not fit, brows to chin), −1 for each face cut, 0 for a face left out. So the window
  never splits a face, and of two people who do not both fit it keeps one whole.
- the most interesting place, as libvips `attention` finds it: the map blurred at a
  quarter of the window's size, read at the window's centre. A wide textured area (a
  suit, grass, a tower's lattice) spreads out; a compact subject keeps its peak.
- the window's total interest (30%), so a subject is kept whole rather than its best part
  centred, and a slight preference for the centre.
The map is edges, skin tones and vivid colour, where colour counts only near detail: a
blurred backdrop has the subject's colours but not its sharpness. Only elementwise numpy:
no BLAS call, so no BLAS thread pool to contend with.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image

from app.imaging import faces
from app.imaging.geometry import Box, cover_box

ANALYSIS_SIDE = 256
Detector = Callable[[Image.Image], list[Box]]
_SKIN = np.array([0.78, 0.57, 0.44], dtype=np.float32)
_SKIN /= np.sqrt((_SKIN * _SKIN).sum())  # unit vector: skin likeness compares chromaticity
_WEIGHTS = {"edges": 1.0, "skin": 1.5, "saturation": 0.6}
_DETAIL_GATE = 0.7          # colour far from any detail keeps 30% of its weight
_DETAIL_RADIUS = 0.03       # "near", as a share of the analysis copy's long side
_PLACE_SPREAD = 0.25        # σ of the place search, as a share of the window
_TOTAL_SHARE = 0.3          # weight of the window's total interest against the place
_CENTRE_PREFERENCE = 0.12   # score lost by a window at the very edge
_FACE_WHOLE, _FACE_SPLIT = 2.0, -1.0
# A face box (brows to lips) grown to the whole head: hair above, chin below, ears aside.
_HEAD_ROOM = {"vertical": ((0.4, 0.25), (0.02, 0.12)), "horizontal": ((0.15, 0.15), (0.0, 0.0))}


class Saliency:
    """What one image shows and where: queried once per output aspect ratio."""

    def __init__(self, weights: np.ndarray, source_size: tuple[int, int], face_boxes: Sequence[Box] = ()):
        self.weights = weights
        self.source_size = source_size
        self.faces = list(face_boxes)   # in source pixels

    def scaled_to(self, size: tuple[int, int]) -> Saliency:
        """The same analysis for the same picture at another size (a larger decode of it)."""
        across, down = size[0] / self.source_size[0], size[1] / self.source_size[1]
        return Saliency(self.weights, size, [_scaled(box, across, down) for box in self.faces])

    def box_for(self, dst_w: int, dst_h: int) -> Box:
        """The crop window, in source pixels, for a dst_w×dst_h output."""
        width, height = self.source_size
        left, top, right, bottom = cover_box(width, height, dst_w, dst_h)
        along_x = right - left < width - 0.5
        length, window = (width, right - left) if along_x else (height, bottom - top)
        start = self._best_start(along_x, length, window)
        return (start, 0.0, start + window, float(height)) if along_x else (0.0, start, float(width), start + window)

    def center_for(self, dst_w: int, dst_h: int) -> tuple[float, float]:
        """Centre, in source pixels, of the crop window for a dst_w×dst_h output."""
        left, top, right, bottom = self.box_for(dst_w, dst_h)
        return ((left + right) / 2, (top + bottom) / 2)

    def _best_start(self, along_x: bool, length: float, window: float) -> float:
        """Where the window starts along its sliding side, in source pixels."""
        slack = length - window
        if slack < 1:
            return 0.0
        profile = self.weights.sum(axis=0 if along_x else 1).astype(np.float64)
        to_map = len(profile) / length
        starts = np.linspace(0.0, slack, min(len(profile), int(slack)) + 1)
        score = (_TOTAL_SHARE * _normalised(_window_sums(profile, starts * to_map, window * to_map))
                 + (1 - _TOTAL_SHARE) * _normalised(_place_scores(profile, starts * to_map, window * to_map)))
        for box in self.faces:
            score += face_scores(box, along_x, starts, window)
        score -= _CENTRE_PREFERENCE * np.abs(np.linspace(-1.0, 1.0, len(starts)))
        return float(starts[int(np.argmax(score))])


def face_scores(box: Box, along_x: bool, starts: np.ndarray, window: float) -> np.ndarray:
    """Per window start: _FACE_WHOLE if the face is inside with as much head room as fits,
    0 if it is left out, and less than 0 if the window cuts it."""
    left, top, right, bottom = box
    low, high = (left, right) if along_x else (top, bottom)
    size = high - low
    extents = [(low - before * size, high + after * size)
               for before, after in _HEAD_ROOM["horizontal" if along_x else "vertical"]]
    low, high = next(((a, b) for a, b in extents if b - a <= window), extents[-1])
    if high - low > window:   # not even brows to chin fit: keep its middle
        middle = (low + high) / 2
        low, high = middle - window / 2, middle + window / 2
    inside = np.clip(np.minimum(starts + window, high) - np.maximum(starts, low), 0, None) / (high - low)
    return np.where(inside >= 0.97, _FACE_WHOLE, np.where(inside <= 0.03, 0.0, _FACE_SPLIT + 0.1 * inside))


def analyse(image: Image.Image, detect: Detector | None = faces.detect) -> Saliency:
    """Find the faces (on a ≤ 384 px copy) and build the saliency map (on ≤ 256 px) of an
    RGB/RGBA image; `detect=None` skips the faces."""
    detection = reduced(image, faces.DETECT_SIDE)
    found = [_scaled(box, image.width / detection.width, image.height / detection.height)
             for box in detect(detection)] if detect is not None else []
    small = reduced(detection, ANALYSIS_SIDE)
    weights = saliency_map(np.asarray(small.convert("RGB"), dtype=np.float32) / 255.0)
    if small.mode == "RGBA":
        weights *= np.asarray(small.getchannel("A"), dtype=np.float32) / 255.0
    return Saliency(weights, image.size, found)


def reduced(image: Image.Image, side: int) -> Image.Image:
    """Downscale so the long side is at most `side` (reduce, then bilinear)."""
    scale = side / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def saliency_map(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel interest: edge strength, plus skin likeness and vivid colour near detail.

    Channels are combined one by one (a reduction over a last axis of 3 is slow in numpy).
    """
    red, green, blue = (np.ascontiguousarray(rgb[..., channel]) for channel in range(3))
    lum = 0.299 * red + 0.587 * green + 0.114 * blue
    padded = np.pad(lum, 1, mode="edge")
    edges = np.clip(3 * np.hypot(padded[1:-1, 2:] - padded[1:-1, :-2], padded[2:, 1:-1] - padded[:-2, 1:-1]), 0, 1)

    norm = np.sqrt(red * red + green * green + blue * blue) + 1e-6
    skin_r, skin_g, skin_b = _SKIN
    skin_distance = np.sqrt((red / norm - skin_r) ** 2 + (green / norm - skin_g) ** 2 + (blue / norm - skin_b) ** 2)
    skin = np.clip((0.2 - skin_distance) / 0.2, 0, 1) * ((lum > 0.2) & (lum < 0.95))

    high, low = np.maximum(np.maximum(red, green), blue), np.minimum(np.minimum(red, green), blue)
    lightness = (high + low) / 2
    saturation = (high - low) / (1 - np.abs(2 * lightness - 1) + 1e-6)
    vivid = np.clip((saturation - 0.4) / 0.6, 0, 1) * ((lightness > 0.05) & (lightness < 0.9))

    detail = detail_density(edges, _DETAIL_RADIUS * max(lum.shape))
    near_detail = (1 - _DETAIL_GATE) + _DETAIL_GATE * detail / (detail.max() + 1e-6)
    return (_WEIGHTS["edges"] * edges
            + (_WEIGHTS["skin"] * skin + _WEIGHTS["saturation"] * vivid) * near_detail).astype(np.float32)


def detail_density(edges: np.ndarray, radius: float, cell: int = 4) -> np.ndarray:
    """Edge strength averaged over about `radius` px: a low-frequency map, so it is computed
    on 4×4 cell means (three box blurs of running sums) and repeated back to full size."""
    height, width = edges.shape
    rows, cols = -(-height // cell), -(-width // cell)
    padded = np.pad(edges, ((0, rows * cell - height), (0, cols * cell - width)), mode="edge")
    values = padded.reshape(rows, cell, cols, cell).mean(axis=(1, 3), dtype=np.float64)
    reach = max(1, round(0.9 * radius / cell))
    for _ in range(3):
        for axis in (0, 1):
            moved = np.moveaxis(values, axis, 0)
            padded = np.concatenate([np.repeat(moved[:1], reach + 1, 0), moved, np.repeat(moved[-1:], reach, 0)])
            sums = np.cumsum(padded, 0)
            values = np.moveaxis((sums[2 * reach + 1:] - sums[:-2 * reach - 1]) / (2 * reach + 1), 0, axis)
    return np.repeat(np.repeat(values, cell, 0), cell, 1)[:height, :width].astype(np.float32)


def _window_sums(profile: np.ndarray, starts: np.ndarray, window: float) -> np.ndarray:
    sums = np.concatenate([[0.0], np.cumsum(profile)])
    positions = np.arange(len(sums), dtype=np.float64)
    return np.interp(starts + window, positions, sums) - np.interp(starts, positions, sums)


def _place_scores(profile: np.ndarray, starts: np.ndarray, window: float) -> np.ndarray:
    sigma = max(0.5, _PLACE_SPREAD * window)
    reach = int(3 * sigma)
    offsets = np.arange(-reach, reach + 1)
    kernel = np.exp(-offsets * offsets / (2 * sigma * sigma))
    blurred = np.convolve(np.pad(profile, reach), kernel / kernel.sum(), mode="valid")
    return np.interp(starts + window / 2 - 0.5, np.arange(len(blurred), dtype=np.float64), blurred)


def _normalised(values: np.ndarray) -> np.ndarray:
    return values / (values.max() + 1e-9)


def _scaled(box: Box, scale_x: float, scale_y: float) -> Box:
    return (box[0] * scale_x, box[1] * scale_y, box[2] * scale_x, box[3] * scale_y)
