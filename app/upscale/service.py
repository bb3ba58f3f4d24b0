"""Upscale Studio: pick the mode, work out the exact output size, run it.

`fast` runs in-process (provider `local`) when Stability is not configured; everything else
goes through the shared path in `app/operations.py`, which resizes the provider's output to
the preset or target size.
"""
from __future__ import annotations

import io
import time
from collections.abc import Mapping
from typing import Any

from flask import current_app
from PIL import Image

from app import studio_common as common
from app.errors import ValidationFailed
from app.imaging import codec
from app.imaging.upscale import enlarge
from app.operations import Delivered, InputImage, deliver, load_input, output_mime, reserve, run
from app.providers.base import ImageResult, UpscaleRequest
from app.providers.registry import Outcome, Route

MODES = ("fast", "conservative", "creative")
CREATIVITY = {"conservative": (0.2, 0.5), "creative": (0.1, 0.5)}


def settings() -> dict[str, Any]:
    """Presets and limits from the operations data file."""
    return common.catalogue()["upscale"]


def page_context() -> dict[str, Any]:
    """What the Upscale Studio page needs: presets, the size limit and style presets."""
    return {"settings": settings(), **common.page_options()}


def upscale(user_id: int, params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate, upscale, fit to the requested size and store; returns the API response body.

    Raises ValidationFailed (400), PayloadTooLarge (413), ServiceUnavailable (503) and
    OperationFailed (500, "Image upscale failed: ...").
    """
    started = time.monotonic()
    requested = params.get("mode") or "auto"
    if requested not in (*MODES, "auto"):
        raise ValidationFailed(f"Unsupported upscale mode: {requested} (choose fast, conservative, "
                               "creative or auto)", errors={"mode": ["Unknown mode."]})
    preset = _check_preset(params.get("preset"))
    image = load_input(params.get("image_base64"))
    target = target_size(image.width, image.height, preset, params.get("target_width"),
                         params.get("target_height"))
    mode = choose_mode(requested, target)
    if mode in CREATIVITY:
        common.check_range("creativity", params.get("creativity"), *CREATIVITY[mode],
                           f" for {mode} upscales")
    common.check_style_preset(params.get("style_preset"))
    metadata = {"operation": f"upscale_{mode}", "preset": preset,
                "original_width": image.width, "original_height": image.height}
    if requested == "auto":
        metadata["requested_mode"] = requested
    if _runs_locally(mode, params.get("provider")):
        delivered = _local(user_id, image, target, params.get("output_format"), metadata)
    else:
        delivered = _provider(user_id, image, mode, target, params, metadata)
    metadata["upscale_factor"] = round(delivered.width / image.width, 3)
    return common.result_body(delivered, started, f"upscale_{mode}", mode=mode, metadata=metadata)


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
        scale = settings()["presets"][preset] / max(width, height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
    else:
        return None
    _check_size(size)
    return size


def choose_mode(requested: str, target: tuple[int, int] | None) -> str:
    """`auto`: conservative when the output has a side of 3000 px or more, otherwise fast."""
    if requested != "auto":
        return requested
    big = target is not None and max(target) >= settings()["auto_conservative_side"]
    return "conservative" if big else "fast"


def _check_preset(preset: str | None) -> str | None:
    presets = settings()["presets"]
    if preset and preset not in presets:
        message = f"Unknown preset: {preset} (valid presets: {', '.join(sorted(presets))})"
        raise ValidationFailed(message, errors={"preset": [message]})
    return preset or None


def _check_size(size: tuple[int, int]) -> None:
    max_side, limit = settings()["max_side"], current_app.config["MAX_IMAGE_PIXELS"]
    width, height = size
    if max(size) > max_side:
        raise ValidationFailed(f"Requested output {width}x{height} has a side over the "
                               f"{max_side} px limit")
    if width * height > limit:
        raise ValidationFailed(f"Requested output {width}x{height} is {width * height:,} pixels, "
                               f"more than the {limit:,} pixel limit")


def _runs_locally(mode: str, provider: str | None) -> bool:
    """`fast` without Stability (and without an explicit provider) runs in-process."""
    provider = provider or "auto"
    if provider == "local":
        if mode != "fast":
            raise ValidationFailed(f"Provider 'local' runs only fast upscales, not {mode}",
                                   errors={"provider": ["local runs only fast upscales."]})
        return True
    configured = current_app.extensions["providers"].configured()
    return mode == "fast" and provider == "auto" and "stability" not in configured


def _local(user_id: int, image: InputImage, target: tuple[int, int] | None,
           output_format: str | None, metadata: dict[str, Any]) -> Delivered:
    """LANCZOS + unsharp mask straight to the final size (4×, within 16 MP, by default)."""
    mime_type = output_mime(output_format)
    with Image.open(io.BytesIO(image.data)) as source:
        picture = codec.normalize(source)
    size = target or _fast_size(picture.width, picture.height)
    data = codec.encode(enlarge(picture, size), "png")
    outcome = Outcome(ImageResult(data, "image/png", "local", None), "local", None)
    # A zero-credit ledger entry keeps in-process upscales in the usage report.
    reservation = reserve(user_id, "upscale", [Route("local", None)],
                          UpscaleRequest(mode="fast", image=image.data))
    return deliver(user_id, "upscale", "fast", outcome, mime_type=mime_type, metadata=metadata,
                   reservation=reservation)


def _fast_size(width: int, height: int) -> tuple[int, int]:
    config = settings()
    scale = min(config["fast_factor"], (config["fast_max_pixels"] / (width * height)) ** 0.5)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _provider(user_id: int, image: InputImage, mode: str, target: tuple[int, int] | None,
              params: Mapping[str, Any], metadata: dict[str, Any]) -> Delivered:
    routes = common.plan_routes("upscale", mode, params.get("provider"), params.get("model"))
    common.check_input_limits(routes, "upscale", mode, image)
    request = UpscaleRequest(mode=mode, image=image.data, prompt=params.get("prompt"),
                             negative_prompt=params.get("negative_prompt"), seed=params.get("seed"),
                             creativity=params.get("creativity"),
                             style_preset=params.get("style_preset"),
                             output_format=params.get("output_format") or "png")
    return run(user_id, "upscale", mode, routes, request, failure="Image upscale failed",
               output_format=request.output_format, size=target, metadata=metadata)
