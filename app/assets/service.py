"""The one call studios make to keep a result, and owner-only access to it."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select

from app.assets.models import Asset, new_asset_id
from app.errors import NotFound
from app.extensions import db
from app.imaging.formats import extension
from app.zipstream import stream_zip


@dataclass(frozen=True)
class StoredAsset:
    asset_id: str
    url: str
    file_name: str


def _storage():
    return current_app.extensions["asset_storage"]


def asset_url(asset_id: str) -> str:
    """The asset's path; a job's worker has no request, so the path is built from the URL map
    (what url_for returns inside a request: a path, no host)."""
    if has_request_context():
        return url_for("assets_api.asset_bytes", asset_id=asset_id)
    adapter = current_app.url_map.bind("", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build("assets_api.asset_bytes", {"asset_id": asset_id})


def download_name(asset: Asset) -> str:
    """The file name a download suggests: the studio's own (social: `instagram_story.png`),
    else `<studio>-<asset id>.<ext>`."""
    stem = asset.details.get("file_name") or f"{asset.studio}-{asset.id}"
    return f"{stem}.{extension(asset.mime_type)}"


def store_result(user_id: int, *, studio: str, operation: str, data: bytes, mime_type: str,
                 width: int, height: int, provider: str, model: str | None,
                 details: dict[str, Any] | None = None, name: str | None = None,
                 commit: bool = True) -> StoredAsset:
    """Write the bytes first, then the row: a crash leaves at worst an orphan file, never a
    row without bytes. `name` is the download name without its extension."""
    asset_id = new_asset_id()
    key = f"{user_id}/{asset_id[:2]}/{asset_id}.{extension(mime_type)}"
    _storage().save(key, data)
    asset = Asset(id=asset_id, user_id=user_id, studio=studio, operation=operation,
                  provider=provider, model=model, mime_type=mime_type, width=width, height=height,
                  size_bytes=len(data), storage_key=key,
                  details={**(details or {}), **({"file_name": name} if name else {})})
    db.session.add(asset)
    if commit:
        db.session.commit()
    return StoredAsset(asset_id, asset_url(asset_id), download_name(asset))


def owned_asset(user_id: int, asset_id: str) -> Asset:
    """The asset if it belongs to this user; another user's asset is as unknown as a missing one."""
    asset = db.session.get(Asset, asset_id) if len(asset_id) == 32 else None
    if asset is None or asset.user_id != user_id:
        raise NotFound("Asset not found")
    return asset


def asset_bytes(user_id: int, asset_id: str) -> tuple[Asset, bytes]:
    asset = owned_asset(user_id, asset_id)
    return asset, _storage().load(asset.storage_key)


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
                operation: str | None = None, since: date | None = None,
                until: date | None = None) -> AssetPage:
    """Newest first, filtered by studio, operation and creation date (inclusive days).

    Raises NotFound for a page past the last one (the first page always exists)."""
    query = select(Asset).where(Asset.user_id == user_id)
    if studio:
        query = query.where(Asset.studio == studio)
    if operation:
        query = query.where(Asset.operation == operation)
    if since:
        query = query.where(Asset.created_at >= datetime.combine(since, time.min, UTC))
    if until:
        query = query.where(Asset.created_at <= datetime.combine(until, time.max, UTC))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    last = max(1, -(-total // per_page))
    if page > last:
        raise NotFound(f"Page {page} is past the last page ({last})")
    items = db.session.scalars(query.order_by(Asset.created_at.desc(), Asset.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return AssetPage(list(items), total, page, per_page)


def delete_asset(user_id: int, asset_id: str) -> None:
    """Remove the row first, then the bytes: a crash leaves an orphan file, never a dangling row."""
    asset = owned_asset(user_id, asset_id)
    key = asset.storage_key
    db.session.delete(asset)
    db.session.commit()
    _storage().delete(key)


def storage_keys_of(user_id: int) -> list[str]:
    """Where one account's files are kept (read before the account is deleted)."""
    return list(db.session.scalars(select(Asset.storage_key).where(Asset.user_id == user_id)))


def delete_files(keys: list[str]) -> None:
    """Remove stored files whose rows are gone (a crash midway leaves orphans the sweeper takes)."""
    for key in keys:
        _storage().delete(key)


def remove_orphans(before: datetime, batch: int = 500) -> int:
    """Delete stored files that no asset row names and that were written before `before`
    (younger files may belong to a result whose row is about to be committed)."""
    storage = _storage()
    old = [key for key, written in storage.listing() if written < before]
    removed = 0
    for start in range(0, len(old), batch):
        keys = old[start:start + batch]
        known = set(db.session.scalars(select(Asset.storage_key).where(Asset.storage_key.in_(keys))))
        for key in keys:
            if key not in known:
                storage.delete(key)
                removed += 1
    return removed


def zip_assets(user_id: int, asset_ids: list[str]) -> Iterator[bytes]:
    """A ZIP of the chosen assets, streamed (one image in memory at a time); any id that is
    not the caller's is a 404 for the whole request, raised before anything is sent."""
    assets = [owned_asset(user_id, asset_id) for asset_id in dict.fromkeys(asset_ids)]
    return _zip((f"{asset.studio}_{asset.operation}_{asset.id}.{extension(asset.mime_type)}", asset)
                for asset in assets)


def zip_named(user_id: int, entries: list[tuple[str, str]]) -> Iterator[bytes]:
    """A ZIP of (entry name, asset id) pairs (a job's images in its own folders), streamed;
    assets deleted since are left out, another user's is a 404 before anything is sent."""
    found = {asset.id: asset for asset in db.session.scalars(
        select(Asset).where(Asset.id.in_([asset_id for _, asset_id in entries])))}
    if any(asset.user_id != user_id for asset in found.values()):
        raise NotFound("Asset not found")
    return _zip((name, found[asset_id]) for name, asset_id in entries if asset_id in found)


def _zip(named) -> Iterator[bytes]:
    storage = _storage()
    return stream_zip((name, lambda key=asset.storage_key: storage.load(key)) for name, asset in named)
