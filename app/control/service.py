"""Control Studio: the rules of each control operation and the size its result comes back at.

Sketch and structure keep the input size, style follows `aspect_ratio` (about 1 MP), style
transfer keeps the init image's aspect ratio (about 1 MP). The rest is the studio runner's.
"""
from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from app.catalog.operations import control_defaults, control_operations
from app.errors import ValidationFailed
from app.imaging import ratios
from app.imaging.formats import output_format
from app.providers.base import ControlRequest
from app.studio import runner
from app.studio.inputs import InputImage, check_input_limits, lineage, load_input, resolve_assets
from app.studio.limits import check_output_size
from app.studio.options import page_options, plan_routes
from app.studio.results import StudioResult, describe

STRENGTHS = {"sketch": ("control_strength",), "structure": ("control_strength",),
             "style": ("fidelity",),
             "style_transfer": ("style_strength", "composition_fidelity", "change_strength")}
NO_STYLE_IMAGE = "Style image is required for style transfer"


def operations() -> dict[str, Any]:
    """Metadata of every control operation."""
    return {"operations": control_operations()}


def page_context() -> dict[str, Any]:
    """What the Control Studio page needs: defaults for its sliders and the choices it offers."""
    return {"defaults": control_defaults(), **page_options()}


def process_control(user_id: int, params: MutableMapping[str, Any]) -> StudioResult:
    """Validate, run and store one control operation.

    Raises ValidationFailed (400), PayloadTooLarge (413), ServiceUnavailable (503) and
    OperationFailed (500, "Image control failed: ...").
    """
    started = time.monotonic()
    op = params["operation"]
    params = resolve_assets(user_id, params)
    image = load_input(params.pop("control_image_base64", None), missing="Control image payload is required")
    prompt = (params.get("prompt") or "").strip()
    if not prompt:  # every operation, style transfer too (API reference), though Stability takes ""
        message = f"Prompt is required for {control_operations()[op]['label'].lower()}"
        raise ValidationFailed.for_field("prompt", message)
    style = _style_image(op, params)
    ratio = _aspect_ratio(op, params.get("aspect_ratio"))
    routes = plan_routes("control", op, params.get("provider"), params.get("model"))
    check_input_limits(routes, "control", op, image, style)
    fmt = output_format(params.get("output_format"))
    request = ControlRequest(
        operation=op, image=image.data, prompt=prompt, style_image=style.data if style else None,
        negative_prompt=params.get("negative_prompt"), aspect_ratio=ratio,
        style_preset=None if op == "style_transfer" else params.get("style_preset"),
        seed=params.get("seed"), output_format=fmt.name,
        **{name: params.get(name) for names in STRENGTHS.values() for name in names})
    settings = {name: _effective(params, name) for name in STRENGTHS[op]}
    if ratio:
        settings["aspect_ratio"] = ratio
    metadata = {"operation": op, "style_preset": request.style_preset, **settings, **lineage(params)}
    item = runner.Item(request, _result_size(op, image, ratio), metadata)
    delivered = runner.run_one(user_id, runner.Plan("control", op, routes, [item], fmt,
                                                    "Image control failed"))
    return describe(delivered, started, request, operation=op, metadata=metadata)


def _effective(params: Mapping[str, Any], name: str) -> float:
    """The value the provider uses: the request's (0.0 included), else the default."""
    value = params.get(name)
    return control_defaults()[name] if value is None else value


def _style_image(op: str, params: Mapping[str, Any]) -> InputImage | None:
    if op != "style_transfer":
        return None
    if not params.get("style_image_base64"):
        raise ValidationFailed.for_field("style_image_base64", NO_STYLE_IMAGE)
    return load_input(params["style_image_base64"], missing=NO_STYLE_IMAGE)


def _aspect_ratio(op: str, value: str | None) -> str | None:
    """Style's `a:b` ratio (default 1:1; the schema checked it); others take the input's."""
    if op != "style":
        return None
    return "".join((value or control_defaults()["aspect_ratio"]).split())


def _result_size(op: str, image: InputImage, ratio: str | None) -> tuple[int, int]:
    """Refused past the output limits (a very wide input keeps its shape at one megapixel)."""
    if op == "style":
        size = ratios.one_megapixel(ratios.value(ratio or "1:1"))
    elif op == "style_transfer":
        size = ratios.one_megapixel(image.width / image.height)
    else:
        size = (image.width, image.height)
    check_output_size(*size)
    return size
