"""The asset table: one row per stored result image."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import utcnow
from app.extensions import db


def new_asset_id() -> str:
    """128 random bits: ids are unguessable, so a URL alone reveals nothing."""
    return secrets.token_hex(16)


class Asset(db.Model):
    """One stored result, with what made it: the lineage the Library shows and searches."""

    __tablename__ = "assets"
    __table_args__ = (Index("ix_assets_user_content_hash", "user_id", "content_hash"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_asset_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    studio: Mapped[str] = mapped_column(String(20), nullable=False)
    operation: Mapped[str] = mapped_column(String(40), nullable=False)
    provider: Mapped[str] = mapped_column(String(40), nullable=False)
    model: Mapped[str | None] = mapped_column(String(120), nullable=True)
    mime_type: Mapped[str] = mapped_column(String(40), nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(200), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 index=True)
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    platform: Mapped[str | None] = mapped_column(String(40), nullable=True)
    format: Mapped[str | None] = mapped_column(String(80), nullable=True)
    parent_asset_id: Mapped[str | None] = mapped_column(String(32), nullable=True)   # where known
    filename: Mapped[str | None] = mapped_column(String(160), nullable=True)
    # SHA-256 of the bytes: identical results of one user are stored once.
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
