"""Edit Studio page: the form calls the JSON API from static/js/edit.js."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.edit import service
from app.studio.delivery import upload_limits

bp = Blueprint("edit", __name__)


@bp.route("/edit")
@login_required
def page():
    """Upload, pick an operation, paint a mask or set the expansion, compare the result."""
    return render_template("edit/page.html", limits=upload_limits(keeps_size=True),
                           reference_limits=upload_limits(), **service.page_context())
