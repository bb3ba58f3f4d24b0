"""Finding assets: one user's, newest first, narrowed by any combination of filters."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.assets import collections
from app.assets.models import Asset, CollectionAsset
from app.errors import NotFound
from app.extensions import db

# Create records the template's name among the asset's details (SQLite and PostgreSQL
# both read a JSON member in SQL, so it filters like a column).
TEMPLATE = Asset.details["template_name"].as_string()


@dataclass(frozen=True)
class AssetPage:
    items: list[Asset]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_assets(user_id: int, *, page: int = 1, per_page: int = 24, studio: str | None = None,
                operation: str | None = None, since: date | None = None, until: date | None = None,
                q: str | None = None, platform: str | None = None, format: str | None = None,
                provider: str | None = None, model: str | None = None, template: str | None = None,
                parent_asset_id: str | None = None, favorite: bool | None = None,
                collection_id: str | None = None, group_id: str | None = None) -> AssetPage:
    """Newest first; every filter given narrows the list (creation dates are inclusive days,
    `q` matches words anywhere in the prompt, case-insensitively, `template` is the template's
    name as the image recorded it).

    Raises NotFound for a page past the last one (the first page always exists) and for a
    collection that is not the user's."""
    query = select(Asset).where(Asset.user_id == user_id)
    if q and q.strip():
        escaped = re.sub(r"([\\%_])", r"\\\1", q.strip().lower())
        query = query.where(func.lower(Asset.prompt).like(f"%{escaped}%", escape="\\"))
    for column, value in ((Asset.studio, studio), (Asset.operation, operation), (Asset.platform, platform),
                          (Asset.format, format), (Asset.provider, provider), (Asset.model, model),
                          (TEMPLATE, template), (Asset.parent_asset_id, parent_asset_id),
                          (Asset.group_id, group_id)):
        if value:
            query = query.where(column == value)
    if favorite is not None:
        query = query.where(Asset.favorite.is_(favorite))
    if collection_id:
        collections.owned_collection(user_id, collection_id)
        query = query.where(Asset.id.in_(select(CollectionAsset.asset_id)
                                         .where(CollectionAsset.collection_id == collection_id)))
    if since:
        query = query.where(Asset.created_at >= datetime.combine(since, time.min, UTC))
    if until:
        query = query.where(Asset.created_at <= datetime.combine(until, time.max, UTC))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    last = AssetPage([], total, page, per_page).pages
    if page > last:
        raise NotFound(f"Page {page} is past the last page ({last})")
    items = db.session.scalars(query.options(selectinload(Asset.collections))
                               .order_by(Asset.created_at.desc(), Asset.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return AssetPage(list(items), total, page, per_page)


def facets(user_id: int) -> dict[str, list[str]]:
    """The values the user's assets name for each filter the page offers as a choice."""
    return {name: list(db.session.scalars(select(column).distinct().where(Asset.user_id == user_id,
                                                                          column.is_not(None))
                                          .order_by(column)))
            for name, column in (("operations", Asset.operation), ("platforms", Asset.platform),
                                 ("formats", Asset.format), ("providers", Asset.provider),
                                 ("models", Asset.model), ("templates", TEMPLATE))}
