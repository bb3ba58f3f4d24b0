"""The library page: every result, with filters, previews, downloads and bulk actions."""
from flask import Blueprint, render_template, request

from app.assets import service
from app.assets.schemas import STUDIOS, AssetQuerySchema
from app.auth.guard import login_required
from app.auth.identity import require_user
from app.http.errors import load_args

bp = Blueprint("assets", __name__)


@bp.route("/library")
@login_required
def page():
    """Your images, newest first."""
    args = load_args(AssetQuerySchema(), request.args)
    result = service.list_assets(require_user().id, **args)
    return render_template("assets/page.html", result=result, pages=result.pages,
                           studio=args.get("studio", ""), studios=STUDIOS, q=args.get("q", ""),
                           download_name=service.download_name)
