"""Encoding under a byte cap: lower the quality or compress PNG harder, never resize.

A platform refuses files over its limit, and a smaller pixel size would break the format,
so the cap is met by the encoder alone (the search in compression.py) and the result says
what was done. Social renditions favour speed: baseline JPEG, the fast PNG (codec.encode) first.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from app.imaging import codec, compression
from app.imaging.formats import FORMATS

JPEG_QUALITY = 85
JPEG_FLOOR = 30  # below this artefacts dominate; report failure instead


@dataclass
class Encoded:
    """Encoded bytes plus human-readable notes of any size-capping that happened."""

    data: bytes
    notes: list[str] = field(default_factory=list)


def encode_capped(image: Image.Image, fmt: str, max_bytes: int | None) -> Encoded:
    """Encode as "png", "jpeg" or "webp"; if over max_bytes, shrink the file, not the picture."""
    output = FORMATS[{"jpg": "jpeg"}.get(fmt.lower(), fmt.lower())]
    if output.lossy:
        encode = compression.encoder(output, progressive=False, optimize=False)
    else:
        fast = codec.encode(image, "png")
        if max_bytes is None or len(fast) <= max_bytes:
            return Encoded(fast)
        encode = compression.encoder(output)
    try:
        done = compression.compress(image, output, JPEG_QUALITY, max_bytes, encode, floor=JPEG_FLOOR)
    except compression.TargetUnreachable as error:
        lowest = f"{output.name.upper()} quality {JPEG_FLOOR}" if output.lossy else "2 colours"
        return Encoded(error.data, [f"Could not fit the {_mb(max_bytes)} MB limit: "
                                    f"{_mb(error.smallest)} MB at {lowest}"])
    if output.lossy:
        notes = [] if done.quality == JPEG_QUALITY else [
            f"Re-encoded at {output.name.upper()} quality {done.quality} to fit the {_mb(max_bytes)} MB limit"]
    elif done.colors:
        notes = [f"Reduced to a {done.colors}-colour palette to fit the {_mb(max_bytes)} MB limit"]
    else:
        notes = [f"Compressed at PNG level 9 to fit the {_mb(max_bytes)} MB limit"]
    return Encoded(done.data, notes)


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / (1024 * 1024):.2f}".rstrip("0").rstrip(".")
