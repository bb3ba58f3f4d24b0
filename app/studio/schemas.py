"""Fields every studio request accepts and every single-image result returns.

Choices come from the catalogue (style presets, output formats), so the OpenAPI document
lists exactly what the server accepts, and a refusal reads the same from every studio.
"""
from __future__ import annotations

from typing import Any

import marshmallow as ma

from app.catalog.styles import style_presets
from app.errors import Sentence
from app.http.fields import Choice, optional, optional_text
from app.imaging import formats

SEED = ma.validate.Range(0, 4294967294)


def listing(names: tuple[str, ...] | list[str]) -> str:
    """"png, jpeg or webp"."""
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def strength(description: str) -> ma.fields.Float:
    """An optional 0.0–1.0 float; the 400 names the field, and an explicit 0.0 stays 0.0."""
    return optional(ma.fields.Float, description, validate=ma.validate.Range(0.0, 1.0))


def choice(names: tuple[str, ...] | list[str], sentence: str, **kwargs: Any) -> Choice:
    """A case-insensitive choice refused with the whole `sentence` ("{input}" is the value)."""
    return Choice(tuple(names), error=Sentence(sentence), **kwargs)


def style_preset_field(description: str = "Stability style preset, e.g. photographic") -> Choice:
    presets = style_presets()
    return choice(presets, "Unknown style preset: {input} (choose one of " + ", ".join(presets) + ")",
                  load_default=None, allow_none=True, metadata={"description": description})


def asset_id_field(name: str) -> ma.fields.String:
    """`<name>_asset_id`: one of the caller's own assets, used instead of `<name>_base64`
    without re-uploading it (studio/inputs.py resolve_assets)."""
    return optional_text(f"The id of one of your assets, instead of {name}_base64",
                         validate=ma.validate.Length(max=64))


def output_format_field(names: tuple[str, ...] = tuple(formats.OUTPUT_FORMATS),
                        **kwargs: Any) -> Choice:
    """png (default), jpeg (or jpg) or webp; the refusal names the choices."""
    return choice(formats.choices(names),
                  "Unsupported output format: {input} (choose " + listing(names) + ")",
                  load_default="png", metadata={"description": listing(names)}, **kwargs)


class StudioRequestSchema(ma.Schema):
    """Fields every studio request accepts; unknown fields are ignored."""

    class Meta:
        unknown = ma.EXCLUDE

    provider = ma.fields.String(load_default="auto", allow_none=True,
                                metadata={"description": "auto (default) or a provider name"})
    model = optional_text("Explicit model override")
    style_preset = style_preset_field()
    seed = optional(ma.fields.Integer, validate=SEED)
    output_format = output_format_field()


class DeliveredSchema(ma.Schema):
    """Every single-image result: the image, where it is kept, and how it was made."""

    success = ma.fields.Boolean()
    provider = ma.fields.String()
    image_base64 = ma.fields.String(metadata={"description": "data:image/<fmt>;base64,..."})
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    asset_id = ma.fields.String()
    url = ma.fields.String()
    file_name = ma.fields.String(metadata={"description": "Suggested download file name"})
    metadata = ma.fields.Dict()


class StudioResultSchema(DeliveredSchema):
    """A provider studio's result (edit, upscale, control): also the model that made it."""

    model = ma.fields.String(allow_none=True)


MAX_BATCH = 20


class DeliveryBatchRequestSchema(ma.Schema):
    """A delivery studio's batch: each entry is the single call's body, checked on its own."""

    images = ma.fields.List(ma.fields.Dict(), required=True,
                            validate=ma.validate.Length(1, MAX_BATCH,
                                                        error=f"images holds 1 to {MAX_BATCH} entries"),
                            metadata={"description": "Request bodies, each as the single call takes"})


class BatchItemField(ma.fields.Field):
    """A batch entry: the single call's result, or `{"success": false, "error"}`."""

    def __init__(self, schema: ma.Schema, **kwargs):
        super().__init__(**kwargs)
        self.schema = schema

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, dict) else self.schema.dump(value)


def batch_schema(result: type[ma.Schema]) -> type[ma.Schema]:
    """The batch envelope around one studio's result schema."""
    return type(f"{result.__name__.removesuffix('Schema')}BatchSchema", (ma.Schema,), {
        "success": ma.fields.Boolean(metadata={"description": "True when every image succeeded"}),
        "results": ma.fields.List(BatchItemField(result())),
        "total_images": ma.fields.Integer(),
        "successful": ma.fields.Integer(),
        "failed": ma.fields.Integer(),
    })


class OutputFormatSchema(ma.Schema):
    """One format a delivery studio writes, and what it can hold."""

    format = ma.fields.String()
    mime_type = ma.fields.String()
    extension = ma.fields.String()
    lossy = ma.fields.Boolean(metadata={"description": "Takes a quality"})
    transparency = ma.fields.Boolean()
    description = ma.fields.String()
    quality_range = ma.fields.List(ma.fields.Integer(), allow_none=True)
    target_size = ma.fields.String(metadata={"description": "How a target size is met"})
    metadata = ma.fields.Boolean(metadata={"description": "Can keep EXIF"})
    ai_mark = ma.fields.Boolean(metadata={"description": "Can carry the XMP AI mark"})
    animation = ma.fields.Boolean()


class PreviewRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    image_base64 = optional_text("The image (base64 or data URL)")
    image_asset_id = asset_id_field("image")


class PreviewQuerySchema(ma.Schema):
    side = ma.fields.Integer(load_default=2048, validate=ma.validate.Range(64, 2048), metadata={
        "description": "The copy's longer side at most, 64–2048 px (the Library's tiles ask 640)"})


class PreviewSchema(ma.Schema):
    width = ma.fields.Integer(metadata={"description": "The image's own width, upright"})
    height = ma.fields.Integer(metadata={"description": "The image's own height, upright"})
    format = ma.fields.String(metadata={"description": "What the file is: png, jpeg, tiff, ..."})
    has_alpha = ma.fields.Boolean()
    preview = ma.fields.String(metadata={
        "description": "data:image/jpeg (or webp, with transparency);base64,... at most 2048 px a side"})
    preview_width = ma.fields.Integer()
    preview_height = ma.fields.Integer()
    notes = ma.fields.List(ma.fields.String())
