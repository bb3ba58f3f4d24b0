"""Social Optimizer payloads (API reference "Optimize for Social"), plus our extras.

Choices are case-insensitive (`PNG`, `Smart`), and every rejection names its field, so a
form and an API client get the same sentence.
"""
from __future__ import annotations

import marshmallow as ma

from app.catalog.schemas import SafeZoneSchema
from app.errors import ValidationFailed
from app.http.fields import Choice
from app.imaging import formats
from app.imaging.brand import POSITIONS
from app.imaging.geometry import parse_background
from app.social.pipeline import CROP_MODES, OUTPUT_FORMATS
from app.studio.schemas import asset_id_field

OUTPUT_CHOICES = formats.choices(OUTPUT_FORMATS)


class FocalPoint(ma.fields.Field):
    """`{"x": 0-1, "y": 0-1}` (fractions of the image) as an (x, y) tuple, or null."""

    MESSAGE = "Must be an object {x, y} with x and y numbers between 0 and 1."

    def _deserialize(self, value, attr, data, **kwargs) -> tuple[float, float]:
        if not isinstance(value, dict) or set(value) - {"x", "y"} or len(value) != 2:
            raise ma.ValidationError(self.MESSAGE)
        point = []
        for key in ("x", "y"):
            number = value[key]
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number <= 1:
                raise ma.ValidationError(self.MESSAGE)
            point.append(float(number))
        return point[0], point[1]


class NameList(ma.fields.Field):
    """One format name or a list of them (our extra: several formats of one platform)."""

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ma.ValidationError("Must be a format name or a list of format names.")
        return [n for n in names if n.strip()]


def _background(value: str) -> None:
    try:
        parse_background(value)
    except ValidationFailed:
        raise ma.ValidationError(f"{value} is not white, black, blur or a #rrggbb colour.") from None


class BrandOverlaySchema(ma.Schema):
    """A persona's logo (and texts, in its colours) drawn on every rendition, inside the
    format's safe zone."""

    class Meta:
        unknown = ma.EXCLUDE

    persona_id = ma.fields.String(required=True, validate=ma.validate.Length(max=64))
    position = Choice(POSITIONS, load_default="bottom-right",
                      metadata={"description": "top-left, top-right, bottom-left or bottom-right (default)"})
    size = ma.fields.Float(load_default=0.15, validate=ma.validate.Range(0.05, 0.5),
                           metadata={"description": "Logo width over image width, 0.05-0.5"})
    headline = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=80))
    cta = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=40),
                           metadata={"description": "A call to action, e.g. Shop now"})


class OptimizeRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    image_base64 = ma.fields.String(load_default=None, allow_none=True,
                                    metadata={"description": "Source image (base64 or data URL)"})
    image_asset_id = asset_id_field("image")
    platforms = ma.fields.List(ma.fields.String(), required=True,
                               validate=ma.validate.Length(min=1, error="Choose at least one platform."),
                               metadata={"description": "Platforms to optimize for (case-insensitive)"})
    format_names = ma.fields.Dict(keys=ma.fields.String(), values=NameList(allow_none=True),
                                  load_default=dict,
                                  metadata={"description": "Format per platform (a name or a list of "
                                                           "names); default: the platform's first"})
    all_formats = ma.fields.Boolean(load_default=False,
                                    metadata={"description": "Every format of each platform"})
    show_safe_zones = ma.fields.Boolean(load_default=False,
                                        metadata={"description": "Draw the safe-zone overlay"})
    crop_mode = Choice(CROP_MODES, load_default="smart",
                       metadata={"description": "smart (default), center or fit"})
    focal_point = FocalPoint(load_default=None, allow_none=True,
                             metadata={"description": "{x, y} as fractions 0-1; wins over saliency "
                                                      "in smart mode"})
    focal_points = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=160)),
                                  values=FocalPoint(), load_default=dict,
                                  metadata={"description": "Per format, by each result's focal_key "
                                                           "(\"instagram/Feed Post (Square)\"): {x, y} "
                                                           "fractions; win over focal_point (smart)"})
    output_format = Choice(OUTPUT_CHOICES, load_default="png",
                           metadata={"description": "png (default), jpg or webp"})
    background = ma.fields.String(load_default="white", validate=_background,
                                  metadata={"description": "fit backdrop: white (default), blur, "
                                                           "black or #rrggbb"})
    brand_overlay = ma.fields.Nested(BrandOverlaySchema, load_default=None, allow_none=True)


class SocialResultSchema(ma.Schema):
    """Dumps a `service.SocialResult`: the delivered image and its target format."""

    platform = ma.fields.String(attribute="target.platform")
    format = ma.fields.String(attribute="target.format")
    image_base64 = ma.fields.String(metadata={"description": "data:image/<fmt>;base64,..."})
    mime_type = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    ratio = ma.fields.String(attribute="target.ratio")
    safe_zone = ma.fields.Nested(SafeZoneSchema, attribute="target.safe_zone")
    size_bytes = ma.fields.Integer()
    notes = ma.fields.List(ma.fields.String(), attribute="metadata.notes",
                           metadata={"description": "What size capping did"})
    asset_id = ma.fields.String()
    url = ma.fields.String()
    file_name = ma.fields.String(metadata={"description": "Suggested download file name"})
    focal_key = ma.fields.Function(lambda result: f"{result.target.platform}/{result.target.format}",
                                   metadata={"description": "This format's key in focal_points"})
    crop_box = ma.fields.Dict(attribute="metadata.crop_box",
                              metadata={"description": "The part of the upload shown: {x, y, width, "
                                                       "height} as fractions of it"})


class OptimizeResponseSchema(ma.Schema):
    success = ma.fields.Boolean()
    results = ma.fields.List(ma.fields.Nested(SocialResultSchema))
    total_optimized = ma.fields.Integer()
    skipped = ma.fields.List(ma.fields.String(),
                             metadata={"description": "Listed platforms without formats"})
