"""Accounts, bearer tokens and browser sessions."""
from app.auth import api as auth_api
from app.auth import identity, views


def init_app(app, api) -> None:
    api.register_blueprint(auth_api.blp)
    app.register_blueprint(views.bp)
    identity.init_app(app)
    app.extensions["modules"].append("auth")
