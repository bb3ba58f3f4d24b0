"""Control Studio page: the form calls the JSON API from static/js/control.js."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.control import service
from app.studio.delivery import upload_limits

bp = Blueprint("control", __name__)


@bp.route("/control")
@login_required
def page():
    """Upload a control image (and a style image), set strengths, compare the result."""
    return render_template("control/page.html", limits=upload_limits(), **service.page_context())
