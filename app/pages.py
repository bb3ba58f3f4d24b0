"""The home page: a map of the studios."""
from flask import Blueprint, render_template

from app.auth.guard import login_required

bp = Blueprint("pages", __name__)

# Navigation: (endpoint, label, description). Only endpoints that exist are shown.
NAV = (
    ("pages.home", "Home", "Overview"),
    ("create.page", "Create", "Generate images from a prompt, a template and your brand persona."),
    ("edit.page", "Edit", "Remove backgrounds, inpaint, outpaint, search & replace, recolor, relight."),
    ("upscale.page", "Upscale", "Enlarge for web, print or social, at an exact size."),
    ("control.page", "Control", "Sketch to image, structure, style and style transfer."),
    ("social.page", "Social", "One upload, every platform's crop within its limits."),
    ("compress.page", "Compress", "Smaller files: a quality, a target size in KB, WebP or AVIF."),
    ("convert.page", "Convert", "PNG, JPEG, WebP, AVIF, GIF, BMP or TIFF, transparency handled."),
    ("jobs.batch", "Campaign", "A CSV of prompts, previewed and priced, made as one job."),
    ("jobs.page", "Jobs", "Everything running or done: progress, time and cost; cancel."),
    ("assets.page", "Library", "Every image you have made, to preview, download or delete."),
    ("usage.page", "Usage", "Credits spent and left this month."),
    ("catalog.gallery", "Templates", "Ready-made sizes and styles for each platform."),
    ("catalog.specs", "Platform specs", "Formats, safe zones and file limits per platform."),
)


@bp.route("/")
@login_required
def home():
    """Studio overview for a signed-in user."""
    return render_template("pages/home.html")


def init_app(app, api) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def navigation():
        return {"nav_items": [(e, label) for e, label, _ in NAV],
                "nav_descriptions": {e: text for e, _, text in NAV},
                "view_endpoints": app.view_functions}
