"""Persona (brand kit) storage, owner-only: another user's persona is as unknown as a missing one."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.create.models import Persona
from app.errors import NotFound
from app.extensions import db

FIELDS = ("name", "description", "brand_keywords", "color_palette", "style_preset",
          "negative_terms")


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
    db.session.add(persona)
    db.session.commit()
    return persona


def update_persona(user_id: int, persona_id: str, values: dict[str, Any]) -> Persona:
    """Replace the fields given; the others keep their values."""
    persona = get_persona(user_id, persona_id)
    for key in FIELDS:
        if key in values:
            setattr(persona, key, values[key])
    db.session.commit()
    return persona


def delete_persona(user_id: int, persona_id: str) -> None:
    db.session.delete(get_persona(user_id, persona_id))
    db.session.commit()
