"""Create Studio pages: the generator and the persona manager (both drive the JSON API)."""
from flask import Blueprint, render_template, request

from app.auth.guard import login_required
from app.auth.identity import require_user
from app.create import personas as brand_kits
from app.create import service
from app.errors import AppError, NotFound
from app.studio.delivery import upload_limits

bp = Blueprint("create", __name__)


@bp.route("/create")
@login_required
def page():
    """Prompt, template, brand kit and variations, with a summary of the resolved request;
    `?template=` (or the gallery's `?template_id=`) preselects a template, and `?like=<asset
    id>` (the Library's "More like this") fills the form with that image's settings."""
    template_id = request.args.get("template") or request.args.get("template_id") or None
    like, error, status = None, None, 200
    try:
        if request.args.get("like"):
            like = service.settings_like(require_user().id, request.args["like"])
            template_id = like.settings.get("template_id")
        options = service.page_options(template_id)
    except AppError as exc:
        options, error = service.page_options(None), exc.detail
        status = 404 if isinstance(exc, NotFound) else 200
    return render_template("create/page.html", error=error, like=like, **options), status


@bp.route("/create/personas")
@login_required
def personas():
    """List, create, edit and delete personas."""
    return render_template("create/personas.html", limits=upload_limits(), **brand_kits.page_options())
