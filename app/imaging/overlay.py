"""Safe-zone overlay: shows where a platform's UI (captions, buttons, avatars) covers the image.

Fractions are of the image: top/bottom of its height, left/right of its width. The unsafe
margins are darkened and the safe area is outlined, its outline drawn just inside the
boundary so the first outline pixel is exactly at the fraction.
"""
from __future__ import annotations

from collections.abc import Mapping

from PIL import Image, ImageDraw

SHADE = 0.55  # brightness kept in the unsafe margins
OUTLINE = (0, 200, 255)


def safe_box(width: int, height: int, safe_zone: Mapping[str, float]) -> tuple[int, int, int, int]:
    """The safe area in pixels, (left, top, right, bottom) with right/bottom exclusive."""
    left = round(width * safe_zone.get("left", 0.0))
    right = width - round(width * safe_zone.get("right", 0.0))
    top = round(height * safe_zone.get("top", 0.0))
    bottom = height - round(height * safe_zone.get("bottom", 0.0))
    return (left, top, max(left, right), max(top, bottom))


def draw_safe_zones(image: Image.Image, safe_zone: Mapping[str, float]) -> Image.Image:
    """Return a copy with the unsafe margins darkened and the safe area outlined."""
    out = image.copy()
    width, height = out.size
    left, top, right, bottom = safe_box(width, height, safe_zone)
    darken = [int(v * SHADE) for v in range(256)]
    table = darken * 3 + (list(range(256)) if out.mode == "RGBA" else [])
    margins = [(0, 0, width, top), (0, bottom, width, height),
               (0, top, left, bottom), (right, top, width, bottom)]
    for box in margins:
        if box[2] > box[0] and box[3] > box[1]:
            out.paste(out.crop(box).point(table), box[:2])
    if right > left and bottom > top:
        line = max(2, round(min(width, height) / 360))
        colour = OUTLINE + ((255,) if out.mode == "RGBA" else ())
        ImageDraw.Draw(out).rectangle((left, top, right - 1, bottom - 1), outline=colour,
                                      width=line)
    return out
