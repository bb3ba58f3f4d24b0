"""Catalogue: templates, platform formats and specs (data files under data/)."""

def init_app(app, api) -> None:
    from app.catalog import api as catalog_api
    from app.catalog import views

    api.register_blueprint(catalog_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["modules"].extend(["templates", "social_formats", "platform_specs"])
