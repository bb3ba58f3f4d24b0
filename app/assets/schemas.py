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
    favorite = ma.fields.Boolean(metadata={"description": "Marked with a star in the Library"})
    group_id = ma.fields.String(allow_none=True, metadata={
        "description": "Shared by the results one call made together (a Create's variations, a Social "
                       "optimize's renditions); null for an image made alone"})
    collection_ids = ma.fields.Function(lambda asset: [found.id for found in asset.collections], metadata={
        "description": "The collections it is in"})


class AssetQuerySchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=24, validate=ma.validate.Range(min=1, max=100))
    studio = ma.fields.String(validate=ma.validate.OneOf(STUDIOS))
    operation = ma.fields.String(validate=ma.validate.Length(max=40))
    since = ma.fields.Date(metadata={"description": "YYYY-MM-DD, inclusive"})
    until = ma.fields.Date(metadata={"description": "YYYY-MM-DD, inclusive"})
    q = ma.fields.String(validate=ma.validate.Length(max=200),
                         metadata={"description": "Words of the prompt, case-insensitive"})
    platform = ma.fields.String(validate=ma.validate.Length(max=40),
                                metadata={"description": "Social renditions for that platform"})
    format = ma.fields.String(validate=ma.validate.Length(max=80),
                              metadata={"description": "Social renditions of that format name (e.g. Story)"})
    provider = ma.fields.String(validate=ma.validate.Length(max=40))
    model = ma.fields.String(validate=ma.validate.Length(max=120))
    template = ma.fields.String(validate=ma.validate.Length(max=120),
                                metadata={"description": "Create images made with the template of that name"})
    parent_asset_id = ma.fields.String(validate=ma.validate.Length(max=32),
                                       metadata={"description": "Only what was made from that asset"})
    favorite = ma.fields.Boolean(metadata={"description": "true: favourites only; false: all but them"})
    collection_id = ma.fields.String(validate=ma.validate.Length(max=32),
                                     metadata={"description": "Only the assets in this collection of yours"})
    group_id = ma.fields.String(validate=ma.validate.Length(max=40),
                                metadata={"description": "Only the results of that one call"})


class AssetListSchema(ma.Schema):
    assets = ma.fields.List(ma.fields.Nested(AssetSchema), attribute="items")
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    pages = ma.fields.Integer()


class AssetZipSchema(ma.Schema):
    ids = ma.fields.List(ma.fields.String(), required=True, validate=ma.validate.Length(min=1, max=200))


class FavoriteSchema(ma.Schema):
    favorite = ma.fields.Boolean(required=True)


def _named(name: str) -> None:
    if not name.strip():
        raise ma.ValidationError("Give the collection a name")


class CollectionNameSchema(ma.Schema):
    """A collection's name: required, at most 120 characters, unique per user (checked by the service)."""

    name = ma.fields.String(required=True, validate=[_named, ma.validate.Length(max=120)])

    @ma.post_load
    def _strip(self, data, **_kwargs):
        return {**data, "name": data["name"].strip()}


class CollectionSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    asset_count = ma.fields.Integer(metadata={"description": "Images in it"})
    created_at = UtcDateTime()


class CollectionListSchema(ma.Schema):
    collections = ma.fields.List(ma.fields.Nested(CollectionSchema))


class CollectionAssetsSchema(ma.Schema):
    asset_ids = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=32)), required=True,
                               validate=ma.validate.Length(min=1, max=200))
