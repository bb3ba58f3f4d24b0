"""Edit Studio endpoints."""
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.edit import service
from app.edit.schemas import EditOperationsSchema, EditRequestSchema, EditResultSchema
from app.http.blueprint import Blueprint
from app.studio.asynchronous import asynchronous

blp = Blueprint("edit_api", __name__, url_prefix="/api/image-studio",
                description="Edit Studio: remove backgrounds, inpaint, outpaint, replace, "
                            "recolor, relight, erase")


@blp.route("/edit/process", methods=["POST"])
@auth_required
@blp.arguments(EditRequestSchema)
@asynchronous(blp, "edit")
@blp.response(200, EditResultSchema)
def process_edit(args):
    """Apply an Edit Studio operation to an image."""
    return service.process_edit(require_user().id, args)


@blp.route("/edit/operations")
@auth_required
@blp.response(200, EditOperationsSchema)
def edit_operations():
    """Metadata of every Edit Studio operation: label, provider and which fields it uses."""
    return service.operations()
