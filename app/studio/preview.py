"""A picture a browser can draw and fetch quickly, standing in for the file itself.

Chromium draws PNG, JPEG, WebP, GIF, BMP and AVIF, not TIFF. The pages still take a TIFF,
or show one they made or keep: the file itself is what is sent, converted, stored and
downloaded, and this copy (upright, sRGB, at most `side` px on its longer side, JPEG, or
WebP when it has transparency) is only what is shown. The Library's tiles are such copies
too: a 16 MP PNG result is 28 MB to fetch for a tile 300 px wide. Only a tile is kept, beside
its asset (assets.service.tile_bytes); a stored result is read whatever its size in bytes.
"""
from __future__ import annotations

import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from PIL import Image

from app.admission import admission
from app.assets.service import asset_bytes, tile_bytes
from app.imaging import codec
from app.studio import delivery
from app.studio.inputs import resolve_assets

PREVIEW_SIDE = 2048   # sharp on a 2× screen in a studio's column; a fraction of a 40 MP file
TILE_SIDE = 640       # a Library tile (~300 CSS px) on a 2× screen
UNDRAWABLE = ("image/tiff",)   # what the browsers we support cannot show in an <img>


@dataclass(frozen=True)
class Drawable:
    """The copy to show, and what it stands for: the file's own upright size and format."""

    data: bytes
    shown: tuple[int, int]   # the copy's own size
    width: int
    height: int
    format: str
    has_alpha: bool
    notes: list[str]


def preview(user_id: int, args: MutableMapping[str, Any]) -> dict[str, Any]:
    """`POST /preview`: an upload's or asset's drawable copy, as a data URL, with its size.
    Raises ValidationFailed (not an image, truncated), PayloadTooLarge and NotFound."""
    copy = drawable(delivery.open_upload(resolve_assets(user_id, args).get("image_base64")))
    return {"width": copy.width, "height": copy.height, "format": copy.format,
            "has_alpha": copy.has_alpha, "preview": codec.data_url(copy.data),
            "preview_width": copy.shown[0], "preview_height": copy.shown[1], "notes": copy.notes}


def asset_preview(user_id: int, asset_id: str, side: int = PREVIEW_SIDE) -> bytes:
    """`GET /assets/{id}/preview`: the drawable copy of one of the user's assets; the
    Library's tile size is made once and kept with the asset."""
    if side == TILE_SIDE:
        return tile_bytes(user_id, asset_id, lambda data: drawable(delivery.identify(data), side).data)
    return drawable(delivery.identify(asset_bytes(user_id, asset_id)[1]), side).data


def drawable(upload: delivery.Upload, side: int = PREVIEW_SIDE) -> Drawable:
    """Decode (in an admission slot, as every render) and shrink to `side`; a JPEG is
    decoded at the smallest ½/¼/⅛ scale that still covers it (a 16 MP tile: 26 ms)."""
    width, height = codec.display_size(upload.image)
    scale = min(1.0, side / max(width, height))
    codec.draft(upload.image, math.ceil(width * scale), math.ceil(height * scale))
    with admission.slot():
        picture = delivery.decode(upload)
        image = picture.image
        image.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        data = codec.encode(image, "webp" if picture.had_alpha else "jpeg")
    return Drawable(data, image.size, width, height, upload.format, picture.had_alpha, picture.notes)
