"""Catalogue: templates, platform formats and specs (data files under data/)."""
from app.catalog import api as catalog_api
from app.catalog import views
from app.catalog.platforms import display_name


def init_app(app, api) -> None:
    app.add_template_filter(display_name, "platform_name")
    api.register_blueprint(catalog_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].extend(["templates", "social_formats", "platform_specs"])
