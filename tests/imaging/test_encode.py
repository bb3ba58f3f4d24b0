"""Size-capped encoding: smaller files, never a different pixel size."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from app.imaging import codec, compression, encode
from app.imaging.encode import encode_capped
from app.imaging.formats import FORMATS
from tests.imaging.images import noisy
from tests.photos import large


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_no_cap_or_under_cap_means_no_notes():
    image = Image.new("RGB", (300, 200), "navy")
    for fmt in ("png", "jpeg"):
        for cap in (None, 10**6):
            result = encode_capped(image, fmt, cap)
            assert result.notes == [] and opened(result.data).size == (300, 200)


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_quality_is_searched_under_the_cap(fmt, monkeypatch):
    image = noisy(600, 600)
    cap = (len(codec.encode(image, fmt, quality=85)) + len(codec.encode(image, fmt, quality=40))) // 2
    calls = []
    real = codec.encode
    monkeypatch.setattr(codec, "encode", lambda *a, **k: calls.append(k) or real(*a, **k))
    result = encode_capped(image, fmt, cap)
    assert len(result.data) <= cap
    assert opened(result.data).size == (600, 600) and opened(result.data).format == fmt.upper()
    quality = int(re.search(r"quality (\d+)", result.notes[0]).group(1))
    assert encode.JPEG_FLOOR <= quality < 85
    assert len(calls) <= 6  # q85, the floor, then at most four guesses: never a walk in small steps
    # Within two steps of the highest quality that fits.
    assert len(real(image, fmt, quality=quality + 3)) > cap


def test_impossible_jpeg_cap_says_so_and_keeps_the_size():
    result = encode_capped(noisy(400, 400), "jpeg", 2000)
    assert result.notes[0].startswith("Could not fit the")
    assert opened(result.data).size == (400, 400)


def test_png_tries_level_9_before_a_palette():
    image = Image.linear_gradient("L").resize((512, 512)).convert("RGB")
    fast = len(codec.encode(image, "png"))
    best = len(compression.encoder(FORMATS["png"])(image, None))   # level 9, zlib's default strategy
    assert best < fast
    result = encode_capped(image, "png", (fast + best) // 2)
    assert "PNG level 9" in result.notes[0] and opened(result.data).mode == "RGB"
    assert opened(result.data).size == (512, 512)


def test_png_palette_is_the_last_resort():
    image = noisy(300, 300).quantize(64).convert("RGB")  # few colours, noisy layout
    cap = min(len(codec.encode(image, "png", compress_level=level, optimize=level == 9))
              for level in (1, 9)) - 1
    result = encode_capped(image, "png", cap)
    assert "palette" in result.notes[0] and len(result.data) <= cap
    assert opened(result.data).mode == "P" and opened(result.data).size == (300, 300)


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_transparency_in_capped_output(fmt):
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    out = opened(encode_capped(image, fmt, None).data)
    if fmt == "png":
        assert out.mode == "RGBA" and out.getpixel((0, 0))[3] == 0
    else:
        assert out.mode == "RGB" and min(out.getpixel((0, 0))) > 245


def test_the_fast_png_of_a_photograph_is_smaller_than_level_1_and_as_small_as_level_6():
    """zlib's run-length strategy on a real photograph: fewer bytes than level 1 with the
    default strategy, within 1% of level 6."""
    photo = large("coffee", 1_200_000)
    fast = len(codec.encode(photo, "png"))
    level_1 = len(codec.encode(photo, "png", compress_level=1, compress_type=-1))
    level_6 = len(codec.encode(photo, "png", compress_level=6, compress_type=-1))
    assert fast < 0.95 * level_1 and fast < 1.01 * level_6
    assert opened(codec.encode(photo, "png")).tobytes() == photo.tobytes()   # lossless
