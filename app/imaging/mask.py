"""Edit masks: whatever the client painted, as the grayscale image providers expect.

Providers read a mask as white = edit, black = keep, at the image's own size. Clients send
anything from a white-on-black PNG to strokes on a transparent layer, so transparency
counts as "keep" and the mask is resized to the image it belongs to.
"""
from __future__ import annotations

from PIL import Image, ImageChops


def to_mask(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A mode "L" mask of exactly `size`: luminance, with transparent pixels as black."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        mask = ImageChops.multiply(rgba.convert("L"), rgba.getchannel("A"))
    else:
        mask = image.convert("L")
    if mask.size != tuple(size):
        mask = mask.resize(size, Image.Resampling.BILINEAR)
    return mask


def coverage(mask: Image.Image) -> float:
    """Share of the mask marked for editing (0..1); a blank mask edits nothing."""
    histogram = mask.convert("L").histogram()
    total = sum(histogram)
    return sum(count * value for value, count in enumerate(histogram)) / (255 * total) if total else 0.0
