"""The in-process upscaler: exact size, and sharper than a plain bicubic resize."""
import pytest
from PIL import Image, ImageFilter, ImageStat

from app.imaging.upscale import enlarge, sharpen_radius
from tests.studio_helpers import photo

LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


def sharpness(image: Image.Image) -> float:
    """Variance of the Laplacian: higher means crisper edges."""
    return ImageStat.Stat(image.convert("L").filter(LAPLACIAN)).var[0]


@pytest.mark.parametrize("size", [(256, 192), (200, 150), (640, 120)])
def test_enlarge_gives_the_exact_size(size):
    assert enlarge(photo(64, 48), size).size == size


def test_enlarge_is_sharper_than_bicubic():
    source = photo(64, 48)
    ours = enlarge(source, (256, 192))
    bicubic = source.resize((256, 192), Image.Resampling.BICUBIC)
    assert sharpness(ours) > 1.2 * sharpness(bicubic)


def test_enlarge_keeps_transparency():
    source = photo(40, 30).convert("RGBA")
    source.putalpha(Image.new("L", (40, 30), 90))
    result = enlarge(source, (160, 120))
    assert result.mode == "RGBA" and result.getpixel((80, 60))[3] == 90


def test_sharpening_radius_grows_with_the_enlargement_within_bounds():
    assert sharpen_radius(1.5) < sharpen_radius(4) <= 3.0
    assert sharpen_radius(100) == 3.0
