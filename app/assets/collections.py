"""Named collections (campaigns) of one user's assets: make, rename, delete, fill and empty."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.assets.models import Asset, Collection, CollectionAsset
from app.errors import NotFound, ValidationFailed
from app.extensions import db


@dataclass(frozen=True)
class CollectionSummary:
    id: str
    name: str
    asset_count: int
    created_at: datetime


def owned_collection(user_id: int, collection_id: str) -> Collection:
    """The collection if it is this user's; another user's is as unknown as a missing one."""
    found = db.session.get(Collection, collection_id) if len(collection_id) == 32 else None
    if found is None or found.user_id != user_id:
        raise NotFound("Collection not found")
    return found


def list_collections(user_id: int) -> list[CollectionSummary]:
    """Every collection of the user by name, with how many images each holds (one query)."""
    counted = (select(Collection, func.count(CollectionAsset.asset_id))
               .outerjoin(CollectionAsset, CollectionAsset.collection_id == Collection.id)
               .where(Collection.user_id == user_id).group_by(Collection.id)
               .order_by(func.lower(Collection.name), Collection.id))
    return [_summary(found, count) for found, count in db.session.execute(counted)]


def create_collection(user_id: int, name: str) -> CollectionSummary:
    """A new, empty collection; ValidationFailed when the user already has one of that name."""
    _check_unique(user_id, name)
    made = Collection(user_id=user_id, name=name)
    db.session.add(made)
    _commit_name(name)
    return _summary(made, 0)


def rename_collection(user_id: int, collection_id: str, name: str) -> CollectionSummary:
    """NotFound for another user's collection, ValidationFailed for a name the user already has."""
    found = owned_collection(user_id, collection_id)
    if name != found.name:
        _check_unique(user_id, name, besides=found.id)
        found.name = name
        _commit_name(name)
    return summary(user_id, collection_id)


def delete_collection(user_id: int, collection_id: str) -> None:
    """The collection goes; its assets stay in the library (only the memberships go with it)."""
    db.session.delete(owned_collection(user_id, collection_id))
    db.session.commit()


def add_assets(user_id: int, collection_id: str, asset_ids: list[str]) -> CollectionSummary:
    """Put the user's assets in the collection; ones already in it stay once. Any id that is not
    one of the user's assets is NotFound for the whole request, and nothing is added."""
    wanted = list(dict.fromkeys(asset_ids))
    try:
        _add(user_id, collection_id, wanted)
    except IntegrityError:
        # Another request put one of them in between this one's read and its write (a double
        # click): read again, and add what is still missing (a deleted asset is then NotFound).
        db.session.rollback()
        _add(user_id, collection_id, wanted)
    return summary(user_id, collection_id)


def _add(user_id: int, collection_id: str, wanted: list[str]) -> None:
    owned_collection(user_id, collection_id)
    owned = set(db.session.scalars(select(Asset.id).where(Asset.id.in_(wanted), Asset.user_id == user_id)))
    if len(owned) != len(wanted):
        raise NotFound("Asset not found")
    present = set(db.session.scalars(select(CollectionAsset.asset_id).where(
        CollectionAsset.collection_id == collection_id, CollectionAsset.asset_id.in_(wanted))))
    db.session.add_all(CollectionAsset(collection_id=collection_id, asset_id=asset_id)
                       for asset_id in wanted if asset_id not in present)
    db.session.commit()


def remove_asset(user_id: int, collection_id: str, asset_id: str) -> None:
    """Take one asset out of the collection (the asset itself is kept); NotFound when it is not in it."""
    owned_collection(user_id, collection_id)
    removed = db.session.execute(delete(CollectionAsset).where(CollectionAsset.collection_id == collection_id,
                                                               CollectionAsset.asset_id == asset_id))
    if removed.rowcount == 0:
        db.session.rollback()
        raise NotFound("Asset not found in this collection")
    db.session.commit()


def summary(user_id: int, collection_id: str) -> CollectionSummary:
    """The collection as the API shows it, with its count read now (after an add or a rename)."""
    found = owned_collection(user_id, collection_id)
    count = db.session.scalar(select(func.count()).where(CollectionAsset.collection_id == collection_id))
    return _summary(found, count)


def _summary(found: Collection, count: int) -> CollectionSummary:
    return CollectionSummary(found.id, found.name, count, found.created_at)


def _commit_name(name: str) -> None:
    """Commit a new name; one that another request took since the check is the same refusal."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _taken(name) from None


def _taken(name: str) -> ValidationFailed:
    return ValidationFailed.for_field("name", f"You already have a collection named “{name}”")


def _check_unique(user_id: int, name: str, besides: str | None = None) -> None:
    """Names are unique per user regardless of case: "Spring" and "spring" would read as one."""
    clash = select(Collection.id).where(Collection.user_id == user_id, func.lower(Collection.name) == name.lower())
    if besides:
        clash = clash.where(Collection.id != besides)
    if db.session.scalar(clash) is not None:
        raise _taken(name)
