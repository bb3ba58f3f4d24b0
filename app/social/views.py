"""Social Optimizer page: the form drives the JSON API from static/js/social.js."""
from flask import Blueprint, render_template

from app.auth.guard import login_required
from app.auth.identity import require_user
from app.create.personas import list_personas
from app.social import service
from app.studio.delivery import upload_limits

bp = Blueprint("social", __name__)


@bp.route("/social")
@login_required
def page():
    """Upload once, pick platforms, formats, crop and focal point; preview and download."""
    return render_template("social/page.html", personas=list_personas(require_user().id),
                           limits=upload_limits(), **service.page_options())
