"""The asset library: list, download, delete, and download several as a ZIP."""
from flask import Response

from app.api import Blueprint
from app.assets import service
from app.assets.schemas import AssetListSchema, AssetQuerySchema, AssetZipSchema
from app.auth.identity import require_user

blp = Blueprint("assets_api", __name__, url_prefix="/api/image-studio/assets",
                description="Stored result images")


@blp.route("")
@blp.arguments(AssetQuerySchema, location="query")
@blp.response(200, AssetListSchema)
def list_assets(args):
    """List your images, newest first, filtered by studio, operation and date."""
    page = service.list_assets(require_user().id, **args)
    return {"assets": page.items, "total": page.total, "page": page.page, "per_page": page.per_page,
            "pages": max(1, -(-page.total // page.per_page))}


@blp.route("/<asset_id>")
@blp.response(200, content_type="image/png", description="The image bytes (PNG, JPEG or WebP)")
@blp.alt_response(404, description="Unknown asset, or another user's")
def asset_bytes(asset_id):
    """Download a stored result image."""
    asset, data = service.asset_bytes(require_user().id, asset_id)
    extension = service.EXTENSIONS.get(asset.mime_type, "bin")
    return Response(data, mimetype=asset.mime_type, headers={
        "Content-Disposition": f'inline; filename="{asset.studio}-{asset.id}.{extension}"',
        "Cache-Control": "private, max-age=86400",
    })


@blp.route("/<asset_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, description="Unknown asset, or another user's")
def delete_asset(asset_id):
    """Delete one of your images."""
    service.delete_asset(require_user().id, asset_id)


@blp.route("/zip", methods=["POST"])
@blp.arguments(AssetZipSchema)
@blp.response(200, content_type="application/zip", description="The chosen images as a ZIP")
def zip_assets(args):
    """Download several of your images as one ZIP."""
    data = service.zip_assets(require_user().id, args["ids"])
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="image-studio-assets.zip"'})
