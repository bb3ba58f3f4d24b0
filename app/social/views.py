"""Social Optimizer page: the form drives the JSON API from static/js/social.js."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.social import service

bp = Blueprint("social", __name__)


@bp.route("/social")
@login_required
def page():
    """Upload once, pick platforms, formats, crop and focal point; preview and download."""
    return render_template("social/page.html", **service.page_options())
