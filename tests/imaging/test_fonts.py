"""Font discovery and loading: the built-in default always, font files found by directory,
stable ids, and a sample drawn by the same rasteriser as the overlay."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageFont

from app.imaging import fonts


def builtin_font_bytes() -> bytes:
    """Pillow's own Aileron as a file's bytes: a real TrueType font no system has to provide."""
    return ImageFont.load_default(size=12).font_bytes


@pytest.fixture
def font_dir(tmp_path):
    nested = tmp_path / "truetype" / "acme"
    nested.mkdir(parents=True)
    (nested / "AcmeSans-Bold.ttf").write_bytes(builtin_font_bytes())
    (tmp_path / "Second.OTF").write_bytes(builtin_font_bytes())
    (tmp_path / "broken.ttf").write_bytes(b"not a font at all")
    (tmp_path / "README.txt").write_text("fonts")
    return (str(tmp_path),)


def system_font() -> fonts.Font:
    found = [font for font in fonts.available() if font.path is not None]
    if not found:
        pytest.skip(f"no TrueType/OpenType font under {', '.join(fonts.SYSTEM_DIRS)}: "
                    "install one (e.g. fonts-dejavu-core) to compare two fonts")
    return found[0]


def test_the_default_is_always_there_and_first():
    assert fonts.available(()) == (fonts.DEFAULT,)
    assert fonts.available()[0] == fonts.DEFAULT
    assert fonts.DEFAULT.load(20).getname() == ("Aileron", "Regular")


def test_font_files_are_found_under_the_directories_with_stable_ids(font_dir):
    found = fonts.available(font_dir)
    assert [font.id for font in found] == ["default", "acmesans-bold", "second"]
    assert [font.name for font in found[1:]] == ["Aileron", "Aileron"]   # the family inside the file
    assert found[1].path.name == "AcmeSans-Bold.ttf"
    assert fonts.available(font_dir) is found                             # walked once, then cached


def test_system_font_ids_are_unique_and_named():
    found = fonts.available()
    assert len({font.id for font in found}) == len(found)
    assert all(font.name and font.id == font.id.lower() for font in found)


def test_find_and_load(font_dir):
    assert fonts.find(None, font_dir) is fonts.find("", font_dir) is fonts.DEFAULT
    assert fonts.find("acmesans-bold", font_dir).path.name == "AcmeSans-Bold.ttf"
    assert fonts.find("comic-sans", font_dir) is None
    assert fonts.load("comic-sans", 30, font_dir).getname() == ("Aileron", "Regular")   # a vanished font
    assert fonts.load("acmesans-bold", 30, font_dir).size == 30


def test_a_font_file_gone_since_discovery_draws_in_the_default(tmp_path):
    gone = fonts.Font("gone", "Gone", tmp_path / "Gone.ttf")
    assert gone.load(24).getname() == ("Aileron", "Regular")


def test_the_sample_is_the_text_in_that_font():
    one = Image.open(io.BytesIO(fonts.sample(fonts.DEFAULT, "Summer sale")))
    assert one.format == "PNG" and one.mode == "RGB" and one.height >= 32
    pixels = np.asarray(one)
    assert pixels.min() < 60 and (pixels[0] == 255).all()          # dark ink, a white margin
    longer = Image.open(io.BytesIO(fonts.sample(fonts.DEFAULT, "Summer sale, shop now")))
    assert longer.width > one.width


def test_two_fonts_draw_different_samples():
    other = system_font()
    assert fonts.sample(other, "Summer sale") != fonts.sample(fonts.DEFAULT, "Summer sale")
