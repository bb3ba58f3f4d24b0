"""Upscale Studio endpoint."""
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.http.blueprint import Blueprint
from app.studio.asynchronous import asynchronous
from app.upscale import service
from app.upscale.schemas import UpscaleRequestSchema, UpscaleResultSchema

blp = Blueprint("upscale_api", __name__, url_prefix="/api/image-studio",
                description="Upscale Studio: fast, conservative and creative upscaling")


@blp.route("/upscale", methods=["POST"])
@auth_required
@blp.arguments(UpscaleRequestSchema)
@asynchronous(blp, "upscale")
@blp.response(200, UpscaleResultSchema)
def upscale(args):
    """Upscale an image to a preset, an exact size or the mode's own factor."""
    return service.upscale(require_user().id, args)
