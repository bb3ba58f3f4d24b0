"""Crop windows and exact-size resizes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from app.errors import ValidationFailed
from app.imaging import geometry

CATALOG = json.loads((Path(__file__).parents[2] / "app/catalog/data/platforms.json").read_text())
FORMATS = [(p, f["name"], f["width"], f["height"])
           for p, entry in CATALOG["platforms"].items() for f in entry["formats"]]


def inside(box, width, height):
    left, top, right, bottom = box
    return -1e-9 <= left < right <= width + 1e-9 and -1e-9 <= top < bottom <= height + 1e-9


@pytest.mark.parametrize("platform, name, width, height", FORMATS)
@pytest.mark.parametrize("source", [(640, 480), (300, 900), (3000, 200)])
def test_every_catalogue_format_comes_out_at_its_exact_size(platform, name, width, height, source):
    out = geometry.fit_cover(Image.new("RGB", source, "gray"), width, height)
    assert out.size == (width, height)


@pytest.mark.parametrize("src, dst", [((4000, 3000), (1080, 1920)), ((4000, 3000), (1500, 500)),
                                      ((500, 500), (1128, 191)), ((100, 900), (1, 1))])
def test_cover_box_is_the_largest_window_of_the_target_aspect(src, dst):
    left, top, right, bottom = geometry.cover_box(*src, *dst)
    assert (right - left) / (bottom - top) == pytest.approx(dst[0] / dst[1])
    assert right - left == pytest.approx(src[0]) or bottom - top == pytest.approx(src[1])
    assert inside((left, top, right, bottom), *src)


def test_cover_box_centres_the_focal_point_when_it_can():
    left, top, right, bottom = geometry.cover_box(4000, 3000, 1000, 1000, center=(2500, 1500))
    assert ((left + right) / 2, (top + bottom) / 2) == (2500, 1500)


@pytest.mark.parametrize("center", [(0, 0), (4000, 3000), (-50, 9999), (3990, 10)])
def test_cover_box_clamps_to_the_image_near_edges(center):
    box = geometry.cover_box(4000, 3000, 1080, 1920, center=center)
    assert inside(box, 4000, 3000)
    expected_left = 0 if center[0] < 2000 else 4000 - (box[2] - box[0])
    assert box[0] == pytest.approx(expected_left)


def test_cover_scale_is_the_shrink_of_the_cover_window():
    assert geometry.cover_scale(4000, 3000, 1080, 1920) == pytest.approx(0.64)


@pytest.mark.parametrize("src, dst", [((400, 300), (1080, 1920)), ((300, 900), (1500, 500)),
                                      ((1000, 1000), (1000, 1000))])
def test_contain_box_keeps_the_whole_image_centred(src, dst):
    left, top, right, bottom = geometry.contain_box(*src, *dst)
    assert 0 <= left and 0 <= top and right <= dst[0] and bottom <= dst[1]
    assert right - left == dst[0] or bottom - top == dst[1]
    assert abs(left - (dst[0] - right)) <= 1 and abs(top - (dst[1] - bottom)) <= 1
    assert (right - left) / (bottom - top) == pytest.approx(src[0] / src[1], rel=0.02)


@pytest.mark.parametrize("background, corner", [("white", (255, 255, 255)), ("#102030", (16, 32, 48)),
                                                ("black", (0, 0, 0))])
def test_fit_contain_letterboxes_on_a_colour(background, corner):
    out = geometry.fit_contain(Image.new("RGB", (400, 400), (200, 0, 0)), 800, 400, background)
    assert out.size == (800, 400)
    assert out.getpixel((5, 200)) == corner and out.getpixel((400, 200)) == (200, 0, 0)


def test_fit_contain_blur_fills_the_bars_from_the_image():
    out = geometry.fit_contain(Image.new("RGB", (400, 400), (0, 0, 200)), 800, 400, "blur")
    assert out.size == (800, 400) and out.getpixel((5, 200))[2] > 150


def test_fit_contain_composites_transparency():
    out = geometry.fit_contain(Image.new("RGBA", (100, 100), (0, 0, 0, 0)), 200, 100, "white")
    assert out.mode == "RGB" and out.getpixel((100, 50)) == (255, 255, 255)


@pytest.mark.parametrize("value", ["purple", "#12345", "blurry", "#gggggg"])
def test_invalid_background_is_a_400(value):
    with pytest.raises(ValidationFailed, match="Invalid background"):
        geometry.parse_background(value)
