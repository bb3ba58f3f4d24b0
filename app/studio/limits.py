"""The size every result stays within, whatever studio makes it.

service.md fixes it for every mode: at most 8192 px a side and `MAX_IMAGE_PIXELS` in all.
An input within the pixel limit can still be too wide to come out as it is (a 9000×10
strip is 90,000 pixels), so each studio checks the size its result will have, before any
provider call or decode.
"""
from __future__ import annotations

from flask import current_app

from app.errors import ValidationFailed

MAX_OUTPUT_SIDE = 8192


def check_output_size(width: int, height: int, label: str = "Result") -> None:
    """ValidationFailed (400) naming the limit the `width`×`height` result would pass."""
    limit = current_app.config["MAX_IMAGE_PIXELS"]
    if max(width, height) > MAX_OUTPUT_SIDE:
        raise ValidationFailed(f"{label} {width}x{height} has a side over the "
                               f"{MAX_OUTPUT_SIDE} px limit")
    if width * height > limit:
        raise ValidationFailed(f"{label} {width}x{height} is {width * height:,} pixels, "
                               f"more than the {limit:,} pixel limit")
