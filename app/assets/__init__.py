"""Every image the service returns, kept for its owner: database rows plus stored bytes."""
from app.assets import api as assets_api
from app.assets import collections_api, storage, views


def init_app(app, api) -> None:
    api.register_blueprint(assets_api.blp)
    api.register_blueprint(collections_api.blp)
    app.register_blueprint(views.bp)
    app.extensions["asset_storage"] = storage.from_config(app.config)
    app.extensions["modules"].append("assets")
