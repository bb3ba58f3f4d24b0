"""Social platform formats and specifications (data/platforms.json).

We differ from the reference: platform names are case-insensitive, and an unknown
platform is a 404 on the formats and specs routes (a 400 where it is a request field).
"""
from __future__ import annotations

import re
from typing import Any

from app.catalog.loader import load
from app.errors import NotFound


def _platforms() -> dict[str, Any]:
    return load("platforms")["platforms"]


def platform_names() -> list[str]:
    return list(_platforms())


def display_name(platform: str) -> str:
    """How a platform is written for people: `LinkedIn`, `YouTube`, `TikTok` (not `Linkedin`)."""
    entry = _lookup(platform)
    return entry["name"] if entry and entry.get("name") else (platform or "").capitalize()


def _lookup(platform: str) -> dict[str, Any] | None:
    return _platforms().get((platform or "").strip().lower())


def formats_for(platform: str) -> list[dict[str, Any]]:
    """The platform's formats (empty for blog/email/website); unknown platform → NotFound."""
    entry = _lookup(platform)
    if entry is None:
        raise NotFound(f"Invalid platform: {platform}")
    return entry["formats"]


def specs_for(platform: str) -> dict[str, Any]:
    """Specs in the API reference's shape; NotFound for a platform without specs."""
    entry = _lookup(platform)
    if entry is None or not entry.get("specs"):
        raise NotFound(f"Specifications not found for platform: {platform}")
    return {
        "name": entry["name"],
        "formats": [{"name": f["name"], "ratio": f["ratio"], "size": f"{f['width']}x{f['height']}"}
                    for f in entry["formats"]],
        "file_types": entry["specs"]["file_types"],
        "max_file_size": entry["specs"]["max_file_size"],
    }


def spec_rows() -> list[dict[str, Any]]:
    """Every platform that has specifications, with its formats (the specs page)."""
    return [{"key": name, "spec": specs_for(name), "formats": formats_for(name)}
            for name, entry in _platforms().items() if entry.get("specs")]


def max_file_bytes(platform: str) -> int | None:
    """The platform's `max_file_size` ("30MB") in bytes, or None where it has none."""
    entry = _lookup(platform) or {}
    size = (entry.get("specs") or {}).get("max_file_size")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*MB", size or "", re.IGNORECASE)
    return int(float(match.group(1)) * 1024 * 1024) if match else None
