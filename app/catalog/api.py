"""Catalogue endpoints: templates, platform formats and platform specs."""
from app.auth.guard import auth_required
from app.catalog import platforms, templates
from app.catalog.schemas import (
    FormatListSchema,
    PlatformSpecSchema,
    TemplateFilterSchema,
    TemplateListSchema,
    TemplateRecommendSchema,
    TemplateSearchSchema,
)
from app.http.blueprint import Blueprint

blp = Blueprint("catalog_api", __name__, url_prefix="/api/image-studio",
                description="Templates, social formats and platform specifications")


def _listing(items: list[dict]) -> dict:
    return {"templates": items, "total": len(items)}


@blp.route("/templates")
@auth_required
@blp.arguments(TemplateFilterSchema, location="query")
@blp.response(200, TemplateListSchema)
def list_templates(args):
    """List templates, filtered by platform and/or category."""
    return _listing(templates.filter_templates(args.get("platform"), args.get("category")))


@blp.route("/templates/search")
@auth_required
@blp.arguments(TemplateSearchSchema, location="query")
@blp.response(200, TemplateListSchema)
def search_templates(args):
    """Search templates; results ranked by relevance."""
    return _listing(templates.search_templates(args["query"]))


@blp.route("/templates/recommend")
@auth_required
@blp.arguments(TemplateRecommendSchema, location="query")
@blp.response(200, TemplateListSchema)
def recommend_templates(args):
    """Recommend templates for a use case, optionally on one platform."""
    return _listing(templates.recommend_templates(args["use_case"], args.get("platform")))


@blp.route("/social/platforms/<platform>/formats")
@auth_required
@blp.response(200, FormatListSchema)
@blp.alt_response(404, description="Unknown platform")
def platform_formats(platform):
    """Social Optimizer formats of one platform."""
    return {"formats": platforms.formats_for(platform)}


@blp.route("/platform-specs/<platform>")
@auth_required
@blp.response(200, PlatformSpecSchema)
@blp.alt_response(404, description="Unknown platform or no specifications")
def platform_specs(platform):
    """Specifications and requirements of one platform."""
    return platforms.specs_for(platform)
