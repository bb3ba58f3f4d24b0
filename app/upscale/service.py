"""Upscale Studio: pick the mode, work out the exact output size, run it.

`fast` runs in-process (provider `local`) when Stability is not configured: the registry
plans it like any provider. The runner fits every result to the preset or target size.
"""
from __future__ import annotations

import io
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import replace
from typing import Any

from PIL import Image

from app.admission import admission
from app.catalog.operations import upscale_settings
from app.errors import ValidationFailed
from app.imaging import codec, saliency
from app.imaging.formats import output_format
from app.imaging.geometry import parse_colour
from app.providers.base import UpscaleRequest
from app.providers.local import fast_size
from app.studio import runner
from app.studio.inputs import InputImage, check_input_limits, lineage, load_input, resolve_assets
from app.studio.limits import MAX_OUTPUT_SIDE, check_output_size
from app.studio.options import page_options, plan_routes
from app.studio.results import StudioResult, describe

CREATIVITY = {"conservative": (0.2, 0.5), "creative": (0.1, 0.5)}
FITS = ("crop", "pad", "stretch")
SHAPE_KEPT = runner.Fit("crop", smart=True)   # one side or a preset: the shape is the input's


def page_context() -> dict[str, Any]:
    """What the Upscale Studio page needs: presets, the size limit and style presets."""
    return {"settings": upscale_settings(), "max_side": MAX_OUTPUT_SIDE, **page_options()}


def upscale(user_id: int, params: MutableMapping[str, Any]) -> StudioResult:
    """Validate, upscale, fit to the requested size and store.

    Raises ValidationFailed (400), PayloadTooLarge (413), ServiceUnavailable (503) and
    OperationFailed (500, "Image upscale failed: ...").
    """
    started = time.monotonic()
    requested = params.get("mode") or "auto"
    preset = params.get("preset")
    params = resolve_assets(user_id, params)
    image = load_input(params.pop("image_base64", None))
    target = target_size(image.width, image.height, preset, params.get("target_width"),
                         params.get("target_height"))
    mode = choose_mode(requested, target)
    _check_creativity(mode, params.get("creativity"))
    fit = fit_for(params, both=bool(params.get("target_width") and params.get("target_height")))
    metadata = {"operation": f"upscale_{mode}", "preset": preset,
                "original_width": image.width, "original_height": image.height, **lineage(params)}
    if fit is not None:
        metadata["fit"] = fit.mode
    if requested == "auto":
        metadata["requested_mode"] = requested
    routes = plan_routes("upscale", mode, params.get("provider"), params.get("model"))
    if fit is not None and fit.mode == "crop":
        image, box = cropped_to(image, target)
        if box is not None:
            metadata.update(cropped_to=[image.width, image.height], crop_box=box)
    check_input_limits(routes, "upscale", mode, image)
    if target is None:
        _check_natural(mode, image, natural_size(mode, image.width, image.height))
    fmt = output_format(params.get("output_format"))
    request = UpscaleRequest(mode=mode, image=image.data, prompt=params.get("prompt"),
                             negative_prompt=params.get("negative_prompt"), seed=params.get("seed"),
                             creativity=params.get("creativity"),
                             style_preset=params.get("style_preset"), output_format=fmt.name,
                             target=enlarged_size(image.width, image.height, target, fit))
    item = runner.Item(request, target, metadata, mark=image.mark, fit=fit or SHAPE_KEPT)
    plan = runner.Plan("upscale", mode, routes, [item], fmt, "Image upscale failed")
    delivered = runner.run_one(user_id, plan)
    metadata["upscale_factor"] = round(delivered.width / image.width, 3)
    return describe(delivered, started, request, mode=mode, metadata=metadata)


def fit_for(params: Mapping[str, Any], *, both: bool) -> runner.Fit | None:
    """With both target sides the shape may change: `fit` says how (crop by default, centred
    on the most salient window; never a stretch unless asked). None with one side or none."""
    if not both:
        return None
    return runner.Fit(params.get("fit") or "crop", smart=True,
                      background=parse_colour(params.get("background") or "white"))


def enlarged_size(width: int, height: int, target: tuple[int, int] | None,
                  fit: runner.Fit | None) -> tuple[int, int] | None:
    """What the enlargement itself makes: the target, except for `pad`, where the input's
    own shape is scaled to fit inside it (the runner then letterboxes it)."""
    if target is None or fit is None or fit.mode != "pad":
        return target
    scale = min(target[0] / width, target[1] / height)
    return (max(1, min(target[0], round(width * scale))), max(1, min(target[1], round(height * scale))))


def cropped_to(image: InputImage, target: tuple[int, int]) -> tuple[InputImage, list[int] | None]:
    """The input cut to the target's shape on its most salient window, before enlarging (no
    pixel is made only to be cropped away; the provider sees the exact shape), and the box
    cut, in input pixels (None: the shape was already right)."""
    if image.width * target[1] == image.height * target[0]:
        return image, None
    with admission.slot(), Image.open(io.BytesIO(image.data)) as source:
        picture = codec.normalize(source)
        left, top, right, bottom = saliency.analyse(picture).box_for(*target)
        width, height = round(right - left), round(bottom - top)
        left, top = min(round(left), picture.width - width), min(round(top), picture.height - height)
        crop = picture.crop((left, top, left + width, top + height))
        data = codec.encode(crop, "png")
    cropped = replace(image, data=data, width=crop.width, height=crop.height, mime_type="image/png")
    return cropped, [left, top, left + width, top + height]


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
    check_output_size(*size, "Requested output")
    return size


def natural_size(mode: str, width: int, height: int) -> tuple[int, int]:
    """What a mode makes when no size is asked for: fast 4× (within its pixel budget),
    conservative and creative about 4 megapixels."""
    if mode == "fast":
        return fast_size(width, height)
    scale = (upscale_settings()["natural_pixels"] / (width * height)) ** 0.5
    return max(1, round(width * scale)), max(1, round(height * scale))


def _check_natural(mode: str, image: InputImage, size: tuple[int, int]) -> None:
    """The natural output within the output limits, and larger than the input: each mode's
    is bounded (fast's pixel budget, about 4 MP for the others), and past that bound an
    "upscale" would hand back a smaller picture than it was given."""
    check_output_size(*size, "Requested output")
    if size[0] <= image.width and size[1] <= image.height:
        made = (f"at most {upscale_settings()['fast_max_pixels']:,} pixels" if mode == "fast"
                else f"about {upscale_settings()['natural_pixels']:,} pixels")
        raise ValidationFailed(f"This image is already {image.width}x{image.height}: a {mode} upscale "
                               f"makes {made}, so it would come out smaller. Ask for a target size "
                               "or a preset instead")


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

