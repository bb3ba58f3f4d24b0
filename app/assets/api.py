"""The asset library: list, download, favourite, delete, and download several as a ZIP."""
from flask import Response, stream_with_context

from app.admission import streams
from app.assets import listing, service
from app.assets.schemas import AssetListSchema, AssetQuerySchema, AssetSchema, AssetZipSchema, FavoriteSchema
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.http.blueprint import Blueprint

blp = Blueprint("assets_api", __name__, url_prefix="/api/image-studio/assets",
                description="Stored result images")


@blp.route("")
@auth_required
@blp.arguments(AssetQuerySchema, location="query")
@blp.response(200, AssetListSchema)
def list_assets(args):
    """List your images, newest first; filters (studio, platform, provider, favourites, collection...) combine."""
    return listing.list_assets(require_user().id, **args)


@blp.route("/<asset_id>")
@auth_required
@blp.response(200, content_type="image/png", description="The image bytes (PNG, JPEG or WebP)")
@blp.alt_response(404, description="Unknown asset, or another user's")
def asset_bytes(asset_id):
    """Download a stored result image."""
    asset, data = service.asset_bytes(require_user().id, asset_id)
    return Response(data, mimetype=asset.mime_type, headers={
        "Content-Disposition": f'inline; filename="{service.download_name(asset)}"',
        "Cache-Control": "private, max-age=86400",
    })


@blp.route("/<asset_id>", methods=["DELETE"])
@auth_required
@blp.response(204)
@blp.alt_response(404, description="Unknown asset, or another user's")
def delete_asset(asset_id):
    """Delete one of your images."""
    service.delete_asset(require_user().id, asset_id)


@blp.route("/<asset_id>/favorite", methods=["PUT"])
@auth_required
@blp.arguments(FavoriteSchema)
@blp.response(200, AssetSchema)
@blp.alt_response(404, description="Unknown asset, or another user's")
def set_favorite(args, asset_id):
    """Star or unstar one of your images."""
    return service.set_favorite(require_user().id, asset_id, args["favorite"])


@blp.route("/zip", methods=["POST"])
@auth_required
@blp.arguments(AssetZipSchema)
@blp.response(200, content_type="application/zip", description="The chosen images as a ZIP")
@blp.alt_response(503, description="ZIP_STREAMS downloads are already streaming from this process")
def zip_assets(args):
    """Download several of your images as one ZIP."""
    chunks = streams.open(service.zip_assets(require_user().id, args["ids"]))
    return Response(stream_with_context(chunks), mimetype="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="image-studio-assets.zip"'})
