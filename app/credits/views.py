"""The usage page with a chart of spend over the month."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.auth.identity import require_user
from app.credits.usage import chart_points, usage_report

bp = Blueprint("usage", __name__)


@bp.route("/usage")
@login_required
def page():
    """Credits left and spent this month."""
    report = usage_report(require_user())
    return render_template("usage/page.html", report=report, chart=chart_points(report["by_day"]))
