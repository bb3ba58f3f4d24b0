"""Edit Studio: the rules of each edit operation and how it maps to a provider call.

Everything else (decoding, routing with failover, fitting, storing, charging) is the
studio runner's. Edits come back at the input's size; outpaint grows by its expansion.
"""
from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from app.catalog.operations import edit_operations
from app.errors import ValidationFailed
from app.imaging.formats import output_format
from app.providers.base import EditRequest
from app.studio import runner
from app.studio.inputs import (
    InputImage,
    check_input_limits,
    lineage,
    load_input,
    load_mask,
    load_optional_input,
    resolve_assets,
)
from app.studio.limits import check_output_size
from app.studio.options import page_options, plan_routes
from app.studio.results import StudioResult, describe

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
GROW_MASK_MAX = 20  # inpaint takes up to the schema's 100


def operations() -> dict[str, Any]:
    """Metadata of every edit operation this service runs."""
    return {"operations": edit_operations()}


def page_context() -> dict[str, Any]:
    """What the Edit Studio page needs besides the operations endpoint."""
    return page_options()


def process_edit(user_id: int, params: MutableMapping[str, Any]) -> StudioResult:
    """Validate, run and store one edit.

    Raises ValidationFailed (400) for the rules below and for provider refusals,
    PayloadTooLarge (413), ServiceUnavailable (503) and OperationFailed (500).
    """
    started = time.monotonic()
    op = params["operation"]
    params = resolve_assets(user_id, params)
    image = load_input(params.pop("image_base64", None))
    _check_fields(op, params)
    size = _result_size(op, image, params)
    routes = plan_routes("edit", op, params.get("provider"), params.get("model"))
    references = _references(op, params)
    check_input_limits(routes, "edit", op, image)
    mask = load_mask(params.get("mask_base64"), (image.width, image.height)) \
        if edit_operations()[op]["fields"]["mask"] else None
    fmt = output_format(params.get("output_format"))
    request = EditRequest(
        operation=op, image=image.data, mask=mask, prompt=params.get("prompt"),
        negative_prompt=params.get("negative_prompt"), search_prompt=params.get("search_prompt"),
        select_prompt=params.get("select_prompt"), style_preset=params.get("style_preset"),
        guidance_scale=params.get("guidance_scale"), steps=params.get("steps"),
        seed=params.get("seed"), output_format=fmt.name,
        options=dict(params.get("options") or {}), **references,
        **{side: params.get(f"expand_{side}") or 0 for side in SIDES})
    metadata = {"operation": op, "style_preset": request.style_preset, **lineage(params)}
    item = runner.Item(request, size, {**metadata, "mask_provided": mask is not None})
    delivered = runner.run_one(user_id, runner.Plan("edit", op, routes, [item], fmt,
                                                    "Image edit failed"))
    return describe(delivered, started, request, operation=op, metadata=metadata)


def _check_fields(op: str, params: Mapping[str, Any]) -> None:
    if op in REQUIRED:
        names, sentence = REQUIRED[op]
        if not all((params.get(name) or "").strip() for name in names):
            raise ValidationFailed(sentence, errors={name: [sentence] for name in names})
    if op == "outpaint" and not any(params.get(f"expand_{side}") for side in SIDES):
        raise ValidationFailed.for_field("expand_left", NO_EXPANSION)
    if op == "relight":
        if not (params.get("background_image_base64") or params.get("lighting_image_base64")):
            raise ValidationFailed(NO_REFERENCE)
        if not (params.get("background_image_base64") or (params.get("prompt") or "").strip()):
            raise ValidationFailed(NO_BACKGROUND)
    grow_mask = (params.get("options") or {}).get("grow_mask")
    if op != "inpaint" and grow_mask is not None and grow_mask > GROW_MASK_MAX:
        raise ValidationFailed.for_field(
            "options", f"options.grow_mask must be between 0 and {GROW_MASK_MAX}")


def _result_size(op: str, image: InputImage, params: Mapping[str, Any]) -> tuple[int, int]:
    """Edits keep the input size; outpaint adds its expansion. Refused past the output limits."""
    if op != "outpaint":
        check_output_size(image.width, image.height)
        return image.width, image.height
    width = image.width + params.get("expand_left", 0) + params.get("expand_right", 0)
    height = image.height + params.get("expand_up", 0) + params.get("expand_down", 0)
    check_output_size(width, height, "Outpaint result")
    return width, height


def _references(op: str, params: Mapping[str, Any]) -> dict[str, bytes | None]:
    """Relight's reference images, decoded within the same limits as the primary image."""
    if op != "relight":
        return {"background": None, "lighting": None}
    background = load_optional_input(params.get("background_image_base64"))
    lighting = load_optional_input(params.get("lighting_image_base64"))
    return {"background": background.data if background else None,
            "lighting": lighting.data if lighting else None}
