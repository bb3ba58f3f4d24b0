"""Upscale Studio payloads (API reference "Upscale Image")."""
import marshmallow as ma

from app.catalog.operations import upscale_modes, upscale_settings
from app.http.fields import optional, optional_text
from app.studio.limits import MAX_OUTPUT_SIDE
from app.studio.schemas import StudioRequestSchema, StudioResultSchema, asset_id_field, choice, listing
from app.upscale.service import FITS

SIDE = ma.validate.Range(1, MAX_OUTPUT_SIDE, error=f"Must be between 1 and {MAX_OUTPUT_SIDE} pixels.")
MODES = (*upscale_modes(), "auto")
PRESETS = sorted(upscale_settings()["presets"])


def _target(side: str) -> ma.fields.Integer:
    return optional(ma.fields.Integer, f"Exact output {side} in pixels", validate=SIDE)


class UpscaleRequestSchema(StudioRequestSchema):
    image_base64 = optional_text("Image to upscale (base64 or data URL)")
    image_asset_id = asset_id_field("image")
    mode = choice(MODES, f"Unsupported upscale mode: {{input}} (choose {listing(MODES)})",
                  load_default="auto", metadata={"description": "fast, conservative, creative or auto"})
    target_width = _target("width")
    target_height = _target("height")
    preset = choice(PRESETS, f"Unknown preset: {{input}} (valid presets: {', '.join(PRESETS)})",
                    load_default=None, allow_none=True,
                    metadata={"description": "web (longest side 2048), print (3072) or social (1080)"})
    prompt = optional_text("Prompt for conservative/creative modes")
    negative_prompt = optional_text("Negative prompt for conservative/creative modes")
    creativity = optional(ma.fields.Float, "conservative 0.2-0.5, creative 0.1-0.5")
    fit = choice(FITS, f"Unsupported fit: {{input}} (choose {listing(FITS)})", load_default="crop", metadata={
        "description": "With both target sides of another shape than the input: crop (default; the "
                       "most salient window, never distorted), pad (contain on background) or stretch"})
    background = ma.fields.String(load_default="white", metadata={
        "description": "What fit=pad fills with: white, black or #rrggbb"})


class UpscaleResultSchema(StudioResultSchema):
    mode = ma.fields.String(metadata={"description": "The mode that ran"})
