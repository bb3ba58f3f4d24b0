"""Convert Studio page: the form calls the JSON API from static/js/convert.js."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.convert import service

bp = Blueprint("convert", __name__)


@bp.route("/convert")
@login_required
def page():
    """Drop a file, choose the target format and background, compare and download."""
    return render_template("convert/page.html", **service.page_context())
