"""Encoding to a byte budget and estimating sizes, on real photographs."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.imaging import compression
from app.imaging.formats import FORMATS
from tests.imaging.images import noisy
from tests.photos import NAMES, large, photograph


def counted(output):
    """The compression encoder for `output`, counting its calls."""
    encode = compression.encoder(output)
    calls = []

    def counting(image, quality):
        calls.append(quality)
        return encode(image, quality)
    return counting, calls


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fmt", ["jpeg", "webp", "avif"])
def test_a_target_is_met_in_at_most_six_encodes_near_the_best_quality(name, fmt):
    image, output = photograph(name), FORMATS[fmt]
    encode, calls = counted(output)
    top, bottom = len(encode(image, 85)), len(encode(image, 1))
    calls.clear()
    target = bottom + (top - bottom) // 4
    result = compression.compress(image, output, 85, target, encode)
    assert len(result.data) <= target and len(calls) == result.encodes <= compression.MAX_ENCODES
    out = opened(result.data)
    assert out.size == image.size and out.format == output.pillow
    # Within two quality steps of the highest that fits.
    assert len(encode(image, result.quality + 3)) > target


def test_a_file_under_the_target_is_encoded_once_at_the_quality_asked():
    image = photograph("coffee")
    encode, calls = counted(FORMATS["jpeg"])
    result = compression.compress(image, FORMATS["jpeg"], 70, 10 ** 7, encode)
    assert calls == [70] and result.quality == 70 and result.encodes == 1


def test_an_unreachable_target_gives_the_smallest_file():
    encode, calls = counted(FORMATS["jpeg"])
    with pytest.raises(compression.TargetUnreachable) as refused:
        compression.compress(noisy(500, 500), FORMATS["jpeg"], 85, 5000, encode)
    assert calls == [85, 1] and refused.value.smallest == len(refused.value.data) > 5000
    assert opened(refused.value.data).size == (500, 500)


def test_png_goes_lossless_then_to_the_most_colours_that_fit():
    image = photograph("chelsea")
    encode, calls = counted(FORMATS["png"])
    lossless = len(encode(image, None))
    calls.clear()
    result = compression.compress(image, FORMATS["png"], None, lossless // 3, encode)
    out = opened(result.data)
    assert out.mode == "P" and out.size == image.size and len(result.data) <= lossless // 3
    assert result.colors in compression.PALETTES and result.encodes <= compression.MAX_ENCODES
    more = compression.PALETTES[compression.PALETTES.index(result.colors) - 1] if result.colors != 256 else None
    if more:
        assert len(encode(image.quantize(more, method=Image.Quantize.MEDIANCUT), None)) > lossless // 3


def test_png_with_alpha_keeps_it_in_the_palette():
    image = photograph("astronaut").convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize(image.size))
    encode = compression.encoder(FORMATS["png"])
    result = compression.compress(image, FORMATS["png"], None, len(encode(image, None)) // 2, encode)
    out = opened(result.data).convert("RGBA")
    assert out.getpixel((5, 0))[3] < 16 and out.getpixel((5, image.height - 1))[3] > 220


@pytest.mark.parametrize("fmt, quality", [("jpeg", 85), ("jpeg", 40), ("png", None), ("webp", 80)])
def test_estimates_are_within_ten_percent_of_the_real_size(fmt, quality):
    output = FORMATS[fmt]
    encode = compression.encoder(output)
    for name in ("astronaut", "rocket"):
        image = large(name)
        estimated, real = compression.estimate_size(image, output, quality, encode), len(encode(image, quality))
        assert abs(estimated - real) / real < 0.10, (name, estimated, real)


def test_a_sampled_estimate_encodes_far_less_than_the_image():
    image = large("coffee")
    encoded = []
    encode = compression.encoder(FORMATS["jpeg"])
    compression.estimate_size(image, FORMATS["jpeg"], 85,
                              lambda picture, q: encoded.append(picture.width * picture.height) or encode(picture, q))
    assert sum(encoded) < image.width * image.height / 4
