"""Control Studio payloads (API reference "Process Control" / "Get Control Operations")."""
import marshmallow as ma

from app.studio_common import StudioRequestSchema, StudioResultSchema, optional_text, strength


class ControlRequestSchema(StudioRequestSchema):
    control_image_base64 = optional_text("Control image: sketch, structure, style or init image")
    operation = ma.fields.String(required=True, metadata={
        "description": "sketch, structure, style or style_transfer"})
    prompt = optional_text("Text prompt (required except for style_transfer)")
    style_image_base64 = optional_text("Style reference image (style_transfer)")
    negative_prompt = optional_text("Negative prompt")
    control_strength = strength("Control strength 0.0-1.0 (sketch/structure, default 0.7)")
    fidelity = strength("Style fidelity 0.0-1.0 (style, default 0.5)")
    style_strength = strength("Style strength 0.0-1.0 (style_transfer, default 1.0)")
    composition_fidelity = strength("Composition fidelity 0.0-1.0 (style_transfer, default 0.9)")
    change_strength = strength("Change strength 0.0-1.0 (style_transfer, default 0.9)")
    aspect_ratio = optional_text("Aspect ratio a:b for style, e.g. 16:9 (default 1:1)")


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
