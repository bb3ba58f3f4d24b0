"""Input images of a studio request: decoded once, within the limits, upright.

Everything here runs before any credit is reserved or provider called, so a bad input is a
400/413 that costs nothing.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, MutableMapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from flask import current_app
from PIL import Image

from app.admission import admission
from app.assets.service import asset_bytes
from app.catalog.operations import input_limits
from app.errors import PayloadTooLarge, ValidationFailed
from app.imaging import codec, provenance
from app.imaging.mask import coverage, to_mask
from app.imaging.provenance import Mark
from app.providers.pricing import provider_info
from app.providers.registry import Route

MIB = 1024 * 1024
MISSING_IMAGE = "Primary image payload is required"
EMPTY_MASK = "The mask is empty: paint (in white) the area to change"
WIRE_FORMATS = ("JPEG", "MPO", "PNG", "WEBP")   # what every provider reads as it is


@dataclass(frozen=True)
class InputImage:
    data: bytes
    width: int
    height: int
    mime_type: str
    mark: Mark | None = None   # the upload's AI mark, read before any re-encode could drop it


IMAGE_FIELDS = ("image", "mask", "control_image", "style_image", "background_image", "lighting_image")
PRIMARY_FIELDS = ("image", "control_image")   # the image a result is made from: its parent
Payload = str | bytes | None   # base64 text from the request, or an asset's bytes (resolve_assets)


def resolve_assets(user_id: int, params: MutableMapping[str, Any]) -> dict[str, Any]:
    """The request with each `<name>_asset_id` (an image field given as one of the caller's
    own assets) replaced by that asset's bytes under `<name>_base64`, read once, never
    re-encoded. Another user's or an unknown id: 404 "Asset not found"; both forms of one
    field: 400 naming it.

    The image fields move out of `params` into the answer, so an upload's text has one holder
    that a studio can let go once it is decoded (a 27 MP photo's base64 is 13 MB)."""
    resolved = dict(params)
    for name in IMAGE_FIELDS:
        params.pop(f"{name}_base64", None)
        asset_id = resolved.pop(f"{name}_asset_id", None)
        if not asset_id:
            continue
        if resolved.get(f"{name}_base64"):
            message = f"Give {name}_base64 or {name}_asset_id, not both"
            raise ValidationFailed(message, errors={f"{name}_asset_id": [message]})
        resolved[f"{name}_base64"] = asset_bytes(user_id, asset_id)[1]
        if name in PRIMARY_FIELDS:
            resolved.setdefault("parent_asset_id", asset_id)
    return resolved


def lineage(params: Mapping[str, Any]) -> dict[str, Any]:
    """What a result records of its making for the Library: the asset its main image came
    from and the prompt it was given, where there were any."""
    return {key: params[key] for key in ("parent_asset_id", "prompt") if params.get(key)}


def image_bytes(payload: Payload, *, missing: str = MISSING_IMAGE) -> bytes:
    """The bytes of a base64/data-URL payload, or an asset's bytes as they are, within
    MAX_IMAGE_MB (413 past it)."""
    max_bytes = int(current_app.config["MAX_IMAGE_MB"] * MIB)
    if isinstance(payload, bytes):
        if len(payload) > max_bytes:
            raise PayloadTooLarge(f"Image is larger than the {max_bytes / MIB:g} MB limit")
        return payload
    return codec.decode_base64(payload, max_bytes=max_bytes, missing_message=missing)


def load_input(payload: Payload, *, missing: str = MISSING_IMAGE) -> InputImage:
    """Decode a base64/data-URL image within the size and pixel limits, upright.

    Raises ValidationFailed (missing, undecodable, truncated) or PayloadTooLarge (413).
    The pixels are decoded here so a truncated file is refused before any provider call;
    an upright JPEG, PNG or WebP goes on as it came, so that decode is only a check (see
    check_decodes). Anything else is sent as an upright PNG: a turned file, and GIF, BMP,
    TIFF and AVIF, which providers refuse (Stability reads jpeg, png and webp; Gemini's
    inline images add only HEIC).
    The raster is released before the slot is, even when the file is refused (a traceback
    would otherwise keep it alive until the error response is sent).
    """
    data = image_bytes(payload, missing=missing)
    image = codec.open_image(data, max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    width, height = image.size
    mark = provenance.read(data)
    with admission.slot(), closing(image):
        if codec.orientation(image) == 1 and image.format in WIRE_FORMATS:
            codec.check_decodes(image)
        else:
            with closing(codec.normalize(image)) as upright:
                data = codec.encode(upright, "png")
                width, height = upright.size
    return InputImage(data, width, height, codec.sniff_mime(data), mark)


def load_optional_input(payload: Payload) -> InputImage | None:
    return load_input(payload) if payload else None


def load_mask(payload: Payload, size: tuple[int, int]) -> bytes | None:
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
