"""Persona (brand kit) storage, owner-only: another user's persona is as unknown as a missing one."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.assets.service import owned_asset, store_result
from app.create.models import Persona
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.studio.inputs import load_input

FIELDS = ("name", "description", "brand_keywords", "color_palette", "style_preset",
          "negative_terms")
MISSING_LOGO = "logo_base64 is not an image"


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
