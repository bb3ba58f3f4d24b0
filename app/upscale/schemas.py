"""Upscale Studio payloads (API reference "Upscale Image")."""
import marshmallow as ma

from app.studio_common import StudioRequestSchema, StudioResultSchema, optional_text

MAX_SIDE = 8192
SIDE = ma.validate.Range(1, MAX_SIDE, error=f"Must be between 1 and {MAX_SIDE} pixels.")


def _target(side: str) -> ma.fields.Integer:
    return ma.fields.Integer(load_default=None, allow_none=True,
                             validate=SIDE,
                             metadata={"description": f"Exact output {side} in pixels"})


class UpscaleRequestSchema(StudioRequestSchema):
    image_base64 = optional_text("Image to upscale (base64 or data URL)")
    mode = ma.fields.String(load_default="auto",
                            metadata={"description": "fast, conservative, creative or auto (default)"})
    target_width = _target("width")
    target_height = _target("height")
    preset = optional_text("web (longest side 2048), print (3072) or social (1080)")
    prompt = optional_text("Prompt for conservative/creative modes")
    negative_prompt = optional_text("Negative prompt for conservative/creative modes")
    creativity = ma.fields.Float(load_default=None, allow_none=True, metadata={
        "description": "conservative 0.2-0.5, creative 0.1-0.5"})


class UpscaleResultSchema(StudioResultSchema):
    mode = ma.fields.String(metadata={"description": "The mode that ran"})
