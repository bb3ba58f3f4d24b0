"""Health: the authenticated module report, and the public liveness probe."""
import marshmallow as ma
from flask import current_app
from sqlalchemy import text

from app.auth.guard import auth_required
from app.extensions import db
from app.http.blueprint import Blueprint
from app.ratelimit import store_state

blp = Blueprint("health_api", __name__, description="Service health")


class HealthSchema(ma.Schema):
    status = ma.fields.String()
    service = ma.fields.String()
    version = ma.fields.String()
    modules = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


class LivenessSchema(ma.Schema):
    status = ma.fields.String()
    database = ma.fields.String()
    ratelimit = ma.fields.String(metadata={
        "description": '"ok", or "degraded" while the rate-limit store (Redis) fails and limits '
                       "are counted per process"})


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not ready"; the reason goes to the log
        current_app.logger.exception("database health check failed")
        db.session.rollback()
        return False


@blp.route("/api/image-studio/health")
@auth_required
@blp.response(200, HealthSchema)
def health():
    """Image Studio health with one entry per module that is installed."""
    database = _database_ok()
    modules = {name: "available" for name in current_app.extensions["modules"]}
    modules["database"] = "available" if database else "unavailable"
    return {"status": "healthy" if database else "degraded", "service": "image_studio",
            "version": current_app.config["API_VERSION"], "modules": modules}


@blp.route("/healthz")
@blp.response(200, LivenessSchema)
@blp.alt_response(503, schema=LivenessSchema, description="Database unreachable")
@blp.doc(security=[])
def healthz():
    """Public liveness probe for load balancers."""
    ratelimit = store_state()
    if _database_ok():
        return {"status": "ok", "database": "ok", "ratelimit": ratelimit}
    return {"status": "unavailable", "database": "unreachable", "ratelimit": ratelimit}, 503


def init_app(app, api) -> None:
    api.register_blueprint(blp)
