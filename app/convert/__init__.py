"""Convert Studio: PNG, JPEG, WebP, AVIF, GIF, BMP or TIFF, with transparency handled."""
from app.convert import api as convert_api
from app.convert import views


def init_app(app, api) -> None:
    api.register_blueprint(convert_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].append("conversion")
