"""Stability refuses a request body over 10 MiB (413 `payload_too_large`, providers.md §1.1),
and no retry or other route mends that. A photograph at the 9.4 MP edit limit is ~17 MB as
PNG, so the client must send every call within the limit, keeping the pixels it can."""
from __future__ import annotations

import io

import numpy as np
import pytest
import requests
from PIL import Image
from skimage import data

from app.providers.base import ControlRequest, EditRequest, UpscaleRequest
from app.providers.media import within_bytes
from app.providers.stability_ops import REQUEST_BYTES
from tests.fakes.server import png_bytes

from .conftest import KEYS

SIDE = 3072   # 9,437,184 pixels: exactly Stability's edit limit, so no pixel limit applies


def grainy_photo(side: int = SIDE, *, alpha: bool = False, grain: float = 6.0) -> bytes:
    """The astronaut enlarged with sensor-like grain: a PNG as large as a real photo's."""
    picture = Image.fromarray(data.astronaut()).resize((side, side), Image.Resampling.BICUBIC)
    noise = np.random.default_rng(7).normal(0, grain, (side, side, 3))
    pixels = np.clip(np.asarray(picture, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    picture = Image.fromarray(pixels)
    if alpha:
        picture.putalpha(Image.new("L", picture.size, 255))
        picture.paste((0, 0, 0, 0), (0, 0, side // 4, side // 4))   # the area to inpaint
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def photo() -> bytes:
    return grainy_photo()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def body_size(sent) -> int:
    return int(sent.header("content-length"))


def test_the_fake_refuses_a_body_over_ten_mib_as_stability_does(fake_stability):
    response = requests.post(f"{fake_stability.url}/v2beta/stable-image/edit/erase",
                             headers={"Authorization": f"Bearer {KEYS['stability']}"},
                             files={"image": b"\0" * (REQUEST_BYTES + 1)}, timeout=10)
    assert response.status_code == 413
    assert response.json()["name"] == "payload_too_large"
    assert response.json()["errors"] == ["body: payloads cannot be larger than 10MiB in size"]


def test_a_photo_at_the_edit_limit_is_sent_as_jpeg_at_full_size(registry, fake_stability, photo):
    assert len(photo) > REQUEST_BYTES   # as PNG it could not be sent
    mask = png_bytes(SIDE, SIDE, (255, 255, 255))
    result = registry.get("stability").edit(EditRequest("inpaint", photo, mask=mask, prompt="p"))
    sent = fake_stability.requests[-1]
    assert body_size(sent) <= REQUEST_BYTES
    image = opened(sent.files["image"])
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (SIDE, SIDE))
    original = np.asarray(opened(photo), dtype=np.int16)
    assert np.abs(np.asarray(image, dtype=np.int16) - original).mean() < 4   # near-lossless
    assert sent.files["mask"] == mask   # the small part is left as it was
    note = result.metadata["input_recompressed"]["image"]
    assert note["format"] == "jpeg" and note["bytes"] == [len(photo), len(sent.files["image"])]
    assert "input_downscaled" not in result.metadata


def test_a_transparent_photo_keeps_its_alpha_as_the_inpaint_mask(registry, fake_stability):
    """With no mask part Stability inpaints where the image is transparent: the compact form
    must keep the alpha channel exactly."""
    photo = grainy_photo(alpha=True)
    assert len(photo) > REQUEST_BYTES
    registry.get("stability").edit(EditRequest("inpaint", photo, prompt="a window"))
    sent = fake_stability.requests[-1]
    assert body_size(sent) <= REQUEST_BYTES
    image = opened(sent.files["image"])
    assert (image.format, image.mode, image.size) == ("WEBP", "RGBA", (SIDE, SIDE))
    assert np.array_equal(np.asarray(image.getchannel("A")), np.asarray(opened(photo).getchannel("A")))


def test_three_large_images_of_a_relight_share_the_limit(registry, fake_stability, photo):
    request = EditRequest("relight", photo, background=photo, lighting=photo, prompt="beach")
    registry.get("stability").edit(request)
    submit = next(r for r in fake_stability.requests if r.method == "POST")
    assert body_size(submit) <= REQUEST_BYTES
    assert set(submit.files) == {"subject_image", "background_reference", "light_reference"}
    assert all(opened(part).format == "JPEG" for part in submit.files.values())


def test_style_transfer_and_conservative_upscale_fit_too(registry, fake_stability, photo):
    provider = registry.get("stability")
    provider.control(ControlRequest("style_transfer", photo, "a castle", style_image=photo))
    assert body_size(fake_stability.requests[-1]) <= REQUEST_BYTES
    provider.upscale(UpscaleRequest("conservative", photo))
    assert body_size(fake_stability.requests[-1]) <= REQUEST_BYTES


def test_an_outpaint_shrunk_to_fit_the_bytes_shrinks_its_margins_with_it(registry, fake_stability):
    """Grain so heavy that even JPEG is over the limit: the image is made smaller, and the
    margins follow the same scale, as they do for the pixel limit."""
    noisy = grainy_photo(grain=60.0)
    result = registry.get("stability").edit(EditRequest("outpaint", noisy, left=400, up=200))
    sent = fake_stability.requests[-1]
    assert body_size(sent) <= REQUEST_BYTES
    width, height = opened(sent.files["image"]).size
    assert result.metadata["input_downscaled"]["image"] == {"from": [SIDE, SIDE], "to": [width, height]}
    assert 0.5 < width / SIDE < 1 and width == height
    assert sent.form["left"] == str(round(400 * width / SIDE))
    assert sent.form["up"] == str(round(200 * width / SIDE))


def test_a_part_within_its_share_is_sent_byte_for_byte():
    small = png_bytes(300, 200)
    assert within_bytes(small, len(small)) == (small, None)
