"""Template gallery and platform-specs pages."""
from flask import Blueprint, render_template, request

from app.auth.guard import login_required
from app.catalog import platforms, templates
from app.errors import AppError

bp = Blueprint("catalog", __name__)


@bp.route("/templates")
@login_required
def gallery():
    """Templates with platform/category filters and a ranked search box."""
    platform = request.args.get("platform", "")
    category = request.args.get("category", "")
    query = request.args.get("q", "").strip()
    error = None
    try:
        items = templates.browse_templates(platform, category, query)
    except AppError as exc:
        error, items = exc.detail, []
    page = render_template("catalog/gallery.html", templates=items, error=error, query=query,
                           platform=platform, category=category,
                           platforms=templates.platforms(), categories=templates.category_counts())
    return page, (400 if error else 200)


@bp.route("/platform-specs")
@login_required
def specs():
    """Every platform's formats, safe zones and file limits on one page."""
    return render_template("catalog/specs.html", rows=platforms.spec_rows())
