"""Compress Studio: smaller files at a quality or under a target size, never smaller pictures."""
from app.compress import api as compress_api
from app.compress import views


def init_app(app, api) -> None:
    api.register_blueprint(compress_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].append("compression")
