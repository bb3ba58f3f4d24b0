"""The persona table: a user's brand kit, folded into Create prompts on request."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import utcnow
from app.extensions import db


def new_persona_id() -> str:
    """128 random bits, so a persona id reveals nothing and cannot be guessed."""
    return secrets.token_hex(16)


class Persona(db.Model):
    __tablename__ = "personas"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_persona_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True,
                                         nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    brand_keywords: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    color_palette: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    style_preset: Mapped[str | None] = mapped_column(String(40), nullable=True)
    negative_terms: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    logo_asset_id: Mapped[str | None] = mapped_column(String(32), nullable=True)   # one of the owner's assets
    font: Mapped[str | None] = mapped_column(String(120), nullable=True)   # an app.imaging.fonts id; None: the default
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                 default=utcnow, onupdate=utcnow)
