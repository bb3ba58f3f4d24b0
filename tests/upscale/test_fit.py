"""Upscale to both target sides of another shape: crop (the default, on the most salient
window), pad or stretch, asserted on the pixels — a round disc must stay round."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.photos import photograph
from tests.studio_helpers import b64, decoded, file_image

URL = "/api/image-studio/upscale"


def disc_picture(width=600, height=400, centre=(0.5, 0.8), radius=60) -> Image.Image:
    """A pale backdrop with one red disc, low in the frame (a centre crop would cut it)."""
    image = Image.new("RGB", (width, height), (236, 236, 230))
    cx, cy = centre[0] * width, centre[1] * height
    ImageDraw.Draw(image).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(220, 20, 30))
    return image


def red_box(image: Image.Image) -> tuple[int, int, int, int]:
    pixels = np.asarray(image.convert("RGB")).astype(int)
    red = (pixels[..., 0] > 150) & (pixels[..., 1] < 90) & (pixels[..., 2] < 90)
    rows, cols = np.nonzero(red)
    return cols.min(), rows.min(), cols.max() + 1, rows.max() + 1


def upscale(client, auth, **body):
    response = client.post(URL, json={"image_base64": b64(disc_picture()), "mode": "fast", "provider": "local",
                                      "target_width": 1920, "target_height": 1080, **body}, headers=auth)
    assert response.status_code == 200, response.json
    return response.json, decoded(response.json["image_base64"])


def test_crop_is_the_default_keeps_the_disc_whole_and_round(client, auth):
    body, out = upscale(client, auth)
    assert out.size == (1920, 1080) and body["metadata"]["fit"] == "crop"
    assert body["metadata"]["cropped_to"] == [600, 338]
    top = body["metadata"]["crop_box"][1]
    assert top > 31                    # moved down to the disc: a centre crop would start at 31
    left, top, right, bottom = red_box(out)
    assert 0 < left and right < 1920 and 0 < top and bottom < 1080          # whole: no edge touched
    assert abs((right - left) / (bottom - top) - 1) < 0.03                  # round: not stretched
    assert abs((right - left) - 2 * 60 * 1920 / 600) < 12                   # at the enlargement's scale


def test_pad_shows_the_whole_picture_on_the_background(client, auth):
    body, out = upscale(client, auth, fit="pad", background="#102030")
    assert out.size == (1920, 1080) and body["metadata"]["fit"] == "pad"
    assert out.convert("RGB").getpixel((10, 540)) == (16, 32, 48)            # the bars
    assert out.convert("RGB").getpixel((1910, 540)) == (16, 32, 48)
    left, top, right, bottom = red_box(out)
    assert abs((right - left) / (bottom - top) - 1) < 0.03
    assert abs((right - left) - 2 * 60 * 1080 / 400) < 12


def test_stretch_distorts_only_when_asked(client, auth):
    body, out = upscale(client, auth, fit="stretch")
    assert out.size == (1920, 1080) and body["metadata"]["fit"] == "stretch"
    left, top, right, bottom = red_box(out)
    assert (right - left) / (bottom - top) == pytest.approx((1920 / 600) / (1080 / 400), abs=0.03)


def test_the_provider_is_sent_the_cropped_shape(provider_client, auth, fake_stability):
    response = provider_client.post(URL, json={"image_base64": b64(disc_picture()), "mode": "fast",
                                               "target_width": 1920, "target_height": 1080}, headers=auth)
    assert response.status_code == 200, response.json
    sent = file_image(fake_stability.requests[-1].files["image"])
    assert sent.size == (600, 338)
    assert decoded(response.json["image_base64"]).size == (1920, 1080)


def test_a_photograph_is_cut_to_the_banner_shape_inside_itself_then_enlarged(client, auth):
    image = photograph("astronaut")
    response = client.post(URL, json={"image_base64": b64(image), "mode": "fast", "provider": "local",
                                      "target_width": 1536, "target_height": 512}, headers=auth)
    body = response.json
    left, top, right, bottom = body["metadata"]["crop_box"]
    assert body["metadata"]["cropped_to"] == [right - left, bottom - top] == [512, 171]
    assert 0 <= top and bottom <= 512 and (left, right) == (0, 512)
    assert decoded(body["image_base64"]).size == (1536, 512)


def test_one_side_or_the_same_shape_needs_no_fit(client, auth):
    one = client.post(URL, json={"image_base64": b64(disc_picture()), "mode": "fast", "provider": "local",
                                 "target_width": 1200}, headers=auth).json
    assert "fit" not in one["metadata"] and decoded(one["image_base64"]).size == (1200, 800)
    same = client.post(URL, json={"image_base64": b64(disc_picture()), "mode": "fast", "provider": "local",
                                  "target_width": 1200, "target_height": 800}, headers=auth).json
    assert same["metadata"]["fit"] == "crop" and "cropped_to" not in same["metadata"]


@pytest.mark.parametrize("body, field", [({"fit": "squash"}, "fit"), ({"fit": "pad", "background": "blur"},
                                                                       "background")])
def test_bad_fit_options_are_refused_naming_the_field(client, auth, body, field):
    response = client.post(URL, json={"image_base64": b64(disc_picture()), "target_width": 900,
                                      "target_height": 300, **body}, headers=auth)
    assert response.status_code == 400 and field in response.json["errors"]
