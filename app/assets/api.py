"""Asset bytes for their owner."""
from flask import Response

from app.api import Blueprint
from app.assets import service
from app.auth.identity import require_user

blp = Blueprint("assets_api", __name__, url_prefix="/api/image-studio/assets",
                description="Stored result images")


@blp.route("/<asset_id>")
@blp.response(200, content_type="image/png", description="The image bytes (PNG, JPEG or WebP)")
@blp.alt_response(404, description="Unknown asset, or another user's")
def asset_bytes(asset_id):
    """Download a stored result image."""
    asset, data = service.asset_bytes(require_user().id, asset_id)
    return Response(data, mimetype=asset.mime_type, headers={
        "Content-Disposition": f'inline; filename="{asset.studio}-{asset.id}.{service.EXTENSIONS.get(asset.mime_type, "bin")}"',
        "Cache-Control": "private, max-age=86400",
    })
