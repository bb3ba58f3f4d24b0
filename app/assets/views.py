"""The library pages: every result, filtered and grouped by the call that made it, and one
result with its lineage."""
from flask import Blueprint, render_template, request

from app.assets import library, service
from app.assets.schemas import STUDIOS, AssetQuerySchema
from app.auth.guard import login_required
from app.auth.identity import require_user
from app.http.errors import load_args

bp = Blueprint("assets", __name__)
KEPT = ("studio", "operation", "q", "platform", "format", "provider", "model", "template", "parent_asset_id",
        "favorite", "collection_id", "per_page")  # by the pager


@bp.route("/library")
@login_required
def page():
    """Your images, newest first."""
    args = load_args(AssetQuerySchema(), request.args)
    shown = library.library_page(require_user().id, **args)
    filters = {name: request.args[name] for name in KEPT if request.args.get(name)}
    without_parent = {name: value for name, value in filters.items() if name != "parent_asset_id"}
    return render_template("assets/page.html", shown=shown, result=shown.result, pages=shown.result.pages,
                           filters=filters, without_parent=without_parent, studios=STUDIOS,
                           download_name=service.download_name)


@bp.route("/library/<asset_id>")
@login_required
def detail(asset_id):
    """One image large, with what made it and what was made from it."""
    found = library.asset_detail(require_user().id, asset_id)
    return render_template("assets/detail.html", detail=found, asset=found.asset,
                           download_name=service.download_name)
