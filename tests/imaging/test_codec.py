"""Decoding, validation and encoding shared by every studio."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from app.errors import PayloadTooLarge, ValidationFailed
from app.imaging import codec
from tests.imaging.images import bomb_png, swapped_rg_profile, to_bytes

MB = 1024 * 1024
PNG = to_bytes(Image.new("RGB", (8, 8), (10, 20, 30)))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.mark.parametrize("payload", [
    b64(PNG),
    "data:image/png;base64," + b64(PNG),
    "DATA:image/jpeg;base64," + b64(PNG),  # a lying MIME type is harmless: bytes are sniffed
    "\n".join(b64(PNG)[i:i + 20] for i in range(0, len(b64(PNG)), 20)),
    b64(PNG).rstrip("="),
    base64.urlsafe_b64encode(PNG).decode("ascii"),
])
def test_decode_base64_accepts_raw_data_urls_and_sloppy_text(payload):
    assert codec.decode_base64(payload, max_bytes=MB) == PNG


@pytest.mark.parametrize("payload", [None, "", "   "])
def test_decode_base64_missing_uses_the_callers_sentence(payload):
    with pytest.raises(ValidationFailed, match="^Primary image payload is required$"):
        codec.decode_base64(payload, max_bytes=MB, missing_message="Primary image payload is required")


@pytest.mark.parametrize("payload", ["not base64 at all!", "data:image/png;base64", "data:text,abc", "A"])
def test_decode_base64_rejects_garbage(payload):
    with pytest.raises(ValidationFailed) as caught:
        codec.decode_base64(payload, max_bytes=MB)
    assert caught.value.detail == "Invalid base64 image payload"
    assert caught.value.status == 400


def test_decode_base64_oversize_is_413_naming_the_limit():
    with pytest.raises(PayloadTooLarge) as caught:
        codec.decode_base64(b64(b"x" * (MB + 10)), max_bytes=MB)
    assert caught.value.status == 413
    assert "1 MB" in caught.value.detail


def test_open_image_is_lazy_and_reads_the_header():
    image = codec.open_image(PNG, max_pixels=100)
    assert image.size == (8, 8) and image.format == "PNG"


def test_open_image_rejects_non_images():
    with pytest.raises(ValidationFailed, match="^Invalid base64 image payload$"):
        codec.open_image(b"%PDF-1.4 definitely not an image", max_pixels=10**6)


@pytest.mark.parametrize("side", [7000, 30000])  # over our limit / over Pillow's own bomb guard
def test_decompression_bomb_is_refused_from_the_header(side):
    with pytest.raises(PayloadTooLarge) as caught:
        codec.open_image(bomb_png(side, side), max_pixels=40_000_000)
    assert caught.value.status == 413 and "40,000,000 pixel limit" in caught.value.detail


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_is_a_400_with_a_clear_sentence(fmt):
    data = to_bytes(Image.effect_noise((300, 300), 60).convert("RGB"), fmt)
    image = codec.open_image(data[: len(data) // 2], max_pixels=10**6)
    with pytest.raises(ValidationFailed) as caught:
        codec.normalize(image)
    assert caught.value.detail == codec.TRUNCATED and caught.value.status == 400


def test_exif_orientation_6_is_applied_for_jpeg():
    stored = Image.new("RGB", (40, 20), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 20, 20))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6
    image = codec.open_image(to_bytes(stored, "JPEG", exif=exif), max_pixels=10**6)
    assert codec.orientation(image) == 6 and codec.display_size(image) == (20, 40)
    shown = codec.normalize(image)
    assert shown.size == (20, 40)
    top, bottom = shown.getpixel((10, 5)), shown.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60  # stored left became the top
    assert bottom[2] > 200 and bottom[0] < 60


def test_exif_is_not_read_for_png():
    image = codec.open_image(PNG, max_pixels=100)
    assert codec.orientation(image) == 1


def test_draft_decodes_a_jpeg_at_a_smaller_scale_that_still_covers_the_request():
    image = codec.open_image(to_bytes(Image.new("RGB", (2000, 1600), "gray"), "JPEG"),
                             max_pixels=10**7)
    codec.draft(image, 450, 360)
    loaded = codec.normalize(image)
    assert loaded.size == (500, 400)


def test_check_decodes_reads_a_jpeg_at_an_eighth_of_its_size():
    image = codec.open_image(to_bytes(Image.new("RGB", (2000, 1600), "gray"), "JPEG"), max_pixels=10**7)
    codec.check_decodes(image)
    assert (image.size, image.mode) == ((250, 200), "RGB")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_check_decodes_still_refuses_a_truncated_file(fmt):
    data = to_bytes(Image.effect_noise((300, 300), 60).convert("RGB"), fmt)
    image = codec.open_image(data[: len(data) // 2], max_pixels=10**6)
    with pytest.raises(ValidationFailed) as caught:
        codec.check_decodes(image)
    assert caught.value.detail == codec.TRUNCATED


@pytest.mark.parametrize("mode", ["P", "L", "RGBA"])
def test_check_decodes_keeps_a_png_at_full_size_in_its_own_mode(mode):
    image = codec.open_image(to_bytes(Image.new(mode, (40, 30))), max_pixels=10**4)
    codec.check_decodes(image)
    assert (image.size, image.mode) == ((40, 30), mode)


def test_draft_cover_decodes_a_jpeg_at_the_smallest_scale_that_still_covers_the_crop():
    image = codec.open_image(to_bytes(Image.new("RGB", (4000, 3000), "gray"), "JPEG"), max_pixels=10**8)
    codec.draft_cover(image, 500, 500)
    image.load()
    assert image.size == (1000, 750)  # ¼; ⅛ (500×375) would be too short for a 500×500 cover


@pytest.mark.parametrize("fmt, size", [("JPEG", (800, 600)), ("PNG", (100, 75))])
def test_draft_cover_leaves_an_enlargement_or_a_png_at_full_size(fmt, size):
    image = codec.open_image(to_bytes(Image.new("RGB", (400, 300), "gray"), fmt), max_pixels=10**6)
    codec.draft_cover(image, *size)
    image.load()
    assert image.size == (400, 300)


def test_normalize_turns_and_converts_the_image_itself_without_a_copy():
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = codec.open_image(to_bytes(Image.new("RGB", (40, 20)), "JPEG", exif=exif), max_pixels=10**6)
    assert codec.normalize(rotated) is rotated and rotated.size == (20, 40)
    data = to_bytes(Image.new("RGB", (16, 16), (255, 0, 0)), "PNG", icc_profile=swapped_rg_profile())
    profiled = codec.open_image(data, max_pixels=10**6)
    assert codec.normalize(profiled) is profiled and profiled.getpixel((8, 8))[1] > 240


def test_non_srgb_icc_profile_is_converted_to_srgb():
    data = to_bytes(Image.new("RGB", (16, 16), (255, 0, 0)), "PNG", icc_profile=swapped_rg_profile())
    pixel = codec.normalize(codec.open_image(data, max_pixels=10**6)).getpixel((8, 8))
    assert pixel[1] > 240 and pixel[0] < 15  # the profile says stored red is green


def test_srgb_profile_leaves_pixels_alone():
    from PIL import ImageCms
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = to_bytes(Image.new("RGB", (4, 4), (200, 100, 50)), "PNG", icc_profile=srgb)
    assert codec.normalize(codec.open_image(data, max_pixels=100)).getpixel((0, 0)) == (200, 100, 50)


def test_transparency_is_kept_and_flattened_white_for_jpeg():
    rgba = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    rgba.paste((0, 0, 255, 255), (5, 0, 10, 10))
    image = codec.normalize(codec.open_image(to_bytes(rgba), max_pixels=1000))
    assert image.mode == "RGBA"
    png = Image.open(io.BytesIO(codec.encode(image, "png")))
    assert png.mode == "RGBA" and png.getpixel((1, 1))[3] == 0
    jpeg = Image.open(io.BytesIO(codec.encode(image, "jpg")))
    assert jpeg.mode == "RGB" and min(jpeg.getpixel((1, 1))) > 245
    assert jpeg.getpixel((8, 5))[2] > 200


def test_palette_and_grey_images_become_rgb():
    for mode in ("P", "L", "CMYK"):
        data = to_bytes(Image.new(mode, (4, 4)), "TIFF" if mode == "CMYK" else "PNG")
        assert codec.normalize(codec.open_image(data, max_pixels=100)).mode == "RGB"


@pytest.mark.parametrize("fmt, mime", [("png", "image/png"), ("jpeg", "image/jpeg"),
                                       ("JPG", "image/jpeg"), ("webp", "image/webp")])
def test_data_url_mime_matches_the_bytes(fmt, mime):
    data = codec.encode(Image.new("RGB", (4, 4)), fmt)
    assert codec.sniff_mime(data) == mime
    url = codec.data_url(data)
    assert url.startswith(f"data:{mime};base64,")
    assert codec.decode_base64(url, max_bytes=MB) == data


def test_encode_rejects_unknown_formats():
    with pytest.raises(ValidationFailed, match="Unsupported output format: pcx"):
        codec.encode(Image.new("RGB", (4, 4)), "pcx")
