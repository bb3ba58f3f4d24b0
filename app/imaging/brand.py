"""A brand kit drawn on a rendition: the logo in a corner and a headline and call to action in
the brand's colours, all inside the format's safe zone (where no platform UI covers them).

Sizes follow the rendition, not the source, so one overlay reads the same on a 1500×500
header and a 1080×1920 story: the logo is `size` of the width (shrunk if the safe area is
smaller), the margin 3% of the short side, the text about 6% of the safe area's height.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageColor, ImageDraw

from app.imaging import fonts
from app.imaging.overlay import safe_box

POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")
MARGIN = 0.03          # of the short side
TEXT_HEIGHT = 0.06     # of the safe area's height
LOGO_MAX_HEIGHT = 0.3  # of the safe area's height
BAND_OPACITY = 170


@dataclass(frozen=True)
class Brand:
    """What to draw: the logo (RGBA, or None), where, how big, the texts, the colours
    (the persona's palette: the first for text, the second behind it) and the texts' font
    (an id of app.imaging.fonts; None or a vanished font is the default)."""

    logo: Image.Image | None
    position: str = "bottom-right"
    size: float = 0.15
    headline: str | None = None
    cta: str | None = None
    colours: Sequence[str] = field(default_factory=list)
    font: str | None = None

    def draw(self, image: Image.Image, safe_zone: Mapping[str, float]) -> Image.Image:
        """A copy of `image` with the overlay, every mark inside the safe zone."""
        out = image.convert("RGBA")
        left, top, right, bottom = safe_box(*out.size, safe_zone)
        margin = round(MARGIN * min(out.size))
        area = (left + margin, top + margin, right - margin, bottom - margin)
        if area[2] <= area[0] or area[3] <= area[1]:
            return image
        logo_box = self._logo(out, area) if self.logo is not None else None
        vertical, horizontal = self.position.split("-")
        text_at = "top" if vertical == "bottom" else "bottom"
        if self.headline:
            self._text(out, area, self.headline, text_at, "left", bold=True)
        if self.cta:
            self._text(out, area, self.cta, vertical, "left" if horizontal == "right" else "right",
                       bold=False, beside=logo_box)
        return out if image.mode == "RGBA" else out.convert(image.mode)

    def _logo(self, out: Image.Image, area: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        width = max(1, min(round(self.size * out.width), area[2] - area[0]))
        height = max(1, round(self.logo.height * width / self.logo.width))
        limit = max(1, round(LOGO_MAX_HEIGHT * (area[3] - area[1])))
        if height > limit:
            width, height = max(1, round(width * limit / height)), limit
        logo = self.logo.resize((width, height), Image.Resampling.LANCZOS)
        vertical, horizontal = self.position.split("-")
        x = area[0] if horizontal == "left" else area[2] - width
        y = area[1] if vertical == "top" else area[3] - height
        out.alpha_composite(logo, (x, y))
        return (x, y, x + width, y + height)

    def _text(self, out: Image.Image, area: tuple[int, int, int, int], text: str, vertical: str,
              horizontal: str, *, bold: bool, beside: tuple[int, int, int, int] | None = None) -> None:
        """One line on a band of the second brand colour, shrunk until it fits its room."""
        room = area[2] - area[0]
        if beside is not None:
            room -= beside[2] - beside[0] + round(MARGIN * min(out.size))
        size = max(8, round(TEXT_HEIGHT * (area[3] - area[1]) * (1.0 if bold else 0.8)))
        font = fonts.load(self.font, size)
        for _ in range(3):   # text width grows with the size: scale it down, then check again
            needed = font.getbbox(text)[2] + size
            if size <= 8 or needed <= room:
                break
            size = max(8, int(size * room / needed))
            font = fonts.load(self.font, size)
        text_box = font.getbbox(text)
        pad = max(2, size // 3)
        width, height = text_box[2] + 2 * pad, text_box[3] + 2 * pad
        x = area[0] if horizontal == "left" else area[2] - width
        y = area[1] if vertical == "top" else area[3] - height
        ink, band = self._palette()
        layer = Image.new("RGBA", out.size)
        draw = ImageDraw.Draw(layer)
        draw.rounded_rectangle((x, y, x + width, y + height), radius=pad, fill=band + (BAND_OPACITY,))
        draw.text((x + pad, y + pad), text, font=font, fill=ink + (255,),
                  stroke_width=1 if bold else 0, stroke_fill=ink + (255,))
        out.alpha_composite(layer)

    def _palette(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        colours = [ImageColor.getrgb(c)[:3] for c in self.colours[:2]]
        ink = colours[0] if colours else (255, 255, 255)
        band = colours[1] if len(colours) > 1 else ((0, 0, 0) if sum(ink) > 382 else (255, 255, 255))
        return ink, band
