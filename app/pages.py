"""The home page: a map of the studios; and the icon a browser asks for at the root."""
from flask import Blueprint, redirect, render_template, url_for

from app.auth.guard import login_required

bp = Blueprint("pages", __name__)

# Navigation: (endpoint, label, description, place). The studios a marketer works in are in the
# top bar; tools and reference pages are under "More". Only endpoints that exist are shown.
NAV = (
    ("create.page", "Create", "Generate images from a prompt, a template and your brand persona.", "main"),
    ("edit.page", "Edit", "Remove backgrounds, inpaint, outpaint, search & replace, recolor, relight.", "main"),
    ("upscale.page", "Upscale", "Enlarge for web, print or social, at an exact size.", "main"),
    ("control.page", "Control", "Sketch to image, structure, style and style transfer.", "more"),
    ("social.page", "Social", "One upload, every platform's crop within its limits.", "main"),
    ("compress.page", "Compress", "Smaller files: a quality, a target size in KB, WebP or AVIF.", "more"),
    ("convert.page", "Convert", "PNG, JPEG, WebP, AVIF, GIF, BMP or TIFF, transparency handled.", "more"),
    ("jobs.batch", "Campaign", "A CSV of prompts, previewed and priced, made as one job.", "main"),
    ("create.personas", "Personas", "Brand kits: keywords, colours, a logo and a font for every image.", "main"),
    ("jobs.page", "Jobs", "Everything running or done: progress, time and cost; cancel.", "more"),
    ("assets.page", "Library", "Every image you have made, to preview, download or delete.", "main"),
    ("usage.page", "Usage", "Credits spent and left this month.", "more"),
    ("catalog.gallery", "Templates", "Ready-made sizes and styles for each platform.", "more"),
    ("catalog.specs", "Platform specs", "Formats, safe zones and file limits per platform.", "more"),
)


@bp.route("/")
@login_required
def home():
    """Studio overview for a signed-in user."""
    return render_template("pages/home.html")


@bp.route("/favicon.ico")
def favicon():
    """Where a browser looks for an icon when a page names none (the API docs, a JSON answer
    opened in a tab): the app's own icon, rather than a 404 in the log at every such visit."""
    return redirect(url_for("static", filename="favicon.svg"), code=308)


def init_app(app, api) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def navigation():
        return {"nav_items": [(e, label) for e, label, _, place in NAV if place == "main"],
                "nav_more": [(e, label) for e, label, _, place in NAV if place == "more"],
                "nav_cards": [(e, label, text) for e, label, text, _ in NAV],
                "view_endpoints": app.view_functions}
