"""Input images of a studio request: decoded once, within the limits, upright.

Everything here runs before any credit is reserved or provider called, so a bad input is a
400/413 that costs nothing.
"""
from __future__ import annotations

import io
from contextlib import closing
from dataclasses import dataclass

from flask import current_app
from PIL import Image

from app.admission import admission
from app.catalog.operations import input_limits
from app.errors import ValidationFailed
from app.imaging import codec, provenance
from app.imaging.mask import coverage, to_mask
from app.imaging.provenance import Mark
from app.providers.pricing import provider_info
from app.providers.registry import Route

MIB = 1024 * 1024
MISSING_IMAGE = "Primary image payload is required"
EMPTY_MASK = "The mask is empty: paint (in white) the area to change"


@dataclass(frozen=True)
class InputImage:
    data: bytes
    width: int
    height: int
    mime_type: str
    mark: Mark | None = None   # the upload's AI mark, read before any re-encode could drop it


def load_input(payload: str | None, *, missing: str = MISSING_IMAGE) -> InputImage:
    """Decode a base64/data-URL image within the size and pixel limits, upright.

    Raises ValidationFailed (missing, undecodable, truncated) or PayloadTooLarge (413).
    The pixels are decoded here so a truncated file is refused before any provider call;
    an upright file goes on as it came, so that decode is only a check (see check_decodes).
    The raster is released before the slot is, even when the file is refused (a traceback
    would otherwise keep it alive until the error response is sent).
    """
    config = current_app.config
    data = codec.decode_base64(payload, max_bytes=int(config["MAX_IMAGE_MB"] * MIB),
                               missing_message=missing)
    image = codec.open_image(data, max_pixels=config["MAX_IMAGE_PIXELS"])
    width, height = image.size
    mark = provenance.read(data)
    with admission.slot(), closing(image):
        if codec.orientation(image) == 1:
            codec.check_decodes(image)
        else:
            with closing(codec.normalize(image)) as upright:
                data = codec.encode(upright, "png")
                width, height = upright.size
    return InputImage(data, width, height, codec.sniff_mime(data), mark)


def load_optional_input(payload: str | None) -> InputImage | None:
    return load_input(payload) if payload else None


def load_mask(payload: str | None, size: tuple[int, int]) -> bytes | None:
    """A white-on-black PNG mask of the image's size from a base64/data-URL mask, or None."""
    if not payload:
        return None
    mask_input = load_input(payload, missing="Mask payload is required")
    with admission.slot(), Image.open(io.BytesIO(mask_input.data)) as image:
        mask = to_mask(image, size)
        if coverage(mask) == 0:
            raise ValidationFailed(EMPTY_MASK, errors={"mask_base64": [EMPTY_MASK]})
        return codec.encode(mask, "png")


def check_input_limits(routes: list[Route], kind: str, operation: str,
                       *images: InputImage | None) -> None:
    """Refuse inputs a planned provider would reject and that no downscale can fix.

    Provider clients already shrink inputs that are too large; too small a side or too
    extreme an aspect ratio cannot be made safe, so the user gets a 400 naming the limit.
    """
    for route in routes:
        limits = input_limits(route.provider, kind, operation)
        if not limits:
            continue
        label = provider_info(route.provider)["label"]
        for image in filter(None, images):
            w, h = image.width, image.height
            if min(w, h) < limits.get("min_side", 1):
                raise ValidationFailed(f"{label} needs images at least {limits['min_side']} px on "
                                       f"each side for {operation}; this one is {w}x{h}")
            bound = limits.get("max_aspect")
            if bound and max(w / h, h / w) > bound:
                raise ValidationFailed(f"{label} accepts aspect ratios from 1:{bound:g} to {bound:g}:1 "
                                       f"for {operation}; this image is {w}x{h}")
