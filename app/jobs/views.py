"""The Jobs page: recent jobs with status, progress, duration and cost (it drives the API)."""
from flask import Blueprint, render_template

from app.auth.guard import login_required

bp = Blueprint("jobs", __name__)


@bp.route("/jobs")
@login_required
def page():
    """Recent jobs, refreshed while any is running; cancel one."""
    return render_template("jobs/page.html")
