"""Edit Studio payloads (API reference "Process Edit" / "Get Edit Operations")."""
import marshmallow as ma

from app.catalog.operations import edit_operations
from app.errors import Sentence
from app.http.fields import optional, optional_text
from app.studio.schemas import StudioRequestSchema, StudioResultSchema, asset_id_field, choice

EXPANSION = ma.validate.Range(0, 2000, error="Must be between 0 and 2000 pixels.")
LIGHT_DIRECTIONS = ("left", "right", "above", "below")


def _expansion(side: str) -> ma.fields.Integer:
    return ma.fields.Integer(load_default=0, validate=EXPANSION,
                             metadata={"description": f"Outpaint expansion {side} (pixels, 0-2000)"})


def _option(name: str, low: float, high: float, description: str,
            field: type[ma.fields.Number] = ma.fields.Float, **kwargs) -> ma.fields.Number:
    """A numeric provider option within the range Stability accepts."""
    kind = "a whole number" if field is ma.fields.Integer else "a number"
    return optional(field, description, **kwargs,
                    error_messages={"invalid": Sentence(f"options.{name} must be {kind}")},
                    validate=ma.validate.Range(low, high, error=Sentence(
                        f"options.{name} must be between {low:g} and {high:g}")))


class EditOptionsSchema(ma.Schema):
    """Provider options; grow_mask is at most 20 except for inpaint (the service checks)."""

    class Meta:
        unknown = ma.EXCLUDE

    grow_mask = _option("grow_mask", 0, 100, "Pixels to grow the mask edges by (inpaint 0-100, "
                        "else 0-20)", ma.fields.Integer, strict=True)
    creativity = _option("creativity", 0.0, 1.0, "Outpaint creativity 0-1")
    preserve_original_subject = _option("preserve_original_subject", 0.0, 1.0, "Relight 0-1")
    original_background_depth = _option("original_background_depth", 0.0, 1.0, "Relight 0-1")
    light_source_strength = _option("light_source_strength", 0.0, 1.0, "Relight 0-1")
    light_source_direction = optional_text(
        "Relight: left, right, above or below", validate=ma.validate.OneOf(
            LIGHT_DIRECTIONS, error=Sentence("options.light_source_direction must be one of "
                                             + ", ".join(LIGHT_DIRECTIONS))))
    keep_original_background = optional(ma.fields.Boolean, "Relight: keep the original background")
    foreground_prompt = optional_text("Relight: what the subject should look like")


class EditRequestSchema(StudioRequestSchema):
    image_base64 = optional_text("Primary image (base64 or data URL)")
    image_asset_id = asset_id_field("image")
    operation = choice(tuple(edit_operations()), "Unsupported edit operation: {input}",
                       required=True, metadata={"description": "The edit to apply"})
    prompt = optional_text("Primary prompt/instruction")
    negative_prompt = optional_text("Negative prompt")
    mask_base64 = optional_text("Mask (base64 or data URL); white = edit, black = keep")
    mask_asset_id = asset_id_field("mask")
    search_prompt = optional_text("What to find (search & replace)")
    select_prompt = optional_text("What to recolor (search & recolor)")
    background_image_base64 = optional_text("Background reference (relight)")
    background_image_asset_id = asset_id_field("background_image")
    lighting_image_base64 = optional_text("Lighting reference (relight)")
    lighting_image_asset_id = asset_id_field("lighting_image")
    expand_left = _expansion("left")
    expand_right = _expansion("right")
    expand_up = _expansion("up")
    expand_down = _expansion("down")
    guidance_scale = optional(ma.fields.Float, validate=ma.validate.Range(0, 50))
    steps = optional(ma.fields.Integer, validate=ma.validate.Range(1, 150))
    options = ma.fields.Nested(EditOptionsSchema, load_default=dict,
                               metadata={"description": "Provider options"})


class EditResultSchema(StudioResultSchema):
    operation = ma.fields.String()


class EditFieldsSchema(ma.Schema):
    prompt = ma.fields.Boolean()
    mask = ma.fields.Boolean()
    negative_prompt = ma.fields.Boolean()
    search_prompt = ma.fields.Boolean()
    select_prompt = ma.fields.Boolean()
    background = ma.fields.Boolean()
    lighting = ma.fields.Boolean()
    expansion = ma.fields.Boolean()


class EditOperationSchema(ma.Schema):
    label = ma.fields.String()
    description = ma.fields.String()
    provider = ma.fields.String()
    async_ = ma.fields.Boolean(attribute="async", data_key="async")
    fields = ma.fields.Nested(EditFieldsSchema)


class EditOperationsSchema(ma.Schema):
    operations = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(EditOperationSchema))
