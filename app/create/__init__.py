"""Create Studio: text-to-image with templates, personas and concurrent variations."""
from app.create import api as create_api
from app.create import views


def init_app(app, api) -> None:
    api.register_blueprint(create_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].append("create_studio")
