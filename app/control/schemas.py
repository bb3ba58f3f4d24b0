"""Control Studio payloads (API reference "Process Control" / "Get Control Operations")."""
import marshmallow as ma

from app.catalog.operations import control_operations
from app.errors import Sentence
from app.http.fields import optional_text
from app.imaging import ratios
from app.studio.schemas import StudioRequestSchema, StudioResultSchema, asset_id_field, choice, strength

BAD_RATIO = Sentence("Invalid aspect_ratio: {input} (use a:b between 1:10 and 10:1, e.g. 16:9)")
RATIO_BOUNDS = (0.1, 10.0)


def _ratio_in_bounds(text: str) -> None:
    try:
        value = ratios.value(text)
    except ValueError:
        value = 0.0
    if not RATIO_BOUNDS[0] <= value <= RATIO_BOUNDS[1]:
        raise ma.ValidationError(BAD_RATIO.format(input=text))


class ControlRequestSchema(StudioRequestSchema):
    control_image_base64 = optional_text("Control image: sketch, structure, style or init image")
    control_image_asset_id = asset_id_field("control_image")
    operation = choice(tuple(control_operations()), "Unsupported control operation: {input}",
                       required=True, metadata={"description": "The control operation"})
    prompt = optional_text("Text prompt (required for every operation)")
    style_image_base64 = optional_text("Style reference image (style_transfer)")
    style_image_asset_id = asset_id_field("style_image")
    negative_prompt = optional_text("Negative prompt")
    control_strength = strength("Control strength 0.0-1.0 (sketch/structure, default 0.7)")
    fidelity = strength("Style fidelity 0.0-1.0 (style, default 0.5)")
    style_strength = strength("Style strength 0.0-1.0 (style_transfer, default 1.0)")
    composition_fidelity = strength("Composition fidelity 0.0-1.0 (style_transfer, default 0.9)")
    change_strength = strength("Change strength 0.0-1.0 (style_transfer, default 0.9)")
    aspect_ratio = optional_text("Aspect ratio a:b for style, between 1:10 and 10:1 (default 1:1)",
                                 validate=[ma.validate.Regexp(ratios.PATTERN, error=BAD_RATIO),
                                           _ratio_in_bounds])


class ControlResultSchema(StudioResultSchema):
    operation = ma.fields.String()


class ControlFieldsSchema(ma.Schema):
    control_image = ma.fields.Boolean()
    style_image = ma.fields.Boolean()
    control_strength = ma.fields.Boolean()
    fidelity = ma.fields.Boolean()
    style_strength = ma.fields.Boolean()
    aspect_ratio = ma.fields.Boolean()


class ControlOperationSchema(ma.Schema):
    label = ma.fields.String()
    description = ma.fields.String()
    provider = ma.fields.String()
    fields = ma.fields.Nested(ControlFieldsSchema)


class ControlOperationsSchema(ma.Schema):
    operations = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(ControlOperationSchema))
