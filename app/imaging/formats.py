"""The output formats the service writes, and the names, MIME types and extensions of each.

One table: request fields, encoders, data URLs, stored file names and download names all
read it, so adding a format is one line here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.errors import ValidationFailed


@dataclass(frozen=True)
class OutputFormat:
    name: str       # the request value: png, jpeg, webp
    mime_type: str
    extension: str  # for file names
    pillow: str     # Pillow's format name
    alpha: bool = True     # can hold transparency
    lossy: bool = False    # takes a quality
    xmp: bool = True       # can carry an XMP packet (the AI provenance mark)
    max_side: int | None = None   # the longest side its encoder writes (None: beyond any input)


FORMATS = {fmt.name: fmt for fmt in (
    OutputFormat("png", "image/png", "png", "PNG"),
    OutputFormat("jpeg", "image/jpeg", "jpg", "JPEG", alpha=False, lossy=True, max_side=65500),
    OutputFormat("webp", "image/webp", "webp", "WEBP", lossy=True, max_side=16383),
    OutputFormat("avif", "image/avif", "avif", "AVIF", lossy=True, max_side=65536),
    OutputFormat("gif", "image/gif", "gif", "GIF", xmp=False, max_side=65535),
    OutputFormat("bmp", "image/bmp", "bmp", "BMP", alpha=False, xmp=False),
    OutputFormat("tiff", "image/tiff", "tiff", "TIFF"),
)}
# What the generating and editing studios write; compress and convert write every FORMATS.
OUTPUT_FORMATS = {name: FORMATS[name] for name in ("png", "jpeg", "webp")}
ALIASES = {"jpg": "jpeg", "tif": "tiff"}
# Formats an input or a provider reply may be in, by Pillow's name (outputs are a subset).
MIME_BY_PILLOW = {"PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg",
                  "WEBP": "image/webp", "GIF": "image/gif", "BMP": "image/bmp",
                  "TIFF": "image/tiff", "AVIF": "image/avif"}
EXTENSIONS = {fmt.mime_type: fmt.extension for fmt in FORMATS.values()}
BY_PILLOW = {fmt.pillow: fmt for fmt in FORMATS.values()} | {"MPO": FORMATS["jpeg"]}
BY_MIME = {fmt.mime_type: fmt for fmt in FORMATS.values()}


def choices(names: Iterable[str] = OUTPUT_FORMATS) -> tuple[str, ...]:
    """What a request field accepts for `names`: the names and their aliases."""
    names = tuple(names)
    return names + tuple(alias for alias, name in ALIASES.items() if name in names)


def output_format(name: str | None, allowed: Iterable[str] = OUTPUT_FORMATS, *,
                  field: str = "output_format") -> OutputFormat:
    """The format for a request value (default png); ValidationFailed naming the choices
    under `field`."""
    allowed = tuple(allowed)
    key = (name or "png").strip().lower()
    key = ALIASES.get(key, key)
    if key not in allowed:
        listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
        message = f"Unsupported output format: {name} (choose {listed})"
        raise ValidationFailed(message, errors={field: [message]})
    return FORMATS[key]


def check_fits(fmt: OutputFormat, width: int, height: int) -> None:
    """ValidationFailed when `fmt` cannot hold a width×height image (WebP stops at 16,383 px a
    side: a 30000×2 banner converted to it was a 500), naming the formats that can."""
    if fmt.max_side is None or max(width, height) <= fmt.max_side:
        return
    able = [other.name.upper() for other in FORMATS.values()
            if other.max_side is None or max(width, height) <= other.max_side]
    raise ValidationFailed(f"{fmt.name.upper()} holds at most {fmt.max_side:,} px a side and this image is "
                           f"{width}×{height} px: choose {', '.join(able[:-1])} or {able[-1]}")


def extension(mime_type: str) -> str:
    """The file-name extension of a MIME type ("bin" for anything unknown)."""
    return EXTENSIONS.get(mime_type, "bin")
