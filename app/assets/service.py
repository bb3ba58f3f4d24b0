"""The one call studios make to keep a result, and owner-only access to it."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from app.assets.models import Asset, new_asset_id
from app.errors import NotFound
from app.extensions import db
from app.imaging.formats import extension
from app.zipstream import stream_zip

PROMPT_WORDS, PROMPT_CHARS = 4, 40   # how much of a prompt a file name carries
TILE = ".tile"   # an asset's Library tile is kept at the asset's key + this


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
    """The file name a download suggests: the readable name made when the asset was stored
    (`linkedin-post_iced-latte_1.jpg`); assets stored before there was one keep theirs."""
    if asset.filename:
        return asset.filename
    stem = asset.details.get("file_name") or f"{asset.studio}-{asset.id}"
    return f"{stem}.{extension(asset.mime_type)}"


def readable_name(*, studio: str, operation: str, mime_type: str, prompt: str | None,
                  details: dict[str, Any]) -> str:
    """What made it, the prompt's first words, the variation: `linkedin-post_iced-latte_1.jpg`,
    `instagram-feed-post-square_iced-latte.png`, `upscale-fast.png`."""
    if details.get("platform"):
        what = f"{details['platform']} {details.get('format') or ''}"
    elif details.get("template_name"):
        what = details["template_name"]
    elif studio == "create":
        what = "image"
    elif studio == operation:
        what = studio
    else:
        what = f"{studio} {operation.removeprefix(studio + '_')}"
    words = _slug(" ".join((prompt or "").split()[:PROMPT_WORDS]))[:PROMPT_CHARS].strip("-")
    parts = [_slug(what), words, str(details["variation"]) if details.get("variation") else ""]
    return "_".join(part for part in parts if part) + f".{extension(mime_type)}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def store_result(user_id: int, *, studio: str, operation: str, data: bytes, mime_type: str,
                 width: int, height: int, provider: str, model: str | None,
                 details: dict[str, Any] | None = None, name: str | None = None,
                 group_id: str | None = None, commit: bool = True) -> StoredAsset:
    """Keep a result, or find it kept: identical bytes of one user are stored once (a re-run
    gets the same asset id). Otherwise the bytes are written first, then the row: a crash
    leaves at worst an orphan file, never a row without bytes. `details` may say what made
    it (`prompt`/`user_prompt`, `platform`, `format`, `parent_asset_id`, `template_name`,
    `variation`); `name` is the studio's own download stem (a ZIP entry's, for instance);
    `group_id` is shared by the results one call made together (the Library groups them)."""
    digest = hashlib.sha256(data).hexdigest()
    kept = db.session.scalar(select(Asset).where(Asset.user_id == user_id, Asset.content_hash == digest)
                             .order_by(Asset.created_at).limit(1))
    if kept is not None:
        return StoredAsset(kept.id, asset_url(kept.id), download_name(kept))
    details = {**(details or {}), **({"file_name": name} if name else {})}
    parent = details.get("parent_asset_id")
    prompt = details.get("user_prompt") or details.get("prompt")
    named = details
    if parent and (prompt is None or not details.get("variation")):
        # A rendition of variation 2 is named for its prompt and its variation, as its parent is
        # (two variations' renditions would otherwise download under one name).
        made = db.session.execute(select(Asset.prompt, Asset.details)
                                  .where(Asset.id == parent, Asset.user_id == user_id)).first()
        if made is not None:
            prompt = prompt or made.prompt
            variation = details.get("variation") or (made.details or {}).get("variation")
            named = {**details, "variation": variation} if variation else details
    asset_id = new_asset_id()
    key = f"{user_id}/{asset_id[:2]}/{asset_id}.{extension(mime_type)}"
    _storage().save(key, data)
    asset = Asset(id=asset_id, user_id=user_id, studio=studio, operation=operation,
                  provider=provider, model=model, mime_type=mime_type, width=width, height=height,
                  size_bytes=len(data), storage_key=key, details=details, prompt=prompt,
                  platform=details.get("platform"), format=details.get("format"),
                  parent_asset_id=parent, content_hash=digest, group_id=group_id,
                  filename=readable_name(studio=studio, operation=operation, mime_type=mime_type,
                                         prompt=prompt, details=named))
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


def tile_bytes(user_id: int, asset_id: str, make: Callable[[bytes], bytes]) -> bytes:
    """One of the user's assets as a Library tile: made by `make` from the asset's bytes on
    the first request and kept beside them, so later views, from any device, only read it
    (a 16 MP PNG's tile costs ~0.3 s to make). It goes with its asset: deleted with it, with
    the account, and by the sweeper once its asset's row is gone."""
    asset = owned_asset(user_id, asset_id)
    storage, key = _storage(), asset.storage_key + TILE
    try:
        return storage.load(key)
    except NotFound:
        data = make(storage.load(asset.storage_key))
        storage.save(key, data)
        return data


def set_favorite(user_id: int, asset_id: str, favorite: bool) -> Asset:
    """Mark or unmark one of the user's assets; NotFound for anyone else's."""
    asset = owned_asset(user_id, asset_id)
    asset.favorite = favorite
    db.session.commit()
    return asset


def delete_asset(user_id: int, asset_id: str) -> None:
    """Remove the row first, then the bytes: a crash leaves an orphan file, never a dangling row."""
    asset = owned_asset(user_id, asset_id)
    key = asset.storage_key
    db.session.delete(asset)
    db.session.commit()
    delete_files([key])


def storage_keys_of(user_id: int) -> list[str]:
    """Where one account's files are kept (read before the account is deleted)."""
    return list(db.session.scalars(select(Asset.storage_key).where(Asset.user_id == user_id)))


def delete_files(keys: list[str]) -> None:
    """Remove stored files whose rows are gone, and what was derived from them (a crash
    midway leaves orphans the sweeper takes)."""
    storage = _storage()
    for key in keys:
        storage.delete(key)
        storage.delete(key + TILE)


def remove_orphans(before: datetime, batch: int = 500) -> int:
    """Delete stored files that no asset row names (tiles: whose asset no row names) and that
    were written before `before` (younger files may belong to a result whose row is about to
    be committed)."""
    storage = _storage()
    old = [key for key, written in storage.listing() if written < before]
    removed = 0
    for start in range(0, len(old), batch):
        keys = old[start:start + batch]
        owners = {key: key.removesuffix(TILE) for key in keys}   # a tile lives as long as its asset
        known = set(db.session.scalars(select(Asset.storage_key).where(
            Asset.storage_key.in_(set(owners.values())))))
        for key in keys:
            if owners[key] not in known:
                storage.delete(key)
                removed += 1
    return removed


def zip_assets(user_id: int, asset_ids: list[str]) -> Iterator[bytes]:
    """A ZIP of the chosen assets, streamed (one image in memory at a time); any id that is
    not the caller's is a 404 for the whole request, raised before anything is sent."""
    assets = [owned_asset(user_id, asset_id) for asset_id in dict.fromkeys(asset_ids)]
    return _zip(zip(_unique_names([download_name(asset) for asset in assets]), assets, strict=True))


def _unique_names(names: list[str]) -> list[str]:
    """ZIP entry names made unique, in order (two files may share a readable name): `name-2.png`."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen[name] = seen.get(name, 0) + 1
        if count > 1:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem}-{count}.{ext}" if dot else f"{name}-{count}"
        unique.append(name)
    return unique


def zip_named(user_id: int, entries: list[tuple[str, str]]) -> Iterator[bytes]:
    """A ZIP of (entry name, asset id) pairs (a job's images in its own folders), streamed,
    the names made unique; assets deleted since are left out, another user's is a 404 before
    anything is sent."""
    found = {asset.id: asset for asset in db.session.scalars(
        select(Asset).where(Asset.id.in_([asset_id for _, asset_id in entries])))}
    if any(asset.user_id != user_id for asset in found.values()):
        raise NotFound("Asset not found")
    names = _unique_names([name for name, _ in entries])
    return _zip((name, found[asset_id]) for name, (_, asset_id) in zip(names, entries, strict=True)
                if asset_id in found)


def _zip(named) -> Iterator[bytes]:
    storage = _storage()
    return stream_zip((name, lambda key=asset.storage_key: storage.load(key)) for name, asset in named)
