"""Edit Studio: the rules of each edit operation and how it maps to a provider call.

Everything else (decoding, routing with failover, fitting, storing) is the shared path in
`app/operations.py`. Edits come back at the input's size; outpaint grows by its expansion.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from flask import current_app

from app import studio_common as common
from app.errors import ValidationFailed
from app.operations import InputImage, load_input, load_optional_input, run
from app.providers.base import EditRequest

SIDES = ("left", "right", "up", "down")
REQUIRED = {
    "inpaint": (("prompt",), "Prompt is required for inpainting"),
    "search_replace": (("prompt", "search_prompt"),
                       "Both prompt and search_prompt are required for search & replace"),
    "search_recolor": (("prompt", "select_prompt"),
                       "Both prompt and select_prompt are required for search & recolor"),
    "general_edit": (("prompt",), "Prompt is required for general edits"),
}
NO_EXPANSION = ("Outpaint needs at least one of expand_left, expand_right, expand_up or "
                "expand_down above 0 (each at most 2000 pixels)")
NO_REFERENCE = "At least one reference (background or lighting) is required for relight"
NO_BACKGROUND = ("Relight needs a background: send background_image_base64 or a prompt "
                 "describing the background")
# Numeric provider options and the ranges Stability accepts (providers.md §1.4).
OPTION_RANGES = {"grow_mask": (0, 20), "creativity": (0.0, 1.0),
                 "preserve_original_subject": (0.0, 1.0), "original_background_depth": (0.0, 1.0),
                 "light_source_strength": (0.0, 1.0)}
LIGHT_DIRECTIONS = ("left", "right", "above", "below")


def operations() -> dict[str, Any]:
    """Metadata of every edit operation this service runs (catalog.md §5a, plus erase)."""
    return {"operations": common.catalogue()["edit"]}


def page_context() -> dict[str, Any]:
    """What the Edit Studio page needs besides the operations endpoint."""
    return common.page_options()


def process_edit(user_id: int, params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate, run and store one edit; returns the API response body.

    Raises ValidationFailed (400) for the rules below and for provider refusals,
    PayloadTooLarge (413), ServiceUnavailable (503) and OperationFailed (500).
    """
    started = time.monotonic()
    op = params.get("operation")
    info = common.operation_info("edit", op, f"Unsupported edit operation: {op}")
    image = load_input(params.get("image_base64"))
    _check_fields(op, params)
    common.check_style_preset(params.get("style_preset"))
    size = _result_size(op, image, params)
    routes = common.plan_routes("edit", op, params.get("provider"), params.get("model"))
    references = _references(op, params)
    common.check_input_limits(routes, "edit", op, image)
    mask = common.load_mask(params.get("mask_base64"), (image.width, image.height)) \
        if info["fields"]["mask"] else None
    request = EditRequest(
        operation=op, image=image.data, mask=mask, prompt=params.get("prompt"),
        negative_prompt=params.get("negative_prompt"), search_prompt=params.get("search_prompt"),
        select_prompt=params.get("select_prompt"), style_preset=params.get("style_preset"),
        guidance_scale=params.get("guidance_scale"), steps=params.get("steps"),
        seed=params.get("seed"), output_format=params.get("output_format") or "png",
        options=dict(params.get("options") or {}), **references,
        **{side: params.get(f"expand_{side}") or 0 for side in SIDES})
    delivered = run(user_id, "edit", op, routes, request, failure="Image edit failed",
                    output_format=request.output_format, size=size,
                    metadata={"operation": op, "style_preset": request.style_preset,
                              "mask_provided": mask is not None})
    return common.result_body(delivered, started, op, operation=op,
                              metadata={"operation": op, "style_preset": request.style_preset})


def _check_fields(op: str, params: Mapping[str, Any]) -> None:
    if op in REQUIRED:
        names, sentence = REQUIRED[op]
        if not all((params.get(name) or "").strip() for name in names):
            raise ValidationFailed(sentence, errors={name: [sentence] for name in names})
    if op == "outpaint" and not any(params.get(f"expand_{side}") for side in SIDES):
        raise ValidationFailed(NO_EXPANSION, errors={"expand_left": [NO_EXPANSION]})
    if op == "relight":
        if not (params.get("background_image_base64") or params.get("lighting_image_base64")):
            raise ValidationFailed(NO_REFERENCE)
        if not (params.get("background_image_base64") or (params.get("prompt") or "").strip()):
            raise ValidationFailed(NO_BACKGROUND)
    _check_options(op, params.get("options") or {})


def _check_options(op: str, options: Mapping[str, Any]) -> None:
    for name, (low, high) in OPTION_RANGES.items():
        value = options.get(name)
        if value is None:
            continue
        if name == "grow_mask" and op == "inpaint":
            high = 100
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationFailed(f"options.{name} must be a number",
                                   errors={"options": {name: ["Must be a number."]}})
        common.check_range(f"options.{name}", value, low, high)
    direction = options.get("light_source_direction")
    if direction is not None and direction not in LIGHT_DIRECTIONS:
        raise ValidationFailed("options.light_source_direction must be one of "
                               + ", ".join(LIGHT_DIRECTIONS))


def _result_size(op: str, image: InputImage, params: Mapping[str, Any]) -> tuple[int, int]:
    """Edits keep the input size; outpaint adds its expansion (refused past the pixel limit)."""
    if op != "outpaint":
        return image.width, image.height
    width = image.width + params.get("expand_left", 0) + params.get("expand_right", 0)
    height = image.height + params.get("expand_up", 0) + params.get("expand_down", 0)
    limit = current_app.config["MAX_IMAGE_PIXELS"]
    if width * height > limit:
        raise ValidationFailed(f"Outpaint result would be {width}x{height} pixels, more than the "
                               f"{limit:,} pixel limit")
    return width, height


def _references(op: str, params: Mapping[str, Any]) -> dict[str, bytes | None]:
    """Relight's reference images, decoded within the same limits as the primary image."""
    if op != "relight":
        return {"background": None, "lighting": None}
    background = load_optional_input(params.get("background_image_base64"))
    lighting = load_optional_input(params.get("lighting_image_base64"))
    return {"background": background.data if background else None,
            "lighting": lighting.data if lighting else None}
