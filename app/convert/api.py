"""Convert Studio endpoints."""
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.convert import service
from app.convert.schemas import ConvertBatchSchema, ConvertRequestSchema, ConvertResultSchema, SupportedSchema
from app.http.blueprint import Blueprint, releases_body
from app.http.errors import load_each
from app.studio.schemas import DeliveryBatchRequestSchema

blp = Blueprint("convert_api", __name__, url_prefix="/api/image-studio",
                description="Convert Studio: PNG, JPEG, WebP, AVIF, GIF, BMP, TIFF")


@blp.route("/convert-format", methods=["POST"])
@auth_required
@blp.arguments(ConvertRequestSchema)
@blp.response(200, ConvertResultSchema)
@blp.alt_response(400, description="Unknown target format, bad background, or not an image")
@blp.alt_response(413, description="Image over MAX_IMAGE_MB or MAX_IMAGE_PIXELS")
@releases_body
def convert(args):
    """Convert an image to another format, handling transparency."""
    return service.convert(require_user().id, args)


@blp.route("/convert-format/batch", methods=["POST"])
@auth_required
@blp.arguments(DeliveryBatchRequestSchema)
@blp.response(200, ConvertBatchSchema)
@releases_body
def convert_batch(args):
    """Convert up to 20 images, each with its own options; one failure does not stop the rest."""
    return service.convert_batch(require_user().id, load_each(ConvertRequestSchema(), args.pop("images")))


@blp.route("/convert-format/supported")
@auth_required
@blp.response(200, SupportedSchema)
def supported():
    """The formats read and written, with what each can hold."""
    return service.supported()
