"""A picture a browser can draw, standing in for one it cannot (TIFF).

Chromium draws PNG, JPEG, WebP, GIF, BMP and AVIF, not TIFF. The pages still take a TIFF,
or show one they made or keep: the file itself is what is sent, converted, stored and
downloaded, and this copy (upright, sRGB, at most PREVIEW_SIDE on its longer side, JPEG or
PNG when it has transparency) is only what is shown. Nothing is kept.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from PIL import Image

from app.admission import admission
from app.assets.service import asset_bytes
from app.imaging import codec
from app.studio import delivery
from app.studio.inputs import resolve_assets

PREVIEW_SIDE = 2048   # sharp on a 2× screen in a studio's column; a fraction of a 40 MP file
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


def asset_preview(user_id: int, asset_id: str) -> bytes:
    """`GET /assets/{id}/preview`: the drawable copy of one of the user's assets."""
    return drawable(delivery.open_upload(asset_bytes(user_id, asset_id)[1])).data


def drawable(upload: delivery.Upload) -> Drawable:
    """Decode (in an admission slot, as every render) and shrink to PREVIEW_SIDE."""
    with admission.slot():
        picture = delivery.decode(upload)
        image = picture.image
        width, height = image.size
        image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
        data = codec.encode(image, "png" if picture.had_alpha else "jpeg")
    return Drawable(data, image.size, width, height, upload.format, picture.had_alpha, picture.notes)
