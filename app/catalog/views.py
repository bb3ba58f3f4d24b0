"""Template gallery and platform-specs pages."""
from flask import Blueprint, render_template, request

from app.auth.identity import login_required
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
        items = templates.filter_templates(platform, category)
        if query:
            ranked = templates.search_templates(query)
            allowed = {t["id"] for t in items}
            items = [t for t in ranked if t["id"] in allowed]
    except AppError as exc:
        error, items = exc.detail, []
    return render_template("catalog/gallery.html", templates=items, error=error, query=query,
                           platform=platform, category=category,
                           platforms=templates.platforms(), categories=templates.categories()), (400 if error else 200)


@bp.route("/platform-specs")
@login_required
def specs():
    """Every platform's formats, safe zones and file limits on one page."""
    rows = []
    for name in platforms.platform_names():
        try:
            spec = platforms.specs_for(name)
        except AppError:
            continue
        rows.append({"key": name, "spec": spec, "formats": platforms.formats_for(name)})
    return render_template("catalog/specs.html", rows=rows)
