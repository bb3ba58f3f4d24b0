"""What the edit, upscale and control studios share, so each service keeps only its own rules.

The operations catalogue (`catalog/data/operations.json`), planning provider routes,
refusing inputs a planned provider cannot take, masks, style presets, credits, the
response body, and the marshmallow pieces every request and result schema reuses.
"""
from __future__ import annotations

import io
import math
import time
from typing import Any

import marshmallow as ma
from flask import current_app
from PIL import Image

from app.catalog.loader import load
from app.errors import ValidationFailed
from app.imaging import codec
from app.imaging.mask import coverage, to_mask
from app.operations import Delivered, InputImage, load_input
from app.providers.pricing import price, provider_info
from app.providers.registry import Route

EMPTY_MASK = "The mask is empty: paint (in white) the area to change"


def catalogue() -> dict[str, Any]:
    """The parsed operations data file."""
    return load("operations")


def operation_info(kind: str, operation: str | None, unsupported: str) -> dict[str, Any]:
    """The metadata of one operation; ValidationFailed(`unsupported`) when there is none."""
    info = catalogue()[kind].get(operation or "")
    if info is None:
        raise ValidationFailed(unsupported, errors={"operation": [unsupported]})
    return info


def plan_routes(kind: str, operation: str, provider: str | None, model: str | None) -> list[Route]:
    """Provider routes for the job (explicit provider: one route; `auto`: failover order)."""
    return current_app.extensions["providers"].plan(kind, operation, provider or "auto", model)


def check_input_limits(routes: list[Route], kind: str, operation: str,
                       *images: InputImage | None) -> None:
    """Refuse inputs a planned provider would reject and that no downscale can fix.

    Provider clients already shrink inputs that are too large; too small a side or too
    extreme an aspect ratio cannot be made safe, so the user gets a 400 naming the limit.
    """
    limits_by_provider = catalogue()["input_limits"]
    for route in routes:
        limits = limits_by_provider.get(route.provider, {}).get(kind, {}).get(operation)
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


def load_mask(payload: str | None, size: tuple[int, int]) -> bytes | None:
    """A white-on-black PNG mask of the image's size from a base64/data-URL mask, or None."""
    if not payload:
        return None
    mask_input = load_input(payload, missing="Mask payload is required")
    with Image.open(io.BytesIO(mask_input.data)) as image:
        mask = to_mask(image, size)
    if coverage(mask) == 0:
        raise ValidationFailed(EMPTY_MASK, errors={"mask_base64": [EMPTY_MASK]})
    return codec.encode(mask, "png")


def page_options() -> dict[str, Any]:
    """Choices the studio pages offer: configured providers, style presets, aspect ratios."""
    return {"providers": ["auto", *current_app.extensions["providers"].configured()],
            "style_presets": catalogue()["style_presets"], "aspect_ratios": catalogue()["aspect_ratios"]}


def check_style_preset(style_preset: str | None) -> None:
    """Unknown presets would come back from the provider as a 500; refuse them here."""
    presets = catalogue()["style_presets"]
    if style_preset and style_preset not in presets:
        message = f"Unknown style preset: {style_preset} (choose one of {', '.join(presets)})"
        raise ValidationFailed(message, errors={"style_preset": [message]})


def check_range(name: str, value: float | None, low: float, high: float, context: str = "") -> None:
    """400 naming the field when a provider option is outside what the provider accepts."""
    if value is not None and not low <= value <= high:
        message = f"{name} must be between {low:g} and {high:g}{context}"
        raise ValidationFailed(message, errors={name: [message]})


def credits(provider: str, operation: str) -> float:
    """The price-table credits of one result (0 for sandbox and local)."""
    return price(provider, operation)


def one_megapixel(ratio: float) -> tuple[int, int]:
    """About 1024×1024 pixels at `ratio` (width / height): the size of 1 MP control outputs."""
    width = round(math.sqrt(1024 * 1024 * ratio))
    return width, max(1, round(width / ratio))


def result_body(delivered: Delivered, started: float, pricing_operation: str,
                **fields: Any) -> dict[str, Any]:
    """The response every studio returns: the image as a data URL, its size, asset and metadata."""
    metadata = {**delivered.metadata, **fields.pop("metadata", {}),
                "provider": delivered.provider, "model": delivered.model,
                "width": delivered.width, "height": delivered.height,
                "cost": credits(delivered.provider, pricing_operation),
                "processing_time": round(time.monotonic() - started, 3)}
    if delivered.seed is not None:
        metadata["seed"] = delivered.seed
    return {"success": True, **fields, "provider": delivered.provider, "model": delivered.model,
            "image_base64": delivered.data_url, "width": delivered.width, "height": delivered.height,
            "asset_id": delivered.asset_id, "url": delivered.url, "metadata": metadata}


def strength(description: str) -> ma.fields.Float:
    """An optional 0.0–1.0 float; the 400 names the field, and an explicit 0.0 stays 0.0."""
    return ma.fields.Float(load_default=None, allow_none=True, validate=ma.validate.Range(0.0, 1.0),
                           metadata={"description": description})


def optional_text(description: str) -> ma.fields.String:
    return ma.fields.String(load_default=None, allow_none=True, metadata={"description": description})


class StudioRequestSchema(ma.Schema):
    """Fields every studio request accepts; unknown fields are ignored."""

    class Meta:
        unknown = ma.EXCLUDE

    provider = ma.fields.String(load_default="auto", allow_none=True,
                                metadata={"description": "auto (default) or a provider name"})
    model = optional_text("Explicit model override")
    style_preset = optional_text("Stability style preset, e.g. photographic")
    seed = ma.fields.Integer(load_default=None, allow_none=True,
                             validate=ma.validate.Range(0, 4294967294))
    output_format = ma.fields.String(load_default="png", metadata={"description": "png, jpeg or webp"})


class StudioResultSchema(ma.Schema):
    """Every studio result: the image, where it is kept, and how it was made."""

    success = ma.fields.Boolean()
    provider = ma.fields.String()
    model = ma.fields.String(allow_none=True)
    image_base64 = ma.fields.String(metadata={"description": "data:image/<fmt>;base64,..."})
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    asset_id = ma.fields.String()
    url = ma.fields.String()
    metadata = ma.fields.Dict()
