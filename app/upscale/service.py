"""Upscale Studio: pick the mode, work out the exact output size, run it.

`fast` runs in-process (provider `local`) when Stability is not configured: the registry
plans it like any provider. The runner fits every result to the preset or target size.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from flask import current_app

from app.catalog.operations import upscale_settings
from app.errors import ValidationFailed
from app.imaging.formats import output_format
from app.providers.base import UpscaleRequest
from app.providers.local import fast_size
from app.studio import runner
from app.studio.inputs import check_input_limits, load_input
from app.studio.options import page_options, plan_routes
from app.studio.results import StudioResult, describe

CREATIVITY = {"conservative": (0.2, 0.5), "creative": (0.1, 0.5)}
NATURAL_PIXELS = 4 * 1024 * 1024


def page_context() -> dict[str, Any]:
    """What the Upscale Studio page needs: presets, the size limit and style presets."""
    return {"settings": upscale_settings(), **page_options()}


def upscale(user_id: int, params: Mapping[str, Any]) -> StudioResult:
    """Validate, upscale, fit to the requested size and store.

    Raises ValidationFailed (400), PayloadTooLarge (413), ServiceUnavailable (503) and
    OperationFailed (500, "Image upscale failed: ...").
    """
    started = time.monotonic()
    requested = params.get("mode") or "auto"
    preset = params.get("preset")
    image = load_input(params.get("image_base64"))
    target = target_size(image.width, image.height, preset, params.get("target_width"),
                         params.get("target_height"))
    mode = choose_mode(requested, target)
    _check_creativity(mode, params.get("creativity"))
    metadata = {"operation": f"upscale_{mode}", "preset": preset,
                "original_width": image.width, "original_height": image.height}
    if requested == "auto":
        metadata["requested_mode"] = requested
    routes = plan_routes("upscale", mode, params.get("provider"), params.get("model"))
    check_input_limits(routes, "upscale", mode, image)
    if target is None:
        _check_size(natural_size(mode, image.width, image.height))
    fmt = output_format(params.get("output_format"))
    request = UpscaleRequest(mode=mode, image=image.data, prompt=params.get("prompt"),
                             negative_prompt=params.get("negative_prompt"), seed=params.get("seed"),
                             creativity=params.get("creativity"),
                             style_preset=params.get("style_preset"), output_format=fmt.name,
                             target=target)
    plan = runner.Plan("upscale", mode, routes, [runner.Item(request, target, metadata, mark=image.mark)], fmt,
                       "Image upscale failed")
    delivered = runner.run_one(user_id, plan)
    metadata["upscale_factor"] = round(delivered.width / image.width, 3)
    return describe(delivered, started, request, mode=mode, metadata=metadata)


def target_size(width: int, height: int, preset: str | None, target_width: int | None,
                target_height: int | None) -> tuple[int, int] | None:
    """The exact output size: both targets as given, one target keeping the aspect ratio,
    else the preset's longest side; None lets the mode decide. 400 past the size limits.
    """
    if target_width and target_height:
        size = (target_width, target_height)
    elif target_width:
        size = (target_width, max(1, round(height * target_width / width)))
    elif target_height:
        size = (max(1, round(width * target_height / height)), target_height)
    elif preset:
        scale = upscale_settings()["presets"][preset] / max(width, height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
    else:
        return None
    _check_size(size)
    return size


def natural_size(mode: str, width: int, height: int) -> tuple[int, int]:
    """What a mode makes when no size is asked for: fast 4× (within its pixel budget),
    conservative and creative about 4 megapixels."""
    if mode == "fast":
        return fast_size(width, height)
    scale = (NATURAL_PIXELS / (width * height)) ** 0.5
    return max(1, round(width * scale)), max(1, round(height * scale))


def choose_mode(requested: str, target: tuple[int, int] | None) -> str:
    """`auto`: conservative when the output has a side of 3000 px or more, otherwise fast."""
    if requested != "auto":
        return requested
    big = target is not None and max(target) >= upscale_settings()["auto_conservative_side"]
    return "conservative" if big else "fast"


def _check_creativity(mode: str, value: float | None) -> None:
    """Each Stability mode takes its own creativity range."""
    if mode in CREATIVITY and value is not None:
        low, high = CREATIVITY[mode]
        if not low <= value <= high:
            raise ValidationFailed.for_field(
                "creativity", f"creativity must be between {low:g} and {high:g} for {mode} upscales")


def _check_size(size: tuple[int, int]) -> None:
    max_side, limit = upscale_settings()["max_side"], current_app.config["MAX_IMAGE_PIXELS"]
    width, height = size
    if max(size) > max_side:
        raise ValidationFailed(f"Requested output {width}x{height} has a side over the "
                               f"{max_side} px limit")
    if width * height > limit:
        raise ValidationFailed(f"Requested output {width}x{height} is {width * height:,} pixels, "
                               f"more than the {limit:,} pixel limit")
