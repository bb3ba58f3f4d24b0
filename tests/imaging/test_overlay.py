"""Safe-zone overlay at the platform's exact fractions."""
from __future__ import annotations

import pytest
from PIL import Image

from app.imaging.overlay import OUTLINE, SHADE, draw_safe_zones, safe_box

SHADED = int(255 * SHADE)


def test_safe_box_uses_height_for_top_bottom_and_width_for_left_right():
    zone = {"top": 0.25, "bottom": 0.15, "left": 0.1, "right": 0.1}
    assert safe_box(1080, 1920, zone) == (108, 480, 972, 1632)


@pytest.mark.parametrize("size, zone", [
    ((1080, 1920), {"top": 0.25, "bottom": 0.15, "left": 0.1, "right": 0.1}),
    ((1500, 500), {"top": 0.2, "bottom": 0.1, "left": 0.15, "right": 0.15}),
    ((1080, 1080), {"top": 0.15, "bottom": 0.15, "left": 0.1, "right": 0.1}),
])
def test_margins_are_shaded_and_the_safe_area_outlined_exactly(size, zone):
    width, height = size
    out = draw_safe_zones(Image.new("RGB", size, (255, 255, 255)), zone)
    left, top, right, bottom = safe_box(width, height, zone)
    mid_x, mid_y = width // 2, height // 2
    assert out.size == size
    # Last unsafe pixel is shaded, first safe pixel is the outline, deeper inside is untouched.
    assert out.getpixel((mid_x, top - 1)) == (SHADED,) * 3
    assert out.getpixel((mid_x, top)) == OUTLINE
    assert out.getpixel((mid_x, bottom)) == (SHADED,) * 3
    assert out.getpixel((mid_x, bottom - 1)) == OUTLINE
    assert out.getpixel((left - 1, mid_y)) == (SHADED,) * 3
    assert out.getpixel((left, mid_y)) == OUTLINE
    assert out.getpixel((right, mid_y)) == (SHADED,) * 3
    assert out.getpixel((right - 1, mid_y)) == OUTLINE
    assert out.getpixel((mid_x, mid_y)) == (255, 255, 255)
    assert out.getpixel((0, 0)) == (SHADED,) * 3


def test_overlay_keeps_transparency_and_leaves_the_input_alone():
    image = Image.new("RGBA", (200, 200), (255, 255, 255, 128))
    out = draw_safe_zones(image, {"top": 0.1, "bottom": 0.1, "left": 0.1, "right": 0.1})
    assert out.mode == "RGBA" and out.getpixel((0, 0)) == (SHADED, SHADED, SHADED, 128)
    assert image.getpixel((0, 0)) == (255, 255, 255, 128)
