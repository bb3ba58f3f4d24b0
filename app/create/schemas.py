"""One schema per payload: the Create request and response, and the persona body."""
from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import validate

from app.assets.service import asset_url
from app.catalog.styles import style_presets
from app.create.personas import MAX_COLOURS
from app.create.rules import MAX_SIDE, MIN_SIDE, QUALITIES, CreateSpec
from app.errors import Sentence
from app.http.fields import Choice, UtcDateTime
from app.imaging import fonts, ratios
from app.studio.schemas import SEED, output_format_field

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
RATIO = validate.Regexp(ratios.PATTERN, error="Must look like 16:9 or 1.91:1.")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be empty.")


def _optional(field: type[ma.fields.Field], **kwargs) -> ma.fields.Field:
    return field(load_default=None, allow_none=True, **kwargs)


class CreateRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    prompt = ma.fields.String(required=True, validate=[_not_blank, validate.Length(max=4000)])
    template_id = _optional(ma.fields.String)
    provider = ma.fields.String(load_default="auto", allow_none=True)
    model = _optional(ma.fields.String)
    width = _optional(ma.fields.Integer, validate=validate.Range(min=MIN_SIDE, max=MAX_SIDE))
    height = _optional(ma.fields.Integer, validate=validate.Range(min=MIN_SIDE, max=MAX_SIDE))
    aspect_ratio = _optional(ma.fields.String, validate=RATIO)
    style_preset = _optional(Choice, choices=style_presets())
    quality = ma.fields.String(load_default="standard", validate=validate.OneOf(QUALITIES))
    negative_prompt = _optional(ma.fields.String, validate=validate.Length(max=2000))
    guidance_scale = _optional(ma.fields.Float, validate=validate.Range(min=0, max=50))
    steps = _optional(ma.fields.Integer, validate=validate.Range(min=1, max=150))
    seed = _optional(ma.fields.Integer, validate=SEED)
    num_variations = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=10))
    enhance_prompt = ma.fields.Boolean(load_default=True)
    use_persona = ma.fields.Boolean(load_default=False)
    persona_id = _optional(ma.fields.String)
    output_format = output_format_field()

    @ma.post_load
    def spec(self, data: dict, **kwargs) -> CreateSpec:
        """The request as one typed object, so the service never looks fields up by name."""
        return CreateSpec(**data)


class CreatePreviewRequestSchema(CreateRequestSchema):
    """The Create body before it is complete: a page previews it while the prompt is empty."""

    prompt = ma.fields.String(load_default="", validate=validate.Length(max=4000))


class CreatePreviewSchema(ma.Schema):
    prompt = ma.fields.String(metadata={"description": "The prompt the provider will get "
                                                       "(persona folded in, enhanced)"})
    negative_prompt = ma.fields.String(allow_none=True)
    style_preset = ma.fields.String(allow_none=True, metadata={
        "description": "The request's preset, else the persona's (with use_persona), else the "
                       "template's"})
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    dimensions = ma.fields.String(metadata={"description": "`<width>x<height>`: every image's "
                                                           "exact size"})
    aspect_ratio = ma.fields.String(allow_none=True)
    quality = ma.fields.String()
    provider = ma.fields.String(metadata={"description": "The provider tried first (auto resolved)"})
    model = ma.fields.String(allow_none=True)
    num_variations = ma.fields.Integer()
    estimated_cost = ma.fields.Float(metadata={"description": "What will be reserved: all "
                                                              "variations at the first provider"})
    currency = ma.fields.String()
    template_id = ma.fields.String(allow_none=True)
    persona_id = ma.fields.String(allow_none=True)


