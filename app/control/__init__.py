"""Control Studio: sketch to image, structure, style guide and style transfer."""
from app.control import api as control_api
from app.control import views


def init_app(app, api) -> None:
    api.register_blueprint(control_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].append("control_studio")
