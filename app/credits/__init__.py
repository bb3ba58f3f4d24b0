"""Credits: a ledger of every priced operation, monthly allowances by tier, usage reports."""
from app.credits import api as credits_api
from app.credits import cli, views


def init_app(app, api) -> None:
    api.register_blueprint(credits_api.blp)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.credits)
    app.extensions["modules"].append("credits")
