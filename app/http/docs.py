"""Swagger UI served from the installed swagger-ui-bundle, so /api/docs works offline."""
from flask import Blueprint, Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("api_docs_assets", __name__)


@bp.route("/api/docs/assets/<path:filename>")
def swagger_asset(filename):
    """One file of the Swagger UI bundle."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
