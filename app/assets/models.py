"""The asset table (one row per stored result image) and the named collections that hold them."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    parent_asset_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)  # where known
    filename: Mapped[str | None] = mapped_column(String(160), nullable=True)
    # SHA-256 of the bytes: identical results of one user are stored once.
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    favorite: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # The results of one runner call that made several (a Create's variations, a Social
    # optimize's renditions) share it; the Library shows them as one group.
    group_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    # Read only: memberships are written as rows, and the database drops them with the asset.
    collections: Mapped[list[Collection]] = relationship(secondary="collection_assets", viewonly=True,
                                                         order_by="Collection.name")


class Collection(db.Model):
    """A named set of one user's assets (a campaign); deleting it keeps the assets."""

    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_collections_user_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_asset_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CollectionAsset(db.Model):
    """Membership: the database drops it with either side, so neither delete has to."""

    __tablename__ = "collection_assets"

    collection_id: Mapped[str] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"),
                                               primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
