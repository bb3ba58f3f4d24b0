"""Social Optimizer: one upload rendered into each chosen platform format, within its limits.

The request is checked cheapest first (platform and format names, then the image bytes),
the image is decoded once by the pipeline, each output is base64-encoded once, and the
work is local (provider `local`, 0 credits), so no ledger entry is written.
"""
from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from app.assets.service import EXTENSIONS, StoredAsset, store_result
from app.catalog import platforms as catalog
from app.errors import ValidationFailed
from app.extensions import db
from app.imaging import codec
from app.social.pipeline import Rendition, Target, render_social

MIB = 1024 * 1024
MISSING_IMAGE = "image_base64 is required: send the image as base64 or a data URL"


@dataclass
class Optimized:
    """The renditions of one request, the assets they were stored as, and skipped platforms."""

    renditions: list[Rendition]
    stored: list[StoredAsset] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        """The API response: each result as a data URL (encoded once, even when shared)."""
        encoded: dict[int, str] = {}
        results = []
        for rendition, asset in zip(self.renditions, self.stored, strict=True):
            key = id(rendition.data)
            if key not in encoded:
                text = base64.b64encode(rendition.data).decode("ascii")
                encoded[key] = f"data:{rendition.mime_type};base64,{text}"
            results.append({
                "platform": rendition.platform, "format": rendition.format,
                "image_base64": encoded[key], "mime_type": rendition.mime_type,
                "width": rendition.width, "height": rendition.height, "ratio": rendition.ratio,
                "safe_zone": rendition.safe_zone, "size_bytes": rendition.size_bytes,
                "notes": rendition.notes, "asset_id": asset.asset_id, "url": asset.url,
            })
        return {"success": True, "results": results, "total_optimized": len(results),
                "skipped": self.skipped}

    def archive(self) -> bytes:
        """A ZIP of the renditions named `<platform>_<format>.<ext>` (images are not recompressed)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for rendition in self.renditions:
                archive.writestr(file_name(rendition), rendition.data)
        return buffer.getvalue()


def file_name(rendition: Rendition) -> str:
    """`instagram_feed_post_square.png`: the platform, the slugified format, the extension."""
    slug = re.sub(r"[^a-z0-9]+", "_", rendition.format.lower()).strip("_")
    return f"{rendition.platform}_{slug}.{EXTENSIONS.get(rendition.mime_type, 'bin')}"


def optimize(user_id: int, args: Mapping[str, Any], *, store: bool = True) -> Optimized:
    """Render the request's image into every chosen format and (by default) keep each result.

    Raises ValidationFailed (unknown platform or format, bad image) and PayloadTooLarge
    (image over MAX_IMAGE_MB or MAX_IMAGE_PIXELS). A ZIP download passes store=False: the
    page asks for it after a run whose results are already in the library.
    """
    targets, skipped = plan_targets(args["platforms"], args.get("format_names") or {},
                                    all_formats=args.get("all_formats", False))
    config = current_app.config
    data = codec.decode_base64(args.get("image_base64"), max_bytes=int(config["MAX_IMAGE_MB"] * MIB),
                               missing_message=MISSING_IMAGE)
    renditions = render_social(
        data, targets, crop_mode=args.get("crop_mode", "smart"), focal_point=args.get("focal_point"),
        show_safe_zones=args.get("show_safe_zones", False),
        output_format=args.get("output_format", "png"), background=args.get("background", "white"),
        max_pixels=config["MAX_IMAGE_PIXELS"])
    stored = _store(user_id, renditions, args) if store else []
    return Optimized(renditions, stored, skipped)


def _store(user_id: int, renditions: Sequence[Rendition], args: Mapping[str, Any]) -> list[StoredAsset]:
    """Keep every rendition for the user, in one transaction."""
    options = {"crop_mode": args.get("crop_mode", "smart"), "focal_point": args.get("focal_point"),
               "show_safe_zones": args.get("show_safe_zones", False)}
    try:
        stored = [store_result(user_id, studio="social", operation="optimize", data=r.data,
                               mime_type=r.mime_type, width=r.width, height=r.height,
                               provider="local", model=None, commit=False,
                               details={**options, "platform": r.platform, "format": r.format,
                                        "notes": r.notes})
                  for r in renditions]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return stored


def plan_targets(platforms: Sequence[str], format_names: Mapping[str, Sequence[str] | None], *,
                 all_formats: bool = False) -> tuple[list[Target], list[str]]:
    """The outputs a request asks for, in request order, and the platforms without formats.

    Unknown platforms are a 400 listing all of them; an unknown format name is a 400
    listing the platform's valid names. No entry in format_names: the first format.
    """
    known = catalog.platform_names()
    unknown = [name for name in platforms if (name or "").strip().lower() not in known]
    if unknown:
        _reject("platforms", f"Unknown platform{'s' if len(unknown) > 1 else ''}: "
                             f"{', '.join(map(str, unknown))} (choose from {', '.join(known)})")
    names = _names_by_platform(format_names, known)
    targets: list[Target] = []
    skipped: list[str] = []
    for platform in dict.fromkeys(name.strip().lower() for name in platforms):
        formats = catalog.formats_for(platform)
        if not formats:
            skipped.append(platform)
            continue
        chosen = formats if all_formats else _choose(platform, formats, names.get(platform))
        cap = catalog.max_file_bytes(platform)
        targets += [Target.from_format(platform, fmt, cap) for fmt in chosen]
    return targets, skipped


def _names_by_platform(format_names: Mapping[str, Sequence[str] | None],
                       known: list[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for key, value in format_names.items():
        platform = key.strip().lower()
        if platform not in known:
            _reject("format_names", f"Unknown platform in format_names: {key}")
        names.setdefault(platform, []).extend(value or [])
    return names


def _choose(platform: str, formats: list[dict], wanted: list[str] | None) -> list[dict]:
    """The formats named (case-insensitively, in the order named), else the first one."""
    if not wanted:
        return formats[:1]
    by_name = {fmt["name"].lower(): fmt for fmt in formats}
    chosen: dict[str, dict] = {}
    for name in wanted:
        fmt = by_name.get(name.strip().lower())
        if fmt is None:
            valid = ", ".join(f["name"] for f in formats)
            _reject("format_names", f"Unknown format for {platform}: {name} (valid names: {valid})")
        chosen.setdefault(fmt["name"], fmt)
    return list(chosen.values())


def _reject(field_name: str, message: str) -> None:
    raise ValidationFailed(message, errors={field_name: [message]})


def page_options() -> dict[str, Any]:
    """The platforms the page offers: those with formats, with their display names."""
    offered = [{"key": name, "name": catalog.specs_for(name)["name"],
                "formats": len(catalog.formats_for(name))}
               for name in catalog.platform_names() if catalog.formats_for(name)]
    return {"platforms": offered}
