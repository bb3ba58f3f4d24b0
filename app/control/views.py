"""Control Studio page: the form calls the JSON API from static/js/control.js."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.control import service

bp = Blueprint("control", __name__)


@bp.route("/control")
@login_required
def page():
    """Upload a control image (and a style image), set strengths, compare the result."""
    return render_template("control/page.html", **service.page_context())
