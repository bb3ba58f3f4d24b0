"""Upscale Studio: fast, conservative and creative upscaling to presets or exact sizes."""
from app.upscale import api as upscale_api
from app.upscale import views


def init_app(app, api) -> None:
    api.register_blueprint(upscale_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].append("upscale_studio")
