"""Persona (brand kit) storage, owner-only: another user's persona is as unknown as a missing one;
and the fonts a persona may choose, with a sample of each for the page."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.assets.service import owned_asset, store_result
from app.catalog.styles import phrased_presets
from app.create.models import Persona
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.imaging import fonts
from app.studio.inputs import load_input

FIELDS = ("name", "description", "brand_keywords", "color_palette", "style_preset",
          "negative_terms", "font")
MISSING_LOGO = "logo_base64 is not an image"
MAX_COLOURS = 12


def page_options() -> dict[str, Any]:
    """What the persona page offers: style presets, fonts and how many colours a palette holds."""
    return {"style_presets": phrased_presets(), "fonts": fonts.available(), "max_colours": MAX_COLOURS}


def list_fonts() -> tuple[fonts.Font, ...]:
    """The fonts a persona's headline and call to action may be drawn in, the default first."""
    return fonts.available()


def font_sample(font_id: str, text: str) -> bytes:
    """A PNG of `text` in the font, for the page's live sample. Drawn here rather than handing
    the browser the font file: the sample is then exactly what the overlay draws (the same
    FreeType rendering and fallback), the built-in default has no file to serve, browsers
    cannot load every face FreeType reads, and no font file leaves the server (licences).
    Raises NotFound("Font not found") for an unknown id."""
    font = fonts.find(font_id) if font_id else None
    if font is None:
        raise NotFound("Font not found")
    return fonts.sample(font, text)


def list_personas(user_id: int) -> list[Persona]:
    """The user's personas, oldest first (the order they were made in)."""
    query = select(Persona).where(Persona.user_id == user_id).order_by(Persona.created_at,
                                                                       Persona.id)
    return list(db.session.scalars(query))


def get_persona(user_id: int, persona_id: str) -> Persona:
    """Raises NotFound("Persona not found") for an unknown id or another user's persona."""
    persona = db.session.get(Persona, persona_id) if len(persona_id or "") == 32 else None
    if persona is None or persona.user_id != user_id:
        raise NotFound("Persona not found")
    return persona


def create_persona(user_id: int, values: dict[str, Any]) -> Persona:
    persona = Persona(user_id=user_id, **{k: v for k, v in values.items() if k in FIELDS})
    _set_logo(user_id, persona, values)
    db.session.add(persona)
    db.session.commit()
    return persona


def update_persona(user_id: int, persona_id: str, values: dict[str, Any]) -> Persona:
    """Replace the fields given; the others keep their values."""
    persona = get_persona(user_id, persona_id)
    for key in FIELDS:
        if key in values:
            setattr(persona, key, values[key])
    _set_logo(user_id, persona, values)
    db.session.commit()
    return persona


def _set_logo(user_id: int, persona: Persona, values: dict[str, Any]) -> None:
    """`logo_base64` is kept as an asset of the owner's (studio `brand`); `logo_asset_id`
    names one they have (404 otherwise); `logo_asset_id: null` removes the logo."""
    if values.get("logo_base64") and values.get("logo_asset_id"):
        raise ValidationFailed.for_field("logo_asset_id", "Give logo_base64 or logo_asset_id, not both")
    if values.get("logo_asset_id"):
        persona.logo_asset_id = owned_asset(user_id, values["logo_asset_id"]).id
    elif values.get("logo_base64"):
        logo = load_input(values["logo_base64"], missing=MISSING_LOGO)
        stored = store_result(user_id, studio="brand", operation="logo", data=logo.data,
                              mime_type=logo.mime_type, width=logo.width, height=logo.height,
                              provider="local", model=None, details={"persona": persona.name},
                              commit=False)
        persona.logo_asset_id = stored.asset_id
    elif "logo_asset_id" in values:
        persona.logo_asset_id = None


def delete_persona(user_id: int, persona_id: str) -> None:
    db.session.delete(get_persona(user_id, persona_id))
    db.session.commit()
