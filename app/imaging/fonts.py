"""The fonts a brand kit may use: Pillow's built-in scalable font (always there) plus the
TrueType/OpenType files of the machine's standard font directories.

Ids are the file's stem, lower-cased (`DejaVuSans-Bold.ttf` is `dejavusans-bold`), so a
persona keeps naming the same font across restarts and machines that ship the same files.
Discovery walks the directories once per process (cached): fonts installed later appear
after a restart. A persona whose font has since gone is drawn in the default font rather
than failing a render.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DEFAULT_ID = "default"
SYSTEM_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
SUFFIXES = (".ttf", ".otf")
PLAIN_STYLES = ("regular", "book", "roman", "normal")


@dataclass(frozen=True)
class Font:
    """One choosable font: `path` None is Pillow's built-in (Aileron Regular)."""

    id: str
    name: str
    path: Path | None = None

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        """The font at `size` pixels; a file that has become unreadable falls back to the default."""
        if self.path is not None:
            try:
                return ImageFont.truetype(str(self.path), size)
            except OSError:
                pass
        return ImageFont.load_default(size=size)


DEFAULT = Font(DEFAULT_ID, "Aileron (built in)")


def _named(path: Path) -> Font | None:
    """The font in one file, named after its family and style; None when FreeType cannot read it."""
    try:
        family, style = ImageFont.truetype(str(path), 12).getname()
    except (OSError, ValueError):
        return None
    style = (style or "").strip()
    name = (family or path.stem).strip()
    return Font(path.stem.lower(), f"{name} {style}" if style and style.lower() not in PLAIN_STYLES else name, path)


@cache
def available(directories: tuple[str, ...] = SYSTEM_DIRS) -> tuple[Font, ...]:
    """The default font first, then each readable font file under `directories`, by name.
    Where two files share an id, the first path in sorted order wins."""
    found: dict[str, Font] = {DEFAULT_ID: DEFAULT}
    for directory in directories:
        root = Path(os.path.expanduser(directory))
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()):
            if path.stem.lower() not in found and (font := _named(path)) is not None:
                found[font.id] = font
    rest = sorted((f for f in found.values() if f is not DEFAULT), key=lambda f: (f.name.lower(), f.id))
    return (DEFAULT, *rest)


def find(font_id: str | None, directories: tuple[str, ...] = SYSTEM_DIRS) -> Font | None:
    """The font with this id (None or "" is the default), or None for an unknown id."""
    if not font_id:
        return DEFAULT
    return next((font for font in available(directories) if font.id == font_id), None)


def load(font_id: str | None, size: int, directories: tuple[str, ...] = SYSTEM_DIRS) -> ImageFont.FreeTypeFont:
    """The font to draw with: an unknown id (a font removed since it was chosen) is the default."""
    return (find(font_id, directories) or DEFAULT).load(size)


def sample(font: Font, text: str, size: int = 32) -> bytes:
    """`text` in `font` as a PNG, dark on white: what the brand overlay will draw, rasterised
    by the same FreeType the overlay uses."""
    face = font.load(size)
    left, _, right, bottom = face.getbbox(text or " ")
    pad = size // 4
    image = Image.new("RGB", (max(1, right - min(0, left)) + 2 * pad, max(size, bottom) + 2 * pad), "white")
    ImageDraw.Draw(image).text((pad - min(0, left), pad), text, font=face, fill=(17, 24, 39))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
