"""The Jobs page: recent jobs with status, progress, duration and cost (it drives the API)."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.catalog.styles import style_presets
from app.catalog.templates import all_templates
from app.social import service as social

bp = Blueprint("jobs", __name__)


@bp.route("/jobs")
@login_required
def page():
    """Recent jobs, refreshed while any is running; cancel one."""
    return render_template("jobs/page.html")


@bp.route("/batch")
@login_required
def batch():
    """A campaign from a CSV: preview the rows and their cost, run them, download the ZIP."""
    return render_template("batch/page.html", templates=all_templates(),
                           style_presets=style_presets(), **social.page_options())
