"""Stability v2beta: which endpoint and form fields each operation uses.

Pure request building, no HTTP: every function returns a `Call` the client sends. Optional
fields left as None are dropped; explicit zeros (a 0.0 strength, seed 0) are sent as given.
Inputs beyond an endpoint's pixel limits are downscaled first and noted in `Call.notes`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.catalog.operations import control_defaults
from app.imaging import ratios

from .base import ControlRequest, EditRequest, GenerateRequest, ProviderError, UpscaleRequest
from .media import fit_within, output_format, within_bytes

ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
SD3_MODELS = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash")
EDIT_PIXELS = 9_437_184
REQUEST_BYTES = 10 * 1024 * 1024   # larger bodies get 413 "payloads cannot be larger than 10MiB"
TEXT_ALLOWANCE = 128 * 1024        # two 10,000-character prompts in UTF-8, the other fields, framing
CFG_RANGE = (1.0, 10.0)
# Edit endpoints that take a `mask` part; search-and-replace/recolor take none (the client
# limits their change to the mask afterwards instead).
MASKED = ("inpaint", "erase")
DEFAULT_UPSCALE_PROMPT = "high quality, detailed, sharp"


@dataclass
class Call:
    path: str
    data: dict[str, str]
    files: dict[str, bytes]
    is_async: bool = False
    notes: dict[str, Any] = field(default_factory=dict)


def form(**fields: Any) -> dict[str, str]:
    """Multipart text fields: None dropped, numbers as text (0 and 0.0 kept)."""
    return {key: str(value) for key, value in fields.items() if value is not None}


def default(value: Any, fallback: Any) -> Any:
    """`fallback` only when `value` is None: an explicit 0.0 is a choice, not a gap."""
    return fallback if value is None else value


def fitted(notes: dict[str, Any], key: str, image: bytes, **limits: int) -> bytes:
    data, note = fit_within(image, **limits)
    if note:
        notes.setdefault("input_downscaled", {})[key] = note
    return data


def within_request_limit(notes: dict[str, Any], files: dict[str, bytes]) -> None:
    """Make the image parts fit in one request body (a 413 is not retried, and a photo shrunk
    to 9.4 MP is ~17 MB as PNG). Parts are taken smallest first, each keeping its bytes when
    within an equal share of what is left, so a small mask or reference stays as it is and
    the large parts share the rest. Notes what was re-encoded, and what was made smaller
    (into `input_downscaled`, which outpaint margins follow)."""
    room = REQUEST_BYTES - TEXT_ALLOWANCE
    if sum(map(len, files.values())) <= room:
        return
    parts = sorted(files, key=lambda key: len(files[key]))
    for index, key in enumerate(parts):
        share = max(1, room // (len(parts) - index))
        files[key], note = within_bytes(files[key], share, lossless=key == "mask")
        room -= len(files[key])
        if note is None:
            continue
        size = note.pop("size", None)
        notes.setdefault("input_recompressed", {})[key] = note
        if size is not None:
            earlier = notes.setdefault("input_downscaled", {}).get(key)
            notes["input_downscaled"][key] = {"from": earlier["from"] if earlier else size["from"],
                                             "to": size["to"]}


def generate_call(request: GenerateRequest, model: str) -> Call:
    ratio = ratios.nearest(request.width, request.height, ASPECT_RATIOS)
    fields = form(prompt=request.prompt, negative_prompt=request.negative_prompt,
                  aspect_ratio=ratio, seed=request.seed, style_preset=request.style_preset,
                  output_format=output_format(request.output_format))
    notes = {"requested_aspect_ratio": ratio}
    if model in ("ultra", "core"):
        return Call(f"/v2beta/stable-image/generate/{model}", fields, {}, notes=notes)
    if model in SD3_MODELS:
        cfg = request.guidance_scale
        if cfg is not None and not CFG_RANGE[0] <= cfg <= CFG_RANGE[1]:
            cfg = min(max(cfg, CFG_RANGE[0]), CFG_RANGE[1])
            notes["guidance_scale_sent"] = cfg  # Stability takes cfg_scale 1-10 only
        fields.update(form(model=model, cfg_scale=cfg))
        return Call("/v2beta/stable-image/generate/sd3", fields, {}, notes=notes)
    raise ProviderError("stability", f"Stability AI has no model '{model}'")


def edit_call(request: EditRequest) -> Call:
    notes: dict[str, Any] = {}
    op, opts = request.operation, request.options
    fmt = output_format(request.output_format)
    common = form(seed=request.seed, output_format=fmt)
    if op == "remove_background":
        files = {"image": fitted(notes, "image", request.image, max_pixels=4_194_304)}
        within_request_limit(notes, files)
        return Call("/v2beta/stable-image/edit/remove-background",
                    form(output_format=output_format(fmt, ("png", "webp"))), files, notes=notes)
    if op == "relight":
        return _relight_call(request, notes, common)
    files = {"image": fitted(notes, "image", request.image, max_pixels=EDIT_PIXELS)}
    if request.mask is not None and op in MASKED:
        files["mask"] = request.mask
    within_request_limit(notes, files)
    styled = form(negative_prompt=request.negative_prompt, style_preset=request.style_preset)
    paths = {"erase": "erase", "inpaint": "inpaint", "outpaint": "outpaint",
             "search_replace": "search-and-replace", "search_recolor": "search-and-recolor"}
    if op not in paths:
        raise ProviderError("stability", f"Stability AI does not support edit '{op}'")
    fields = {**common, **form(prompt=request.prompt)}
    if op == "erase":
        fields = {**common, **form(grow_mask=opts.get("grow_mask"))}
    elif op == "inpaint":
        fields.update(styled, **form(grow_mask=default(opts.get("grow_mask"), 5)))
    elif op == "outpaint":
        left, right, up, down = _expansion(request, notes.get("input_downscaled", {}).get("image"))
        fields.update(styled, **form(left=left, right=right, up=up, down=down,
                                     creativity=opts.get("creativity")))
    else:
        target = "search_prompt" if op == "search_replace" else "select_prompt"
        fields.update(styled, **form(grow_mask=opts.get("grow_mask"),
                                     **{target: getattr(request, target)}))
    return Call(f"/v2beta/stable-image/edit/{paths[op]}", fields, files, notes=notes)


def _expansion(request: EditRequest, downscaled: dict | None) -> tuple[int, int, int, int]:
    """Outpaint margins in the pixels of the image actually sent: when the input was shrunk to
    the endpoint's limit, the margins shrink with it, so the result keeps the expected shape."""
    sides = (request.left, request.right, request.up, request.down)
    if not downscaled:
        return sides
    scale = downscaled["to"][0] / downscaled["from"][0]
    return tuple(max(1, round(side * scale)) if side else 0 for side in sides)


