"""Encoding under a byte cap: lower JPEG quality or compress PNG harder, never resize.

A platform refuses files over its limit, and a smaller pixel size would break the format,
so the cap is met by the encoder alone and the result says what was done.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from app.imaging.codec import encode, flatten

JPEG_QUALITY = 85
JPEG_FLOOR = 30  # below this JPEG artefacts dominate; report failure instead


@dataclass
class Encoded:
    """Encoded bytes plus human-readable notes of any size-capping that happened."""

    data: bytes
    notes: list[str] = field(default_factory=list)


def encode_capped(image: Image.Image, fmt: str, max_bytes: int | None) -> Encoded:
    """Encode as "png" or "jpeg"; if over max_bytes, shrink the file, not the picture."""
    kind = "jpeg" if fmt.lower() in ("jpeg", "jpg") else "png"
    if kind == "jpeg":
        return _jpeg_capped(flatten(image), max_bytes)
    return _png_capped(image, max_bytes)


def _jpeg_capped(image: Image.Image, max_bytes: int | None) -> Encoded:
    """q85 first; over the cap, bisect for the highest quality that fits (≈6 encodes)."""
    data = encode(image, "jpeg", quality=JPEG_QUALITY)
    if max_bytes is None or len(data) <= max_bytes:
        return Encoded(data)
    low, high, best, smallest = JPEG_FLOOR, JPEG_QUALITY - 1, None, data
    while low <= high:
        quality = (low + high) // 2
        attempt = encode(image, "jpeg", quality=quality)
        if len(attempt) <= max_bytes:
            best, low = (quality, attempt), quality + 1
        else:
            smallest, high = attempt, quality - 1
    if best is None:
        return Encoded(smallest, [f"Could not fit the {_mb(max_bytes)} MB limit: "
                                  f"{_mb(len(smallest))} MB at JPEG quality {JPEG_FLOOR}"])
    quality, data = best
    return Encoded(data, [f"Re-encoded at JPEG quality {quality} to fit the "
                          f"{_mb(max_bytes)} MB limit"])


def _png_capped(image: Image.Image, max_bytes: int | None) -> Encoded:
    """Fast level 1 first, then level 9 with optimize, then a 256-colour palette."""
    data = encode(image, "png", compress_level=1)
    if max_bytes is None or len(data) <= max_bytes:
        return Encoded(data)
    data = encode(image, "png", compress_level=9, optimize=True)
    if len(data) <= max_bytes:
        return Encoded(data, [f"Compressed at PNG level 9 to fit the {_mb(max_bytes)} MB limit"])
    palette = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    data = encode(palette, "png", compress_level=9, optimize=True)
    if len(data) <= max_bytes:
        return Encoded(data, [f"Reduced to a 256-colour palette to fit the "
                              f"{_mb(max_bytes)} MB limit"])
    return Encoded(data, [f"Could not fit the {_mb(max_bytes)} MB limit: "
                          f"{_mb(len(data))} MB even as a 256-colour PNG"])


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / (1024 * 1024):.2f}".rstrip("0").rstrip(".")
