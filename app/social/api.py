"""Social Optimizer JSON API: one upload, every chosen platform format, as JSON or a ZIP."""
from collections.abc import Iterator

from flask import Response, request

from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.http.blueprint import Blueprint, releases_body
from app.social import service
from app.social.schemas import OptimizeRequestSchema, OptimizeResponseSchema
from app.studio.asynchronous import asynchronous

blp = Blueprint("social_api", __name__, url_prefix="/api/image-studio",
                description="Social Optimizer: crop and size one image for each platform")
ZIP = "application/zip"


def _zip_response(chunks: Iterator[bytes]) -> Response:
    return Response(chunks, mimetype=ZIP, headers={
        "Content-Disposition": 'attachment; filename="social-optimized.zip"'})


@blp.route("/social/optimize", methods=["POST"])
@auth_required
@blp.arguments(OptimizeRequestSchema)
@asynchronous(blp, "social")
@blp.response(200, OptimizeResponseSchema,
              description="JSON; with `Accept: application/zip`, the ZIP of /social/optimize.zip")
@blp.alt_response(400, description="Unknown platform or format, bad option, or not an image")
@blp.alt_response(413, description="Image over MAX_IMAGE_MB or MAX_IMAGE_PIXELS")
def optimize(args):
    """Optimize an image for several social platforms."""
    if request.accept_mimetypes.best_match(["application/json", ZIP]) == ZIP:
        return _zip_response(service.archive(require_user().id, args))
    return service.optimize(require_user().id, args)


@blp.route("/social/optimize.zip", methods=["POST"])
@auth_required
@blp.arguments(OptimizeRequestSchema)
@blp.response(200, content_type=ZIP,
              description="`<platform>_<format>.<ext>` entries (e.g. instagram_feed_post_square.png)")
@blp.alt_response(400, description="Unknown platform or format, bad option, or not an image")
@blp.alt_response(413, description="Image over MAX_IMAGE_MB or MAX_IMAGE_PIXELS")
@releases_body
def optimize_zip(args):
    """Optimize an image for several social platforms and download the results as a ZIP."""
    return _zip_response(service.archive(require_user().id, args))
