"""Convert Studio API: every target by magic bytes, transparency kept or flattened onto the
background, animated GIFs, CMYK and 16-bit inputs, metadata, batches and the formats listing."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from app.imaging import provenance
from tests.delivery_helpers import format_of, opened, result_bytes, upload
from tests.fakes.server import png_header
from tests.photos import photograph

URL = "/api/image-studio/convert-format"


@pytest.fixture
def convert(client, auth):
    def call(**body):
        return client.post(URL, json=body, headers=auth)
    return call


def half_transparent() -> Image.Image:
    """The coffee photograph with its left half fully transparent."""
    image = photograph("coffee").convert("RGBA")
    alpha = Image.new("L", image.size, 255)
    alpha.paste(0, (0, 0, image.width // 2, image.height))
    image.putalpha(alpha)
    return image


@pytest.mark.parametrize("target, expected", [("png", "png"), ("jpeg", "jpeg"), ("jpg", "jpeg"),
                                              ("webp", "webp"), ("avif", "avif"), ("gif", "gif"),
                                              ("bmp", "bmp"), ("tiff", "tiff"), ("tif", "tiff")])
def test_every_target_format_by_its_magic_bytes(convert, client, auth, target, expected):
    image = photograph("rocket")
    response = convert(image_base64=upload(image, "JPEG"), target_format=target)
    assert response.status_code == 200, response.json
    body = response.json
    data = result_bytes(body)
    assert format_of(data) == body["target_format"] == expected and body["original_format"] == "jpeg"
    assert opened(data).size == (body["width"], body["height"]) == image.size
    assert body["converted_size_kb"] == round(len(data) / 1024, 2)
    assert client.get(body["url"], headers=auth).data == data


@pytest.mark.parametrize("target", ["png", "webp", "avif", "tiff", "gif"])
def test_transparency_is_kept_where_the_target_has_it(convert, target):
    body = convert(image_base64=upload(half_transparent()), target_format=target).json
    out = opened(result_bytes(body)).convert("RGBA")
    assert body["transparency_preserved"] is True
    assert out.getpixel((10, 10))[3] == 0 and out.getpixel((out.width - 10, 10))[3] == 255


@pytest.mark.parametrize("target, background, colour", [("jpeg", "white", (255, 255, 255)),
                                                        ("bmp", "black", (0, 0, 0)),
                                                        ("jpeg", "#2040c0", (0x20, 0x40, 0xC0))])
def test_transparency_is_flattened_onto_the_background_where_the_target_has_none(convert, target, background, colour):
    body = convert(image_base64=upload(half_transparent()), target_format=target, background=background).json
    out = opened(result_bytes(body)).convert("RGB")
    assert body["transparency_preserved"] is False
    assert all(abs(a - b) <= 3 for a, b in zip(out.getpixel((10, 10)), colour, strict=True))
    assert any("flattened" in note for note in body["metadata"]["notes"])


def test_preserve_transparency_false_flattens_even_for_png(convert):
    body = convert(image_base64=upload(half_transparent()), target_format="png", preserve_transparency=False,
                   background="black").json
    out = opened(result_bytes(body))
    assert out.mode == "RGB" and out.getpixel((10, 10)) == (0, 0, 0) and body["transparency_preserved"] is False


def test_an_animated_gif_gives_its_first_frame_and_says_so(convert):
    frames = [Image.new("RGB", (60, 40), colour) for colour in ("red", "lime", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    body = convert(image_base64=__import__("base64").b64encode(buffer.getvalue()).decode(), target_format="png").json
    out = opened(result_bytes(body)).convert("RGB")
    assert body["original_format"] == "gif" and out.getpixel((5, 5)) == (255, 0, 0)
    assert "Animated GIF: only the first of its 3 frames was kept" in body["metadata"]["notes"]


def test_cmyk_and_16_bit_inputs_arrive_as_they_look(convert):
    cmyk = convert(image_base64=upload(Image.new("CMYK", (40, 40), (0, 255, 255, 0)), "JPEG"),
                   target_format="png").json
    red = opened(result_bytes(cmyk)).convert("RGB").getpixel((20, 20))
    assert red[0] > 230 and red[1] < 30 and red[2] < 30
    ramp = Image.fromarray(np.tile(np.linspace(0, 65535, 256), (16, 1)).astype(np.uint16))
    deep = convert(image_base64=upload(ramp, "PNG"), target_format="webp", quality=100).json
    grey = opened(result_bytes(deep)).convert("L")
    assert grey.getpixel((0, 8)) < 5 and 120 < grey.getpixel((128, 8)) < 136 and grey.getpixel((255, 8)) > 250


def test_exif_is_kept_unless_stripped_and_orientation_is_applied(convert):
    exif = Image.Exif()
    exif[0x0112], exif[0x010F] = 8, "Camera maker"
    source = upload(photograph("rocket"), "JPEG", exif=exif.tobytes())
    kept = convert(image_base64=source, target_format="webp").json
    out = opened(result_bytes(kept))
    assert kept["metadata_preserved"] is True and out.getexif()[0x010F] == "Camera maker"
    assert out.size == (427, 640) and out.getexif().get(0x0112, 1) == 1
    stripped = convert(image_base64=source, target_format="webp", strip_metadata=True).json
    assert stripped["metadata_preserved"] is False and not opened(result_bytes(stripped)).getexif()


@pytest.mark.parametrize("target", ["jpeg", "png", "webp", "avif", "tiff"])
def test_the_ai_mark_is_kept_in_every_format_that_holds_xmp(convert, target):
    mark = provenance.Mark(provenance.COMPOSITE, "wavespeed", "qwen-image-edit")
    source = upload(photograph("astronaut"), "JPEG", **provenance.save_options("JPEG", mark))
    body = convert(image_base64=source, target_format=target, strip_metadata=True).json
    assert provenance.read(result_bytes(body)) == mark
    assert body["metadata"]["provenance"]["xmp"] is True


def test_bad_requests_name_the_field(convert):
    image = upload(photograph("coffee"))
    missing = convert(image_base64=image)
    assert missing.status_code == 400 and "target_format" in missing.json["errors"]
    unknown = convert(image_base64=image, target_format="heic")
    assert unknown.json["detail"] == "Unsupported target_format: heic (choose png, jpeg, webp, avif, gif, bmp or tiff)"
    background = convert(image_base64=image, target_format="jpeg", background="blur")
    assert background.status_code == 400 and background.json["errors"] == {
        "background": ["Invalid background: blur (use white, black or #rrggbb)"]}
    assert convert(image_base64="%%%", target_format="png").json["detail"] == "Invalid base64 image payload"


@pytest.mark.parametrize("width, target", [(8192, "webp"), (8192, "gif"), (8193, "png"),
                                           (30000, "webp"), (30000, "avif")])
def test_a_result_wider_than_8192_px_is_a_400_in_every_format(convert, width, target):
    """service.md: every output side is at most 8192 px; convert keeps the pixel size, so a
    wider image cannot be converted (before, a 30000×2 banner to WebP was a 500)."""
    response = convert(image_base64=upload(Image.new("RGB", (width, 2), (20, 90, 200))), target_format=target)
    if width <= 8192:
        assert response.status_code == 200, response.json
        assert opened(result_bytes(response.json)).size == (width, 2)
    else:
        assert (response.status_code, response.json["detail"]) == (
            400, f"Result {width}x2 has a side over the 8192 px limit")


@pytest.mark.parametrize("url, body", [(URL, {"target_format": "webp"}),
                                       ("/api/image-studio/compress", {"format": "webp"}),
                                       ("/api/image-studio/compress/estimate", {"format": "webp"})])
def test_a_size_past_the_output_limit_is_refused_from_the_header_before_decoding(client, auth, url, body):
    """The file's pixels cannot be read (only its header is whole): the 400 names the output
    limit, so nothing was decoded only to be refused."""
    data = base64.b64encode(png_header(20000, 10)).decode()
    response = client.post(url, json={"image_base64": data, **body}, headers=auth)
    assert (response.status_code, response.json["detail"]) == (
        400, "Result 20000x10 has a side over the 8192 px limit")


def test_a_batch_converts_each_image_on_its_own(client, auth):
    images = [{"image_base64": upload(photograph("coffee")), "target_format": "gif"},
              {"image_base64": upload(photograph("chelsea")), "target_format": "nope"},
              {"image_base64": upload(half_transparent()), "target_format": "jpeg"}]
    body = client.post(URL + "/batch", json={"images": images}, headers=auth).json
    assert (body["success"], body["successful"], body["failed"], body["total_images"]) == (False, 2, 1, 3)
    gif, refused, jpeg = body["results"]
    assert format_of(result_bytes(gif)) == "gif" and format_of(result_bytes(jpeg)) == "jpeg"
    assert refused == {"success": False, "error": "Unsupported target_format: nope (choose png, jpeg, webp, "
                                                  "avif, gif, bmp or tiff)"}


def test_supported_lists_what_is_read_and_written(client, auth):
    body = client.get(URL + "/supported", headers=auth).json
    assert body["input_formats"] == ["avif", "bmp", "gif", "jpeg", "png", "tiff", "webp"]
    written = {f["format"]: f for f in body["output_formats"]}
    assert list(written) == ["png", "jpeg", "webp", "avif", "gif", "bmp", "tiff"]
    assert not written["jpeg"]["transparency"] and written["webp"]["transparency"]
    assert not written["bmp"]["ai_mark"] and written["avif"]["ai_mark"]


def test_an_avif_upload_converts_back(convert):
    image = photograph("chelsea")
    body = convert(image_base64=upload(image, "AVIF", quality=80), target_format="png").json
    assert body["original_format"] == "avif" and opened(result_bytes(body)).size == image.size