def _relight_call(request: EditRequest, notes: dict[str, Any], common: dict[str, str]) -> Call:
    opts = request.options
    files = {"subject_image": fitted(notes, "subject_image", request.image, max_pixels=EDIT_PIXELS)}
    if request.background is not None:
        files["background_reference"] = request.background
    if request.lighting is not None:
        files["light_reference"] = request.lighting
    within_request_limit(notes, files)
    keep = opts.get("keep_original_background")
    fields = {**common, **form(
        background_prompt=request.prompt, negative_prompt=request.negative_prompt,
        foreground_prompt=opts.get("foreground_prompt"),
        preserve_original_subject=opts.get("preserve_original_subject"),
        original_background_depth=opts.get("original_background_depth"),
        keep_original_background=None if keep is None else str(bool(keep)).lower(),
        light_source_direction=opts.get("light_source_direction"),
        light_source_strength=opts.get("light_source_strength"))}
    return Call("/v2beta/stable-image/edit/replace-background-and-relight", fields, files,
                is_async=True, notes=notes)


def upscale_call(request: UpscaleRequest) -> Call:
    notes: dict[str, Any] = {}
    fmt = output_format(request.output_format)
    if request.mode == "fast":
        image = fitted(notes, "image", request.image, max_pixels=1_048_576, max_side=1536)
        return Call("/v2beta/stable-image/upscale/fast", form(output_format=fmt),
                    {"image": image}, notes=notes)
    if request.mode not in ("conservative", "creative"):
        raise ProviderError("stability", f"Stability AI does not support upscale '{request.mode}'")
    creative = request.mode == "creative"
    files = {"image": fitted(notes, "image", request.image,
                             max_pixels=1_048_576 if creative else EDIT_PIXELS)}
    within_request_limit(notes, files)
    fields = form(prompt=request.prompt or DEFAULT_UPSCALE_PROMPT,
                  negative_prompt=request.negative_prompt, seed=request.seed,
                  creativity=request.creativity, output_format=fmt,
                  style_preset=request.style_preset if creative else None)
    return Call(f"/v2beta/stable-image/upscale/{request.mode}", fields, files,
                is_async=creative, notes=notes)


def control_call(request: ControlRequest) -> Call:
    notes: dict[str, Any] = {}
    op = request.operation
    defaults = control_defaults()
    common = form(negative_prompt=request.negative_prompt, seed=request.seed,
                  output_format=output_format(request.output_format))
    part = "init_image" if op == "style_transfer" else "image"
    files = {part: fitted(notes, part, request.image, max_pixels=EDIT_PIXELS, max_side=16383)}
    if op == "style_transfer":
        if request.style_image is None:
            raise ProviderError("stability", "Style image is required for style transfer")
        files["style_image"] = fitted(notes, "style_image", request.style_image,
                                      max_pixels=EDIT_PIXELS, max_side=16383)
    within_request_limit(notes, files)
    if op in ("sketch", "structure"):
        fields = {**common, **form(prompt=request.prompt, style_preset=request.style_preset,
                                   control_strength=default(request.control_strength,
                                                           defaults["control_strength"]))}
        return Call(f"/v2beta/stable-image/control/{op}", fields, files, notes=notes)
    if op == "style":
        ratio = (request.aspect_ratio if request.aspect_ratio in ASPECT_RATIOS
                 else ratios.nearest(ratios.value(request.aspect_ratio or defaults["aspect_ratio"]),
                                     1.0, ASPECT_RATIOS))
        notes["requested_aspect_ratio"] = ratio
        fields = {**common, **form(prompt=request.prompt, style_preset=request.style_preset,
                                   aspect_ratio=ratio,
                                   fidelity=default(request.fidelity, defaults["fidelity"]))}
        return Call("/v2beta/stable-image/control/style", fields, files, notes=notes)
    if op == "style_transfer":
        fields = {**common, **form(
            prompt=request.prompt or "",
            style_strength=default(request.style_strength, defaults["style_strength"]),
            composition_fidelity=default(request.composition_fidelity,
                                         defaults["composition_fidelity"]),
            change_strength=default(request.change_strength, defaults["change_strength"]))}
        return Call("/v2beta/stable-image/control/style-transfer", fields, files, notes=notes)
    raise ProviderError("stability", f"Stability AI does not support control '{op}'")
