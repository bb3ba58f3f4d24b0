"""GET /providers and POST /estimate-cost: both read the one price table."""
import marshmallow as ma
from flask import current_app

from app.auth.guard import auth_required
from app.http.blueprint import Blueprint

from .base import CHECK_STATUSES
from .cli import providers as providers_cli
from .status import StatusBoard

blp = Blueprint("providers_api", __name__, url_prefix="/api/image-studio",
                description="AI providers, their capabilities and prices")


class ProviderInfoSchema(ma.Schema):
    name = ma.fields.String()
    models = ma.fields.List(ma.fields.String())
    capabilities = ma.fields.List(ma.fields.String())
    max_resolution = ma.fields.String()
    cost_range = ma.fields.String()
    configured = ma.fields.Boolean()
    status = ma.fields.String(validate=ma.validate.OneOf(CHECK_STATUSES), metadata={
        "description": "The last live check (key and models), cached; `flask providers check` "
                       "says why"})


class ProvidersSchema(ma.Schema):
    providers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(ProviderInfoSchema))


class EstimateRequestSchema(ma.Schema):
    provider = ma.fields.String(required=True, metadata={"description": "A provider name, or auto"})
    model = ma.fields.String(load_default=None, allow_none=True)
    operation = ma.fields.String(load_default="generate")
    num_images = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100))
    width = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=16384))
    height = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=16384))
    quality = ma.fields.String(load_default="standard", validate=ma.validate.OneOf(["draft", "standard", "premium"]),
                               metadata={"description": "Used to price provider auto"})


class EstimateSchema(ma.Schema):
    estimated_cost = ma.fields.Float()
    currency = ma.fields.String()
    provider = ma.fields.String()
    model = ma.fields.String(allow_none=True)
    operation = ma.fields.String()
    num_images = ma.fields.Integer()
    breakdown = ma.fields.Dict()


@blp.route("/providers")
@auth_required
@blp.response(200, ProvidersSchema)
def list_providers():
    """AI providers, their models and capabilities, whether each is configured and works."""
    return {"providers": current_app.extensions["provider_status"].describe()}


@blp.route("/estimate-cost", methods=["POST"])
@auth_required
@blp.arguments(EstimateRequestSchema)
@blp.response(200, EstimateSchema)
def estimate_cost(args):
    """Estimate the credits an operation will cost."""
    return current_app.extensions["providers"].estimate(
        args["provider"], args["model"], args["operation"], args["num_images"], args["width"],
        args["height"], args["quality"])


def init_app(app, api) -> None:
    app.extensions["provider_status"] = StatusBoard(
        app.extensions["providers"], app.config["PROVIDER_STATUS_TTL"],
        app.config["PROVIDER_STATUS_WAIT"])
    api.register_blueprint(blp)
    app.cli.add_command(providers_cli)
    app.extensions["modules"].append("providers")
