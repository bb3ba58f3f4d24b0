"""GET /usage: the caller's credits this month."""
import marshmallow as ma

from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.credits.usage import usage_report
from app.http.blueprint import Blueprint

blp = Blueprint("credits_api", __name__, url_prefix="/api/image-studio", description="Credits and usage",
                tag="Usage")


class DaySchema(ma.Schema):
    date = ma.fields.String()
    credits = ma.fields.Float()


class UsageSchema(ma.Schema):
    tier = ma.fields.String()
    currency = ma.fields.String()
    period_start = ma.fields.String()
    allowance = ma.fields.Float()
    granted = ma.fields.Float()
    spent = ma.fields.Float()
    balance = ma.fields.Float()
    operations = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_studio = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float())
    by_provider = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float())
    by_day = ma.fields.List(ma.fields.Nested(DaySchema))


@blp.route("/usage")
@auth_required
@blp.response(200, UsageSchema)
def usage():
    """Balance, monthly allowance and spend by studio, provider and day."""
    return usage_report(require_user())
