"""The brand overlay on its own (no Flask): the headline and call to action are drawn in the
brand's font, inside the safe zone; an unknown font draws as the default."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from app.imaging import fonts
from app.imaging.brand import Brand
from app.imaging.overlay import safe_box

SAFE = {"top": 0.1, "bottom": 0.2, "left": 0.05, "right": 0.05}
INK = (255, 204, 0)


def drawn(font: str | None, size=(1080, 1080)) -> Image.Image:
    brand = Brand(None, headline="Summer sale", cta="Shop now", colours=["#ffcc00", "#112233"], font=font)
    return brand.draw(Image.new("RGB", size, (90, 90, 90)), SAFE)


def ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    near = np.abs(np.asarray(image).astype(int) - INK).sum(-1) < 60
    rows, cols = np.nonzero(near)
    assert len(rows), "no text in the first brand colour"
    return cols.min(), rows.min(), cols.max() + 1, rows.max() + 1


def a_system_font() -> str:
    found = [font.id for font in fonts.available() if font.path is not None]
    if not found:
        pytest.skip(f"no TrueType/OpenType font under {', '.join(fonts.SYSTEM_DIRS)} to compare with the default")
    return found[0]


@pytest.mark.parametrize("size", [(1080, 1080), (1500, 500), (1080, 1920)])
def test_the_text_in_a_chosen_font_stays_inside_the_safe_zone(size):
    image = drawn(a_system_font(), size)
    left, top, right, bottom = safe_box(*size, SAFE)
    x0, y0, x1, y1 = ink_box(image)
    assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom


def test_the_font_changes_the_pixels():
    default, chosen = np.asarray(drawn(None)), np.asarray(drawn(a_system_font()))
    assert (default != chosen).any(axis=-1).sum() > 500


def test_an_unknown_font_draws_as_the_default():
    assert np.array_equal(np.asarray(drawn("no-such-font")), np.asarray(drawn(None)))
    assert np.array_equal(np.asarray(drawn(fonts.DEFAULT_ID)), np.asarray(drawn(None)))
