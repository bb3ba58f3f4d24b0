"""What the Library pages show: the filtered page of assets in the groups of the calls that
made them, the user's collections, and one asset with what it was made from and into."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.assets import collections, listing
from app.assets.collections import CollectionSummary
from app.assets.listing import AssetPage
from app.assets.models import Asset
from app.assets.service import owned_asset
from app.extensions import db

# What one result of a studio's several-in-one-call is called in a group heading.
RESULT_NOUNS = {"social": ("format", "formats"), "create": ("variation", "variations")}
PROMPT_CHARS = 60


@dataclass
class Group:
    """Cards shown together: the results of one call (with a heading), or a run of single ones."""

    group_id: str | None
    assets: list[Asset]
    heading: str = ""


@dataclass(frozen=True)
class LibraryPage:
    result: AssetPage
    groups: list[Group]
    collections: list[CollectionSummary]
    facets: dict[str, list[str]]
    parent: Asset | None = None   # the image the page is narrowed to what was made from, if still there


@dataclass(frozen=True)
class AssetDetail:
    asset: Asset
    parent: Asset | None        # None when it was made from an upload, or the parent is deleted
    children: list[Asset]


def library_page(user_id: int, **filters: Any) -> LibraryPage:
    """The page of assets `listing.list_assets` finds, grouped; its errors pass through."""
    result = listing.list_assets(user_id, **filters)
    parent = _kept(user_id, filters["parent_asset_id"]) if filters.get("parent_asset_id") else None
    return LibraryPage(result, grouped(user_id, result.items), collections.list_collections(user_id),
                       listing.facets(user_id), parent)


def grouped(user_id: int, assets: list[Asset]) -> list[Group]:
    """Keep the page's order, but gather the results of one call where the first of them is
    (a call's results are stored together, so they are usually side by side anyway)."""
    groups: list[Group] = []
    calls: dict[str, Group] = {}
    for asset in assets:
        if asset.group_id is None:
            if not groups or groups[-1].group_id is not None:
                groups.append(Group(None, []))
            groups[-1].assets.append(asset)
        elif asset.group_id in calls:
            calls[asset.group_id].assets.append(asset)
        else:
            calls[asset.group_id] = Group(asset.group_id, [asset])
            groups.append(calls[asset.group_id])
    _name(user_id, list(calls.values()))
    return groups


def _name(user_id: int, groups: list[Group]) -> None:
    """Headings such as "Social · 7 formats · Iced latte on a terrace": the studio, how many
    results the call made (all of them, also those another page or a filter leaves out), and its
    prompt, or else the image it started from."""
    if not groups:
        return
    sizes = dict(db.session.execute(
        select(Asset.group_id, func.count()).where(Asset.user_id == user_id,
                                                   Asset.group_id.in_([g.group_id for g in groups]))
        .group_by(Asset.group_id)).all())
    parents = {asset.parent_asset_id for g in groups for asset in g.assets if asset.parent_asset_id}
    names = dict(db.session.execute(select(Asset.id, Asset.filename).where(
        Asset.user_id == user_id, Asset.id.in_(parents))).all()) if parents else {}
    for group in groups:
        first = group.assets[0]
        size = sizes.get(group.group_id, len(group.assets))
        one, many = RESULT_NOUNS.get(first.studio, ("image", "images"))
        prompt = next((a.prompt for a in group.assets if a.prompt), None)
        if prompt:
            source = prompt if len(prompt) <= PROMPT_CHARS else prompt[:PROMPT_CHARS - 1].rstrip() + "…"
        elif names.get(first.parent_asset_id):
            source = f"from {names[first.parent_asset_id]}"
        else:
            source = "from an uploaded image"
        shown = f" ({len(group.assets)} shown)" if len(group.assets) < size else ""
        group.heading = f"{first.studio.capitalize()} · {size} {one if size == 1 else many}{shown} · {source}"


def asset_detail(user_id: int, asset_id: str) -> AssetDetail:
    """One asset with its parent and the assets made from it, oldest first; NotFound when the
    asset is not the user's."""
    asset = owned_asset(user_id, asset_id)
    parent = _kept(user_id, asset.parent_asset_id) if asset.parent_asset_id else None
    children = db.session.scalars(select(Asset).where(Asset.parent_asset_id == asset.id,
                                                      Asset.user_id == user_id)
                                  .order_by(Asset.created_at, Asset.id)).all()
    return AssetDetail(asset, parent, list(children))


def _kept(user_id: int, asset_id: str) -> Asset | None:
    """One of the user's assets, or None where it was deleted (or is not theirs)."""
    return db.session.scalar(select(Asset).where(Asset.id == asset_id, Asset.user_id == user_id))
