"""Convert Studio payloads (service contract, "Compress and convert studios")."""
import marshmallow as ma

from app.convert.service import CONVERT_FORMATS
from app.http.fields import optional, optional_text
from app.imaging import formats
from app.studio.schemas import (
    DeliveredSchema,
    OutputFormatSchema,
    asset_id_field,
    batch_schema,
    choice,
    listing,
)


class ConvertRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    image_base64 = optional_text("Image to convert (base64 or data URL)")
    image_asset_id = asset_id_field("image")
    target_format = choice(formats.choices(CONVERT_FORMATS),
                           f"Unsupported target_format: {{input}} (choose {listing(CONVERT_FORMATS)})",
                           required=True, metadata={"description": listing(CONVERT_FORMATS) + " (jpg, tif)"})
    preserve_transparency = ma.fields.Boolean(load_default=True, metadata={
        "description": "Keep alpha where the target has it (false: flatten onto background)"})
    background = ma.fields.String(load_default="white", metadata={
        "description": "white, black or #rrggbb: what transparency is flattened onto"})
    quality = optional(ma.fields.Integer, "1–100 for jpeg, webp and avif (null: the format's default)",
                       validate=ma.validate.Range(1, 100))
    strip_metadata = ma.fields.Boolean(load_default=False, metadata={
        "description": "Drop EXIF (the AI mark stays); orientation is applied either way"})


class ConvertResultSchema(DeliveredSchema):
    original_format = ma.fields.String()
    target_format = ma.fields.String()
    original_size_kb = ma.fields.Float()
    converted_size_kb = ma.fields.Float()
    transparency_preserved = ma.fields.Boolean()
    metadata_preserved = ma.fields.Boolean()


ConvertBatchSchema = batch_schema(ConvertResultSchema)


class SupportedSchema(ma.Schema):
    input_formats = ma.fields.List(ma.fields.String())
    output_formats = ma.fields.List(ma.fields.Nested(OutputFormatSchema))
    aliases = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
