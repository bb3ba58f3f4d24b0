"""POST /api/auth/token."""
from flask import current_app

from app.auth import service
from app.auth.schemas import CredentialsSchema, TokenSchema
from app.auth.throttle import sign_in_limits
from app.auth.tokens import issue_token
from app.http.blueprint import Blueprint

blp = Blueprint("auth_api", __name__, url_prefix="/api/auth", description="Bearer tokens",
                tag="Authentication")


@blp.route("/token", methods=["POST"])
@sign_in_limits()
@blp.arguments(CredentialsSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, description="Invalid email or password")
@blp.alt_response(429, description="Too many failed sign-in attempts for this account or address")
@blp.doc(security=[])
def create_token(credentials):
    """Exchange an email and password for a bearer token."""
    user = service.authenticate(credentials["email"], credentials["password"])
    expires_in = current_app.config["TOKEN_EXPIRES_IN"]
    token = issue_token(user, current_app.config["SECRET_KEY"], expires_in)
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
