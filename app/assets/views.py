"""The library page: every result, with filters, previews, downloads and bulk actions."""
from flask import Blueprint, render_template, request

from app.assets import service
from app.assets.schemas import STUDIOS
from app.auth.identity import login_required, require_user

bp = Blueprint("assets", __name__)


@bp.route("/library")
@login_required
def page():
    """Your images, newest first."""
    studio = request.args.get("studio") or None
    number = max(1, request.args.get("page", 1, type=int))
    result = service.list_assets(require_user().id, page=number, per_page=24,
                                 studio=studio if studio in STUDIOS else None)
    pages = max(1, -(-result.total // result.per_page))
    return render_template("assets/page.html", result=result, pages=pages, studio=studio or "",
                           studios=STUDIOS)
