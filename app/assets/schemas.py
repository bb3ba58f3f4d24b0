"""Asset library payloads."""
import marshmallow as ma

from app.assets.service import asset_url, download_name
from app.http.fields import UtcDateTime

STUDIOS = ("create", "edit", "upscale", "control", "social", "compress", "convert", "brand")


class AssetSchema(ma.Schema):
    id = ma.fields.String()
    studio = ma.fields.String()
    operation = ma.fields.String()
    provider = ma.fields.String()
    model = ma.fields.String(allow_none=True)
    mime_type = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    size_bytes = ma.fields.Integer()
    created_at = UtcDateTime()
    url = ma.fields.Function(lambda asset: asset_url(asset.id))
    file_name = ma.fields.Function(download_name, metadata={"description": "Suggested download file name"})
    filename = ma.fields.Function(download_name, metadata={
        "description": "A readable download name (linkedin-post_iced-latte_1.jpg), also the "
                       "Content-Disposition of GET /assets/{id}"})
    prompt = ma.fields.String(allow_none=True, metadata={"description": "The prompt behind it, where there was one"})
    platform = ma.fields.String(allow_none=True, metadata={"description": "Social renditions: the platform"})
    format = ma.fields.String(allow_none=True, metadata={"description": "Social renditions: the format name"})
    parent_asset_id = ma.fields.String(allow_none=True, metadata={"description": "The asset it was made from"})


class AssetQuerySchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=24, validate=ma.validate.Range(min=1, max=100))
    studio = ma.fields.String(validate=ma.validate.OneOf(STUDIOS))
    operation = ma.fields.String(validate=ma.validate.Length(max=40))
    since = ma.fields.Date(metadata={"description": "YYYY-MM-DD, inclusive"})
    until = ma.fields.Date(metadata={"description": "YYYY-MM-DD, inclusive"})
    q = ma.fields.String(validate=ma.validate.Length(max=200),
                         metadata={"description": "Words of the prompt, case-insensitive"})


class AssetListSchema(ma.Schema):
    assets = ma.fields.List(ma.fields.Nested(AssetSchema), attribute="items")
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    pages = ma.fields.Integer()


class AssetZipSchema(ma.Schema):
    ids = ma.fields.List(ma.fields.String(), required=True, validate=ma.validate.Length(min=1, max=200))
