"""Compress Studio endpoints."""
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.compress import service
from app.compress.schemas import (
    CompressBatchSchema,
    CompressEstimateRequestSchema,
    CompressEstimateSchema,
    CompressFormatsSchema,
    CompressRequestSchema,
    CompressResultSchema,
    PresetListSchema,
)
from app.http.blueprint import Blueprint, releases_body
from app.http.errors import load_each
from app.studio.schemas import DeliveryBatchRequestSchema

blp = Blueprint("compress_api", __name__, url_prefix="/api/image-studio",
                description="Compress Studio: quality, target size in KB, WebP and AVIF")


@blp.route("/compress", methods=["POST"])
@auth_required
@blp.arguments(CompressRequestSchema)
@blp.response(200, CompressResultSchema)
@blp.alt_response(400, description="Bad option or image; a target_size_kb below the smallest reachable size")
@blp.alt_response(413, description="Image over MAX_IMAGE_MB or MAX_IMAGE_PIXELS")
@releases_body
def compress(args):
    """Compress an image at a quality, or to at most `target_size_kb`."""
    return service.compress(require_user().id, args)


@blp.route("/compress/batch", methods=["POST"])
@auth_required
@blp.arguments(DeliveryBatchRequestSchema)
@blp.response(200, CompressBatchSchema)
@releases_body
def compress_batch(args):
    """Compress up to 20 images, each with its own options; one failure does not stop the rest."""
    return service.compress_batch(require_user().id, load_each(CompressRequestSchema(), args.pop("images")))


@blp.route("/compress/estimate", methods=["POST"])
@auth_required
@blp.arguments(CompressEstimateRequestSchema)
@blp.response(200, CompressEstimateSchema)
def estimate(args):
    """The compressed size at a format and quality, computed; nothing is stored."""
    return service.estimate(require_user().id, args)


@blp.route("/compress/formats")
@auth_required
@blp.response(200, CompressFormatsSchema)
def formats():
    """The formats compress writes, and what each is for."""
    return service.formats()


@blp.route("/compress/presets")
@auth_required
@blp.response(200, PresetListSchema)
def presets():
    """Ready-made choices: web, email, social, high_quality, maximum."""
    return service.presets()
