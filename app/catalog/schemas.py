"""Catalogue payloads, shaped as the API reference shows them."""
import marshmallow as ma


class AspectRatioSchema(ma.Schema):
    ratio = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    label = ma.fields.String()


class TemplateSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    category = ma.fields.String()
    platform = ma.fields.String()
    aspect_ratio = ma.fields.Nested(AspectRatioSchema)
    description = ma.fields.String()
    recommended_provider = ma.fields.String()
    style_preset = ma.fields.String()
    quality = ma.fields.String()
    use_cases = ma.fields.List(ma.fields.String())


class TemplateListSchema(ma.Schema):
    templates = ma.fields.List(ma.fields.Nested(TemplateSchema))
    total = ma.fields.Integer()


class TemplateFilterSchema(ma.Schema):
    platform = ma.fields.String(metadata={"description": "instagram, facebook, twitter, linkedin, ..."})
    category = ma.fields.String(metadata={"description": "social_media, blog_content, ... "
                                                        "(ignored when `platform` is given)"})


class TemplateSearchSchema(ma.Schema):
    query = ma.fields.String(required=True, metadata={"description": "Words to look for"})


class TemplateRecommendSchema(ma.Schema):
    use_case = ma.fields.String(required=True, validate=ma.validate.Length(min=1))
    platform = ma.fields.String()


class SafeZoneSchema(ma.Schema):
    top = ma.fields.Float()
    bottom = ma.fields.Float()
    left = ma.fields.Float()
    right = ma.fields.Float()


class FormatSchema(ma.Schema):
    name = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    ratio = ma.fields.String()
    safe_zone = ma.fields.Nested(SafeZoneSchema)
    file_type = ma.fields.String()
    max_size_mb = ma.fields.Float()


class FormatListSchema(ma.Schema):
    formats = ma.fields.List(ma.fields.Nested(FormatSchema))


class SpecFormatSchema(ma.Schema):
    name = ma.fields.String()
    ratio = ma.fields.String()
    size = ma.fields.String()


class PlatformSpecSchema(ma.Schema):
    name = ma.fields.String()
    formats = ma.fields.List(ma.fields.Nested(SpecFormatSchema))
    file_types = ma.fields.List(ma.fields.String())
    max_file_size = ma.fields.String()
