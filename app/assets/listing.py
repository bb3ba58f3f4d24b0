"""Finding assets: one user's, newest first, narrowed by any combination of filters."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.assets import collections
from app.assets.models import Asset, CollectionAsset
from app.errors import NotFound
from app.extensions import db


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
                q: str | None = None, platform: str | None = None, provider: str | None = None,
                favorite: bool | None = None, collection_id: str | None = None,
                group_id: str | None = None) -> AssetPage:
    """Newest first; every filter given narrows the list (creation dates are inclusive days,
    `q` matches words anywhere in the prompt, case-insensitively).

    Raises NotFound for a page past the last one (the first page always exists) and for a
    collection that is not the user's."""
    query = _filtered(user_id, studio=studio, operation=operation, since=since, until=until, q=q,
                      platform=platform, provider=provider, favorite=favorite,
                      collection_id=collection_id, group_id=group_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    last = AssetPage([], total, page, per_page).pages
    if page > last:
        raise NotFound(f"Page {page} is past the last page ({last})")
    items = db.session.scalars(query.options(selectinload(Asset.collections))
                               .order_by(Asset.created_at.desc(), Asset.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return AssetPage(list(items), total, page, per_page)


def _filtered(user_id: int, *, studio, operation, since, until, q, platform, provider, favorite,
              collection_id, group_id) -> Select:
    query = select(Asset).where(Asset.user_id == user_id)
    if q and q.strip():
        escaped = re.sub(r"([\\%_])", r"\\\1", q.strip().lower())
        query = query.where(func.lower(Asset.prompt).like(f"%{escaped}%", escape="\\"))
    for column, value in ((Asset.studio, studio), (Asset.operation, operation), (Asset.platform, platform),
                          (Asset.provider, provider), (Asset.group_id, group_id)):
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
    return query


def facets(user_id: int) -> dict[str, list[str]]:
    """The platforms and providers the user's assets name: the choices the page's filters offer."""
    return {name: list(db.session.scalars(select(column).distinct().where(Asset.user_id == user_id,
                                                                          column.is_not(None))
                                          .order_by(column)))
            for name, column in (("platforms", Asset.platform), ("providers", Asset.provider))}
