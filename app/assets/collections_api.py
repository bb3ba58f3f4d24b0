"""Named collections (campaigns) of your images: list, create, rename, delete, add and remove images."""
from app.assets import collections
from app.assets.schemas import CollectionAssetsSchema, CollectionListSchema, CollectionNameSchema, CollectionSchema
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.http.blueprint import Blueprint

blp = Blueprint("collections_api", __name__, url_prefix="/api/image-studio/collections",
                description="Named collections of stored images")
UNKNOWN = "Unknown collection, or another user's"


@blp.route("")
@auth_required
@blp.response(200, CollectionListSchema)
def list_collections():
    """List your collections by name, with how many images each holds."""
    return {"collections": collections.list_collections(require_user().id)}


@blp.route("", methods=["POST"])
@auth_required
@blp.arguments(CollectionNameSchema)
@blp.response(201, CollectionSchema)
def create_collection(args):
    """Create an empty collection; names are unique per user (400 for a name you already use)."""
    return collections.create_collection(require_user().id, args["name"])


@blp.route("/<collection_id>", methods=["PUT"])
@auth_required
@blp.arguments(CollectionNameSchema)
@blp.response(200, CollectionSchema)
@blp.alt_response(404, description=UNKNOWN)
def rename_collection(args, collection_id):
    """Rename one of your collections."""
    return collections.rename_collection(require_user().id, collection_id, args["name"])


@blp.route("/<collection_id>", methods=["DELETE"])
@auth_required
@blp.response(204)
@blp.alt_response(404, description=UNKNOWN)
def delete_collection(collection_id):
    """Delete one of your collections; its images stay in your library."""
    collections.delete_collection(require_user().id, collection_id)


@blp.route("/<collection_id>/assets", methods=["POST"])
@auth_required
@blp.arguments(CollectionAssetsSchema)
@blp.response(200, CollectionSchema)
@blp.alt_response(404, description=UNKNOWN + "; or an image that is not yours")
def add_assets(args, collection_id):
    """Add your images to a collection (ones already in it stay once)."""
    return collections.add_assets(require_user().id, collection_id, args["asset_ids"])


@blp.route("/<collection_id>/assets/<asset_id>", methods=["DELETE"])
@auth_required
@blp.response(204)
@blp.alt_response(404, description=UNKNOWN + "; or the image is not in it")
def remove_asset(collection_id, asset_id):
    """Take an image out of a collection; the image stays in your library."""
    collections.remove_asset(require_user().id, collection_id, asset_id)
