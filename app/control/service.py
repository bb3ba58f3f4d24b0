"""Control Studio: the rules of each control operation and the size its result comes back at.

Sketch and structure keep the input size, style follows `aspect_ratio` (about 1 MP), style
transfer keeps the init image's aspect ratio (about 1 MP). The rest is `app/operations.py`.
"""
from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from app import studio_common as common
from app.errors import ValidationFailed
from app.operations import InputImage, load_input, run
from app.providers.base import ControlRequest, ratio_value

STRENGTHS = {"sketch": ("control_strength",), "structure": ("control_strength",),
             "style": ("fidelity",),
             "style_transfer": ("style_strength", "composition_fidelity", "change_strength")}
RATIO = re.compile(r"\d+(\.\d+)?:\d+(\.\d+)?")
NO_STYLE_IMAGE = "Style image is required for style transfer"


def operations() -> dict[str, Any]:
    """Metadata of every control operation (catalog.md §5b)."""
    return {"operations": common.catalogue()["control"]}


def defaults() -> dict[str, Any]:
    """The strengths and aspect ratio the provider applies when a request leaves them out."""
    return common.catalogue()["control_defaults"]


def page_context() -> dict[str, Any]:
    """What the Control Studio page needs: defaults for its sliders and the choices it offers."""
    return {"defaults": defaults(), **common.page_options()}


def process_control(user_id: int, params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate, run and store one control operation; returns the API response body.

    Raises ValidationFailed (400), PayloadTooLarge (413), ServiceUnavailable (503) and
    OperationFailed (500, "Image control failed: ...").
    """
    started = time.monotonic()
    op = params.get("operation")
    info = common.operation_info("control", op, f"Unsupported control operation: {op}")
    image = load_input(params.get("control_image_base64"), missing="Control image payload is required")
    prompt = (params.get("prompt") or "").strip()
    if op != "style_transfer" and not prompt:
        message = f"Prompt is required for {info['label'].lower()}"
        raise ValidationFailed(message, errors={"prompt": [message]})
    style = _style_image(op, params)
    ratio = _aspect_ratio(op, params.get("aspect_ratio"))
    common.check_style_preset(params.get("style_preset"))
    routes = common.plan_routes("control", op, params.get("provider"), params.get("model"))
    common.check_input_limits(routes, "control", op, image, style)
    request = ControlRequest(
        operation=op, image=image.data, prompt=prompt, style_image=style.data if style else None,
        negative_prompt=params.get("negative_prompt"), aspect_ratio=ratio,
        style_preset=None if op == "style_transfer" else params.get("style_preset"),
        seed=params.get("seed"), output_format=params.get("output_format") or "png",
        **{name: params.get(name) for names in STRENGTHS.values() for name in names})
    settings = {name: _effective(params, name) for name in STRENGTHS[op]}
    if ratio:
        settings["aspect_ratio"] = ratio
    metadata = {"operation": op, "style_preset": request.style_preset, **settings}
    delivered = run(user_id, "control", op, routes, request, failure="Image control failed",
                    output_format=request.output_format, size=_result_size(op, image, ratio),
                    metadata=metadata)
    return common.result_body(delivered, started, op, operation=op, metadata=metadata)


def _effective(params: Mapping[str, Any], name: str) -> float:
    """The value the provider uses: the request's (0.0 included), else the default."""
    value = params.get(name)
    return defaults()[name] if value is None else value


def _style_image(op: str, params: Mapping[str, Any]) -> InputImage | None:
    if op != "style_transfer":
        return None
    if not params.get("style_image_base64"):
        raise ValidationFailed(NO_STYLE_IMAGE, errors={"style_image_base64": [NO_STYLE_IMAGE]})
    return load_input(params["style_image_base64"], missing=NO_STYLE_IMAGE)


def _aspect_ratio(op: str, value: str | None) -> str | None:
    """Style's `a:b` ratio (default 1:1); other operations take their size from the input."""
    if op != "style":
        return None
    ratio = (value or defaults()["aspect_ratio"]).strip()
    if not (RATIO.fullmatch(ratio) and float(ratio.split(":")[1]) > 0
            and 0.1 <= ratio_value(ratio) <= 10):
        message = f"Invalid aspect_ratio: {value} (use a:b between 1:10 and 10:1, e.g. 16:9)"
        raise ValidationFailed(message, errors={"aspect_ratio": [message]})
    return ratio


def _result_size(op: str, image: InputImage, ratio: str | None) -> tuple[int, int]:
    if op == "style":
        return common.one_megapixel(ratio_value(ratio or "1:1"))
    if op == "style_transfer":
        return common.one_megapixel(image.width / image.height)
    return image.width, image.height
