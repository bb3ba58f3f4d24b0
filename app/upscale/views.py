"""Upscale Studio page: the form calls the JSON API from static/js/upscale.js."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.studio.delivery import upload_limits
from app.upscale import service

bp = Blueprint("upscale", __name__)


@bp.route("/upscale")
@login_required
def page():
    """Upload, choose mode and preset or exact size, see the output size, compare the result."""
    return render_template("upscale/page.html", limits=upload_limits(), **service.page_context())
