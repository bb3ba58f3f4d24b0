"""Create Studio JSON API: generate images, and the personas (brand kits) they can use."""
from flask import Response

from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.create import personas, service
from app.create.schemas import (
    CreatePreviewRequestSchema,
    CreatePreviewSchema,
    CreateRequestSchema,
    CreateResponseSchema,
    FontListSchema,
    FontSampleQuerySchema,
    PersonaListSchema,
    PersonaSchema,
    PersonaUpdateSchema,
)
from app.http.blueprint import Blueprint
from app.studio.asynchronous import asynchronous

blp = Blueprint("create_api", __name__, url_prefix="/api/image-studio",
                description="Generate images from a prompt, a template and a persona")


@blp.route("/create", methods=["POST"])
@auth_required
@blp.arguments(CreateRequestSchema)
@asynchronous(blp, "create")
@blp.response(200, CreateResponseSchema)
@blp.alt_response(400, description="Invalid field, unknown template or a moderation refusal")
@blp.alt_response(404, description="Unknown persona")
@blp.alt_response(500, description="Every variation failed at the provider")
@blp.alt_response(503, description="The named provider is not configured")
def create(args):
    """Generate one or more images from a prompt."""
    return service.generate(require_user().id, args)


@blp.route("/create/preview", methods=["POST"])
@auth_required
@blp.arguments(CreatePreviewRequestSchema)
@blp.response(200, CreatePreviewSchema)
@blp.alt_response(400, description="Invalid field or unknown template")
@blp.alt_response(404, description="Unknown persona")
@blp.alt_response(503, description="The named provider is not configured")
def preview(args):
    """Resolve a Create body (style, size, provider, prompt, cost) without generating or charging."""
    return service.preview(require_user().id, args)


@blp.route("/personas")
@auth_required
@blp.response(200, PersonaListSchema)
def list_personas():
    """List your personas (brand kits)."""
    items = personas.list_personas(require_user().id)
    return {"personas": items, "total": len(items)}


@blp.route("/personas", methods=["POST"])
@auth_required
@blp.arguments(PersonaSchema)
@blp.response(201, PersonaSchema)
def create_persona(args):
    """Create a persona: brand keywords, colour palette, style preset, negative terms, logo and font."""
    return personas.create_persona(require_user().id, args)


@blp.route("/personas/<persona_id>")
@auth_required
@blp.response(200, PersonaSchema)
@blp.alt_response(404, description="Unknown persona, or another user's")
def get_persona(persona_id):
    """One of your personas."""
    return personas.get_persona(require_user().id, persona_id)


@blp.route("/personas/<persona_id>", methods=["PUT"])
@auth_required
@blp.arguments(PersonaUpdateSchema)
@blp.response(200, PersonaSchema)
@blp.alt_response(404, description="Unknown persona, or another user's")
def update_persona(args, persona_id):
    """Change a persona; fields left out keep their values."""
    return personas.update_persona(require_user().id, persona_id, args)


@blp.route("/personas/<persona_id>", methods=["DELETE"])
@auth_required
@blp.response(204)
@blp.alt_response(404, description="Unknown persona, or another user's")
def delete_persona(persona_id):
    """Delete a persona."""
    personas.delete_persona(require_user().id, persona_id)


@blp.route("/fonts")
@auth_required
@blp.response(200, FontListSchema)
def list_fonts():
    """List the fonts a persona's headline and call to action can be drawn in."""
    items = personas.list_fonts()
    return {"fonts": items, "total": len(items)}


@blp.route("/fonts/<font_id>/sample")
@auth_required
@blp.arguments(FontSampleQuerySchema, location="query")
@blp.response(200, content_type="image/png", description="The text in the font, dark on white")
@blp.alt_response(404, description="Unknown font")
def font_sample(args, font_id):
    """A line of text drawn in one of the fonts, as a PNG."""
    return Response(personas.font_sample(font_id, args["text"]), mimetype="image/png",
                    headers={"Cache-Control": "private, max-age=3600"})