class ResultSchema(ma.Schema):
    success = ma.fields.Boolean()
    variation = ma.fields.Integer()
    image_base64 = ma.fields.String(metadata={"description": "Raw base64 image bytes"})
    mime_type = ma.fields.String()
    file_name = ma.fields.String(metadata={"description": "Suggested download file name"})
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    provider = ma.fields.String()
    model = ma.fields.String(allow_none=True)
    seed = ma.fields.Integer(allow_none=True)
    asset_id = ma.fields.String()
    url = ma.fields.String()
    error = ma.fields.String(metadata={"description": "Why this variation failed"})
    metadata = ma.fields.Dict()


class CreateResponseSchema(ma.Schema):
    success = ma.fields.Boolean()
    request = ma.fields.Dict(metadata={"description": "The settings that were applied"})
    results = ma.fields.List(ma.fields.Nested(ResultSchema))
    total_generated = ma.fields.Integer()
    total_failed = ma.fields.Integer()
    metadata = ma.fields.Dict()


def _known_font(value: str) -> None:
    if fonts.find(value) is None:
        raise ma.ValidationError(Sentence(f"Unknown font {value}: choose one that GET /api/image-studio/fonts "
                                          "lists, or leave font out for the default."))


def _terms(max_items: int, max_length: int = 80) -> ma.fields.List:
    item = ma.fields.String(validate=[_not_blank, validate.Length(max=max_length)])
    return ma.fields.List(item, load_default=list, validate=validate.Length(max=max_items))


class PersonaSchema(ma.Schema):
    """A brand kit: keywords and palette go into prompts, negative terms into negative prompts."""

    class Meta:
        unknown = ma.EXCLUDE

    id = ma.fields.String(dump_only=True)
    name = ma.fields.String(required=True, validate=[_not_blank, validate.Length(max=120)])
    description = _optional(ma.fields.String, validate=validate.Length(max=500))
    brand_keywords = _terms(20)
    color_palette = ma.fields.List(ma.fields.String(validate=validate.Regexp(
        HEX_COLOUR, error="Must be a hex colour such as #1a2b3c.")), load_default=list,
        validate=validate.Length(max=MAX_COLOURS))
    style_preset = _optional(Choice, choices=style_presets())
    negative_terms = _terms(30)
    font = _optional(ma.fields.String, validate=[validate.Length(max=120), _known_font], metadata={
        "description": "The headline and call-to-action font: an id from GET /fonts; null is the default"})
    logo_base64 = ma.fields.String(load_only=True, allow_none=True, metadata={
        "description": "A logo image (base64 or data URL), kept as one of your assets"})
    logo_asset_id = ma.fields.String(allow_none=True, validate=validate.Length(max=64), metadata={
        "description": "One of your assets as the logo; null removes it"})
    logo_url = ma.fields.Function(lambda persona: asset_url(persona.logo_asset_id) if persona.logo_asset_id
                                  else None, dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)

    @ma.post_load
    def tidy(self, data: dict, **kwargs) -> dict:
        """Trim terms and lower-case colours so prompts read the same however they were typed."""
        for key in ("brand_keywords", "negative_terms"):
            if key in data:
                data[key] = [term.strip() for term in data[key]]
        if "color_palette" in data:
            data["color_palette"] = [colour.lower() for colour in data["color_palette"]]
        if data.get("name"):
            data["name"] = data["name"].strip()
        if data.get("font") == "":
            data["font"] = None
        return data


class PersonaUpdateSchema(PersonaSchema):
    """PUT body: every field optional; only the fields sent change."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)


class PersonaListSchema(ma.Schema):
    personas = ma.fields.List(ma.fields.Nested(PersonaSchema))
    total = ma.fields.Integer()


class FontSchema(ma.Schema):
    id = ma.fields.String(metadata={"description": "What a persona's `font` names"})
    name = ma.fields.String(metadata={"description": "The family and style, for people"})


class FontListSchema(ma.Schema):
    fonts = ma.fields.List(ma.fields.Nested(FontSchema))
    total = ma.fields.Integer()


class FontSampleQuerySchema(ma.Schema):
    text = ma.fields.String(load_default="Summer sale · Shop now", validate=validate.Length(max=80))
