"""Aspect ratios written "a:b" (decimals allowed): parsing, comparing and sizing.

Every module that reads a ratio string or picks the nearest allowed one comes here, so a
request field, a provider's list of ratios and a 1-megapixel output agree on the maths.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

# What a ratio field accepts: two positive decimals around a colon, spaces allowed.
PATTERN = r"^\s*\d+(\.\d+)?\s*:\s*\d+(\.\d+)?\s*$"
ONE_MEGAPIXEL = 1024 * 1024


def parse(text: str) -> tuple[float, float]:
    """`"1.91:1"` -> (1.91, 1.0); ValueError when it is not two positive numbers."""
    a, b = (float(part) for part in text.split(":"))
    if not (a > 0 and b > 0):
        raise ValueError(f"not a positive ratio: {text!r}")
    return a, b


def value(text: str) -> float:
    """`"16:9"` -> 1.777...; ValueError as `parse`."""
    a, b = parse(text)
    return a / b


def nearest(width: float, height: float, allowed: Sequence[str]) -> str:
    """The allowed ratio closest to width/height, compared on a log scale (2:1 is as far
    from 1:1 as 1:2 is)."""
    target = math.log(width / height)
    return min(allowed, key=lambda ratio: abs(math.log(value(ratio)) - target))


def one_megapixel(ratio: float) -> tuple[int, int]:
    """About 1024×1024 pixels at `ratio` (width / height): the size of 1 MP outputs."""
    width = round(math.sqrt(ONE_MEGAPIXEL * ratio))
    return width, max(1, round(width / ratio))
