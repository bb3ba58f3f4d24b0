"""The Flask-free social rendering pipeline."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.errors import PayloadTooLarge, ValidationFailed
from app.imaging import geometry, saliency
from app.imaging.overlay import SHADE
from app.social.pipeline import Target, prepare, render_social
from tests.imaging.crop_cases import ASTRONAUT_FACE
from tests.imaging.images import bomb_png, has_red, noisy, scene, to_bytes
from tests.photos import large

CATALOG = json.loads((Path(__file__).parents[2] / "app/catalog/data/platforms.json").read_text())
ALL = [Target.from_format(p, f, None) for p, entry in CATALOG["platforms"].items()
       for f in entry["formats"]]
ZONE = {"top": 0.15, "bottom": 0.15, "left": 0.1, "right": 0.1}


def target(width: int, height: int, max_bytes: int | None = None, name: str = "fmt") -> Target:
    return Target("instagram", name, width, height, "r", ZONE, max_bytes)


def opened(rendition) -> Image.Image:
    return Image.open(io.BytesIO(rendition.data))


@pytest.mark.parametrize("output_format, mime", [("png", "image/png"), ("jpg", "image/jpeg")])
def test_every_catalogue_format_in_order_at_its_exact_size(output_format, mime):
    data = to_bytes(scene(1600, 1200, (0.7, 0.4), 60), "JPEG")
    renditions = render_social(data, ALL, output_format=output_format)
    assert [(r.platform, r.format) for r in renditions] == [(t.platform, t.format) for t in ALL]
    for rendition, wanted in zip(renditions, ALL, strict=True):
        assert opened(rendition).size == (wanted.width, wanted.height)
        assert (rendition.width, rendition.height, rendition.ratio) == (wanted.width, wanted.height,
                                                                         wanted.ratio)
        assert rendition.mime_type == mime and rendition.size_bytes == len(rendition.data)


def test_target_cap_is_the_smaller_of_format_and_platform():
    fmt = CATALOG["platforms"]["youtube"]["formats"][0]
    assert Target.from_format("youtube", fmt, 2 * 1024 * 1024).max_bytes == 2 * 1024 * 1024
    assert Target.from_format("youtube", fmt, 30 * 1024 * 1024).max_bytes == 5 * 1024 * 1024


def test_no_targets_renders_nothing():
    assert render_social(to_bytes(Image.new("RGB", (10, 10))), []) == []


def test_smart_keeps_the_off_centre_object_and_center_cuts_it():
    data = to_bytes(scene(1200, 600, (0.9, 0.5), 40), "JPEG", quality=95)
    smart, = render_social(data, [target(300, 300)], crop_mode="smart")
    center, = render_social(data, [target(300, 300)], crop_mode="center")
    assert has_red(opened(smart)) and not has_red(opened(center))


def test_focal_point_wins_over_saliency():
    data = to_bytes(scene(1200, 600, (0.9, 0.5), 40))
    out, = render_social(data, [target(300, 300)], focal_point=(0.05, 0.5))
    assert not has_red(opened(out))


def test_fit_shows_the_whole_image_on_the_background():
    data = to_bytes(Image.new("RGB", (400, 400), (200, 0, 0)))
    out, = render_social(data, [target(800, 400)], crop_mode="fit", background="#0000ff")
    image = opened(out).convert("RGB")
    assert image.getpixel((5, 200)) == (0, 0, 255) and image.getpixel((400, 200)) == (200, 0, 0)


def test_identical_outputs_are_rendered_once_and_returned_for_each_target():
    data = to_bytes(scene(800, 800, (0.5, 0.5), 40))
    story, reel = render_social(data, [target(90, 160, name="Story"), target(90, 160, name="Reel")])
    assert (story.format, reel.format) == ("Story", "Reel") and story.data is reel.data


def test_safe_zones_are_drawn_on_request():
    data = to_bytes(Image.new("RGB", (500, 500), (255, 255, 255)))
    plain, shaded = (render_social(data, [target(200, 200)], show_safe_zones=flag)[0]
                     for flag in (False, True))
    assert opened(plain).getpixel((100, 2)) == (255, 255, 255)
    assert opened(shaded).getpixel((100, 2)) == (int(255 * SHADE),) * 3


@pytest.mark.parametrize("output_format", ["png", "jpeg"])
def test_transparency_kept_in_png_and_flattened_white_in_jpeg(output_format):
    rgba = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    out, = render_social(to_bytes(rgba), [target(100, 100)], output_format=output_format)
    image = opened(out)
    if output_format == "png":
        assert image.mode == "RGBA" and image.getpixel((50, 50))[3] == 0
    else:
        assert image.mode == "RGB" and min(image.getpixel((50, 50))) > 245


def test_rotated_large_jpeg_is_drafted_and_shown_upright():
    stored = Image.new("RGB", (2400, 1200), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 1200, 1200))  # stored left → displayed top
    exif = Image.Exif()
    exif[0x0112] = 6
    out, = render_social(to_bytes(stored, "JPEG", exif=exif), [target(150, 300)],
                         crop_mode="center")
    image = opened(out)
    assert image.size == (150, 300)
    assert image.getpixel((75, 20))[0] > 200 and image.getpixel((75, 280))[2] > 200


def test_byte_cap_lowers_jpeg_quality_and_says_so():
    out, = render_social(to_bytes(noisy(800, 800)), [target(600, 600, max_bytes=150_000)],
                         output_format="jpeg")
    assert out.size_bytes <= 150_000 and opened(out).size == (600, 600)
    assert "JPEG quality" in out.notes[0]


@pytest.mark.parametrize("options, message", [
    ({"crop_mode": "zoom"}, "Invalid crop_mode"),
    ({"output_format": "gif"}, "Invalid output_format"),
    ({"focal_point": (1.5, 0.5)}, "focal_point"),
    ({"focal_point": ("a", "b")}, "focal_point"),
    ({"crop_mode": "fit", "background": "plaid"}, "Invalid background"),
])
def test_bad_options_are_400(options, message):
    with pytest.raises(ValidationFailed, match=message):
        render_social(to_bytes(Image.new("RGB", (10, 10))), [target(5, 5)], **options)


def test_oversized_images_are_413():
    with pytest.raises(PayloadTooLarge):
        render_social(bomb_png(5000, 5000), [target(5, 5)], max_pixels=1_000_000)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_an_upload_only_checked_refuses_what_a_decode_refuses_and_renders_nothing(fmt):
    data = to_bytes(large("coffee", 1_000_000), fmt)
    with pytest.raises(ValidationFailed, match="^Image file is truncated or corrupt$"):
        prepare(data[: len(data) // 2], [target(300, 300)], decode=False)
    checked = prepare(data, [target(300, 300)], decode=False)
    assert checked.image is None and checked.original_size == Image.open(io.BytesIO(data)).size
    with pytest.raises(RuntimeError, match="only checked"):
        checked.render(target(300, 300))
    assert opened(render_social(data, [target(300, 300)])[0]).size == (300, 300)


def test_not_an_image_is_400():
    with pytest.raises(ValidationFailed, match="^Invalid base64 image payload$"):
        render_social(b"hello", [target(5, 5)])


@pytest.mark.parametrize("name", ["astronaut", "coffee", "rocket", "chelsea"])
def test_a_jpeg_analysed_beside_its_decode_crops_as_its_decoded_raster_would(name):
    """The ⅛-scale copy decoded beside the full decode chooses the windows the decoded
    raster itself would, within 2% of the picture."""
    data = to_bytes(large(name, 6_000_000), "JPEG", quality=90)
    targets = [target(1500, 500), target(1080, 1920), target(1128, 191)]
    source = prepare(data, targets)
    assert source.salient.source_size == source.image.size
    direct = saliency.analyse(source.image)
    for t in targets:
        fast, slow = source.salient.box_for(t.width, t.height), direct.box_for(t.width, t.height)
        assert fast == pytest.approx(slow, abs=0.02 * max(source.image.size))
    assert len(source.salient.faces) == len(direct.faces)


def test_a_turned_jpeg_keeps_the_face_in_a_banner():
    """EXIF orientation 6: the small copy is turned as the decode is, so the face the
    analysis finds is where the picture shows it."""
    upright = large("astronaut", 4_000_000)
    exif = Image.Exif()
    exif[0x0112] = 6   # stored turned left: the viewer turns it right again
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    (banner,) = render_social(to_bytes(stored, "JPEG", exif=exif, quality=90), [target(1500, 500)])
    scale = upright.width / 512
    face_top, face_bottom = ASTRONAUT_FACE[1] * scale, ASTRONAUT_FACE[3] * scale
    top = banner.crop_box["y"] * upright.height
    bottom = top + banner.crop_box["height"] * upright.height
    assert top <= face_top and face_bottom <= bottom


def test_formats_needing_the_same_reduce_share_it_and_match_a_resize_of_their_own_window():
    """The integer reduce is made once per factor for the whole upload; each rendition is
    still its own window resized (within 40 dB of resizing that window alone)."""
    photo = large("coffee", 6_000_000)
    targets = [target(1200, 630), target(1200, 627), target(1500, 500), target(1080, 1080)]
    source = prepare(to_bytes(photo, "PNG"), targets, output_format="png")
    renditions = [Image.open(io.BytesIO(source.render(t)[0])) for t in targets]
    factors = {geometry.reduction((t.width, t.height), geometry.cover_box(
        *source.image.size, t.width, t.height, source._center(t))) for t in targets}
    assert len(factors) < len(targets)   # some formats share a factor ...
    assert sorted(k for k in source._made if k[0] == "reduced") == sorted(("reduced", *f) for f in factors
                                                                          if f != (1, 1))   # ... made once each
    for t, rendition in zip(targets, renditions, strict=True):
        box = geometry.cover_box(*source.image.size, t.width, t.height, source._center(t))
        alone = geometry.resample(source.image, (t.width, t.height), box, Image.Resampling.BICUBIC)
        difference = np.asarray(rendition, np.float32) - np.asarray(alone, np.float32)
        assert rendition.size == (t.width, t.height)
        assert np.mean(difference ** 2) < 255 ** 2 / 10 ** 4   # PSNR above 40 dB
