"""Masks: white = edit, transparency = keep, always at the image's size."""
from PIL import Image

from app.imaging.mask import coverage, to_mask


def test_painted_strokes_on_transparency_become_white_on_black():
    layer = Image.new("RGBA", (10, 10), (255, 255, 255, 0))
    layer.paste((255, 255, 255, 255), (0, 0, 5, 10))
    mask = to_mask(layer, (20, 20))
    assert mask.mode == "L" and mask.size == (20, 20)
    assert mask.getpixel((2, 10)) == 255 and mask.getpixel((18, 10)) == 0
    assert 0.4 < coverage(mask) < 0.6


def test_rgb_masks_use_luminance():
    mask = to_mask(Image.new("RGB", (4, 4), (255, 255, 255)), (4, 4))
    assert coverage(mask) == 1.0
    assert coverage(to_mask(Image.new("RGB", (4, 4)), (4, 4))) == 0.0
