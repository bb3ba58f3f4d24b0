"""Compress Studio page: the form calls the JSON API from static/js/compress.js."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.compress import service

bp = Blueprint("compress", __name__)


@bp.route("/compress")
@login_required
def page():
    """Drop a file, pick a preset or a target size, see the estimate, compare and download."""
    return render_template("compress/page.html", **service.page_context())
