"""The endpoint every studio page shares."""
from flask import Response, url_for

from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.http.blueprint import Blueprint
from app.imaging import codec
from app.studio import preview as previews
from app.studio.schemas import PreviewQuerySchema, PreviewRequestSchema, PreviewSchema

blp = Blueprint("studio_api", __name__, url_prefix="/api/image-studio",
                description="What the studio pages share: a drawable preview of any upload")


@blp.route("/preview", methods=["POST"])
@auth_required
@blp.arguments(PreviewRequestSchema)
@blp.response(200, PreviewSchema)
@blp.alt_response(400, description="Not an image, or truncated")
@blp.alt_response(404, description="Unknown asset, or another user's")
@blp.alt_response(413, description="Image over MAX_IMAGE_MB or MAX_IMAGE_PIXELS")
def preview(args):
    """A copy of an upload or asset that any browser can draw (a TIFF's, say), with its size.
    Nothing is stored or charged."""
    return previews.preview(require_user().id, args)


@blp.route("/assets/<asset_id>/preview")
@auth_required
@blp.arguments(PreviewQuerySchema, location="query")
@blp.response(200, content_type="image/jpeg", description="JPEG, or WebP with transparency")
@blp.alt_response(404, description="Unknown asset, or another user's")
def asset_preview(args, asset_id):
    """One of your images, small and in a format any browser draws: a TIFF's copy, a tile."""
    data = previews.asset_preview(require_user().id, asset_id, args["side"])
    return Response(data, mimetype=codec.sniff_mime(data),
                    headers={"Cache-Control": "private, max-age=86400"})


def shown_url(asset) -> str:
    """Where a page's <img> gets an asset at full size: the file itself, or a TIFF's copy."""
    if asset.mime_type in previews.UNDRAWABLE:
        return url_for("studio_api.asset_preview", asset_id=asset.id)
    return url_for("assets_api.asset_bytes", asset_id=asset.id)


def tile_url(asset_id: str) -> str:
    """Where a Library tile gets an asset: a copy TILE_SIDE px at most, whatever the file."""
    return url_for("studio_api.asset_preview", asset_id=asset_id, side=previews.TILE_SIDE)


def init_app(app, api) -> None:
    api.register_blueprint(blp)
    app.add_template_global(shown_url)
    app.add_template_global(tile_url)
