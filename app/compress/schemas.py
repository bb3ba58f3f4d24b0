"""Compress Studio payloads (service contract, "Compress and convert studios")."""
import marshmallow as ma

from app.compress.service import COMPRESS_FORMATS, DEFAULT_FORMAT
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

FORMAT_CHOICES = formats.choices(COMPRESS_FORMATS)


def format_field(**kwargs) -> ma.fields.Field:
    return choice(FORMAT_CHOICES, f"Unsupported format: {{input}} (choose {listing(COMPRESS_FORMATS)})",
                  load_default=DEFAULT_FORMAT, metadata={"description": listing(COMPRESS_FORMATS)}, **kwargs)


def quality_field(default=85) -> ma.fields.Integer:
    return ma.fields.Integer(load_default=default, validate=ma.validate.Range(1, 100),
                             metadata={"description": "1–100 for jpeg, webp and avif (PNG is lossless)"})


class CompressEstimateRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    image_base64 = optional_text("Image to compress (base64 or data URL)")
    image_asset_id = asset_id_field("image")
    format = format_field()
    quality = quality_field()


class CompressRequestSchema(CompressEstimateRequestSchema):
    target_size_kb = optional(ma.fields.Float, "Largest file wanted, in KiB (≥ 10): the quality "
                              "(or PNG palette) is searched to fit; the picture is never shrunk",
                              validate=ma.validate.Range(min=10))
    strip_metadata = ma.fields.Boolean(load_default=True, metadata={
        "description": "Drop EXIF and other metadata (orientation is applied; the AI mark stays)"})
    progressive = ma.fields.Boolean(load_default=True, metadata={"description": "Progressive JPEG"})
    optimize = ma.fields.Boolean(load_default=True, metadata={
        "description": "Optimised Huffman tables (JPEG), strongest deflate (PNG)"})


class CompressResultSchema(DeliveredSchema):
    format = ma.fields.String()
    original_size_kb = ma.fields.Float()
    compressed_size_kb = ma.fields.Float()
    compression_ratio = ma.fields.Float(metadata={"description": "Original size / compressed size"})
    reduction_percent = ma.fields.Float()
    quality_used = ma.fields.Integer(allow_none=True, metadata={"description": "null for PNG (lossless)"})
    metadata_stripped = ma.fields.Boolean()


CompressBatchSchema = batch_schema(CompressResultSchema)


class CompressEstimateSchema(ma.Schema):
    original_size_kb = ma.fields.Float()
    estimated_size_kb = ma.fields.Float()
    estimated_reduction_percent = ma.fields.Float()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    format = ma.fields.String()
    quality = ma.fields.Integer(allow_none=True)


class CompressFormatsSchema(ma.Schema):
    formats = ma.fields.List(ma.fields.Nested(OutputFormatSchema))
    default = ma.fields.String()


class PresetSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    format = ma.fields.String()
    quality = ma.fields.Integer()
    target_size_kb = ma.fields.Integer(allow_none=True)
    description = ma.fields.String()


class PresetListSchema(ma.Schema):
    presets = ma.fields.List(ma.fields.Nested(PresetSchema))
