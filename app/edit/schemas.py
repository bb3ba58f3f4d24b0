"""Edit Studio payloads (API reference "Process Edit" / "Get Edit Operations")."""
import marshmallow as ma

from app.studio_common import StudioRequestSchema, StudioResultSchema, optional_text

EXPANSION = ma.validate.Range(0, 2000, error="Must be between 0 and 2000 pixels.")


def _expansion(side: str) -> ma.fields.Integer:
    return ma.fields.Integer(load_default=0, validate=EXPANSION,
                             metadata={"description": f"Outpaint expansion {side} (pixels, 0-2000)"})


class EditRequestSchema(StudioRequestSchema):
    image_base64 = optional_text("Primary image (base64 or data URL)")
    operation = ma.fields.String(required=True, metadata={
        "description": "remove_background, inpaint, outpaint, search_replace, search_recolor, "
                       "general_edit, relight or erase"})
    prompt = optional_text("Primary prompt/instruction")
    negative_prompt = optional_text("Negative prompt")
    mask_base64 = optional_text("Mask (base64 or data URL); white = edit, black = keep")
    search_prompt = optional_text("What to find (search & replace)")
    select_prompt = optional_text("What to recolor (search & recolor)")
    background_image_base64 = optional_text("Background reference (relight)")
    lighting_image_base64 = optional_text("Lighting reference (relight)")
    expand_left = _expansion("left")
    expand_right = _expansion("right")
    expand_up = _expansion("up")
    expand_down = _expansion("down")
    guidance_scale = ma.fields.Float(load_default=None, allow_none=True,
                                     validate=ma.validate.Range(0, 50))
    steps = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(1, 150))
    options = ma.fields.Dict(load_default=dict, metadata={
        "description": "Provider options, e.g. grow_mask, creativity, light_source_direction"})


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
