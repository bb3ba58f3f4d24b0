"""Control Studio endpoints."""
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.control import service
from app.control.schemas import ControlOperationsSchema, ControlRequestSchema, ControlResultSchema
from app.http.blueprint import Blueprint
from app.studio.asynchronous import asynchronous

blp = Blueprint("control_api", __name__, url_prefix="/api/image-studio",
                description="Control Studio: sketch to image, structure, style and style transfer")


@blp.route("/control/process", methods=["POST"])
@auth_required
@blp.arguments(ControlRequestSchema)
@asynchronous(blp, "control")
@blp.response(200, ControlResultSchema)
def process_control(args):
    """Generate an image guided by a sketch, a structure, a style or a style image."""
    return service.process_control(require_user().id, args)


@blp.route("/control/operations")
@auth_required
@blp.response(200, ControlOperationsSchema)
def control_operations():
    """Metadata of every Control Studio operation: label, provider and which fields it uses."""
    return service.operations()
