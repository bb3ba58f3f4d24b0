"""Variations run concurrently; failures are reported per variation; failover is described."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from app.assets.models import Asset
from app.extensions import db
from app.imaging.formats import output_format
from app.providers.base import GenerateRequest
from app.studio import runner
from tests.create.conftest import decoded_size, slow_png
from tests.fakes.server import png_bytes, png_header
from tests.studio_helpers import Overlap

DELAY = 0.3


def test_variations_overlap_at_the_provider(faked, create, user, fake_stability):
    slow_png(fake_stability, DELAY, times=4)
    body = create(faked(), prompt="x", provider="stability", num_variations=4, width=64, height=64).json
    assert body["total_generated"] == 4
    arrivals = sorted(r.at for r in fake_stability.requests)
    assert len(arrivals) == 4
    # All four were in flight together: the last arrived before the first could have finished.
    assert arrivals[-1] - arrivals[0] < DELAY


def test_the_pool_is_bounded():
    overlap = Overlap()

    class Registry:
        def execute(self, routes, request):
            overlap.busy()
            return request.seed

    plan = runner.Plan("create", "generate", [], [runner.Item(GenerateRequest("x", seed=i)) for i in range(5)],
                       output_format("png"), "Image generation failed", workers=2)
    done = dict(runner.produce(Registry(), plan))
    assert done == {i: i for i in range(5)} and overlap.peak == 2


def test_one_failed_variation_is_reported_beside_the_others(faked, create, user, fake_stability):
    fake_stability.fail(times=1, status=500, message="GPU fell over")
    body = create(faked(), prompt="x", provider="stability", num_variations=3, width=64, height=64).json
    assert body["success"] is True
    assert (body["total_generated"], body["total_failed"]) == (2, 1)
    failed = [r for r in body["results"] if not r["success"]]
    assert len(failed) == 1 and "GPU fell over" in failed[0]["error"] and "image_base64" not in failed[0]
    assert sorted(r["variation"] for r in body["results"]) == [1, 2, 3]
    assert all(decoded_size(r) == (64, 64) for r in body["results"] if r["success"])


def test_all_failed_is_a_500_with_the_providers_message(faked, create, user, fake_stability):
    fake_stability.fail(times=2, status=500, message="An unexpected server error has occurred")
    response = create(faked(), prompt="x", provider="stability", num_variations=2)
    assert response.status_code == 500
    assert response.json == {"detail": "Image generation failed: An unexpected server error has occurred"}


def test_a_moderation_refusal_is_a_400_with_the_reason(faked, create, user, fake_stability):
    fake_stability.moderate(times=1)
    response = create(faked(), prompt="x", provider="stability")
    assert response.status_code == 400
    assert "content moderation" in response.json["detail"]


def test_failover_is_named_in_the_metadata(faked, create, user, fake_stability, fake_wavespeed):
    fake_stability.fail(times=2, status=503, message="Stability is overloaded")
    body = create(faked(), prompt="x", quality="standard", num_variations=2, width=300, height=200).json
    assert (body["request"]["provider"], body["request"]["model"]) == ("wavespeed", "ideogram-v3-turbo")
    for result in body["results"]:
        assert result["provider"] == "wavespeed" and decoded_size(result) == (300, 200)
        (attempt,) = result["metadata"]["failover"]
        assert attempt["provider"] == "stability" and "overloaded" in attempt["error"]
    assert body["metadata"]["failover"][0]["provider"] == "stability"


def test_an_image_past_the_pixel_limit_fails_over_unread(faked, create, user, fake_stability, fake_wavespeed):
    fake_stability.queue(status=200, body=png_header(2000, 1000), content_type="image/png")
    body = create(faked(MAX_IMAGE_PIXELS=1_000_000), prompt="x", width=300, height=200).json
    (result,) = body["results"]
    assert result["provider"] == "wavespeed" and decoded_size(result) == (300, 200)
    (attempt,) = result["metadata"]["failover"]
    assert attempt["error"] == "Stability AI returned a 2000×1000 image over this server's 1,000,000-pixel limit"


def provider_reply(kind: str) -> bytes:
    """Files a provider may send that no encoder takes as they are."""
    out = io.BytesIO()
    if kind == "cmyk-jpeg":
        Image.new("RGB", (64, 64), (200, 80, 40)).convert("CMYK").save(out, "JPEG", quality=95)
    elif kind == "16-bit-png":   # mid grey in 16 bits: Pillow's own conversion clips it to white
        Image.fromarray(np.full((64, 64), 32768, np.uint16)).save(out, "PNG")
    else:                        # a palette PNG whose one colour is transparent
        image = Image.new("P", (64, 64), 0)
        image.putpalette([200, 80, 40])
        image.save(out, "PNG", transparency=0)
    return out.getvalue()


@pytest.mark.parametrize("kind, colour", [("cmyk-jpeg", (200, 80, 40)), ("16-bit-png", (128, 128, 128)),
                                          ("transparent-palette-png", None)])
@pytest.mark.parametrize("output, size", [("png", (300, 200)), ("png", (64, 64)), ("jpeg", (300, 200))])
def test_a_provider_file_in_an_odd_mode_is_delivered_in_srgb(faked, create, user, fake_stability,
                                                            kind, colour, output, size):
    reply = provider_reply(kind)
    fake_stability.queue(status=200, body=reply, content_type="image/png")
    response = create(faked(), prompt="x", provider="stability", width=size[0], height=size[1],
                      output_format=output)
    assert response.status_code == 200, response.json
    (result,) = response.json["results"]
    data = base64.b64decode(result["image_base64"])
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ({"png": "PNG", "jpeg": "JPEG"}[output], size)
    if size == (64, 64) and kind.endswith("png"):
        sent = Image.open(io.BytesIO(reply))   # already the size and format asked: kept as sent
        assert image.mode == sent.mode and np.array_equal(np.asarray(image), np.asarray(sent))
        return
    assert image.mode in ("RGB", "RGBA")
    centre = image.convert("RGBA").getpixel((size[0] // 2, size[1] // 2))
    if colour is None:           # transparent: kept in PNG, flattened onto white in JPEG
        assert centre == (255, 255, 255, 255) if output == "jpeg" else centre[3] == 0
    else:
        assert all(abs(a - b) <= 6 for a, b in zip(centre[:3], colour, strict=True)), centre


def test_an_explicit_provider_never_fails_over(faked, create, user, fake_stability, fake_wavespeed):
    fake_stability.fail(times=1, status=503, message="Stability is overloaded")
    response = create(faked(), prompt="x", provider="stability")
    assert response.status_code == 500 and fake_wavespeed.requests == []


def test_results_are_committed_once_stored(faked, create, user, fake_stability):
    app = faked()
    for shade in (10, 200):   # two different images (identical bytes would be stored once)
        fake_stability.queue(status=200, body=png_bytes(64, 64, (shade, shade, shade)), content_type="image/png",
                             headers={"finish-reason": "SUCCESS", "seed": "1"})
    body = create(app, prompt="x", provider="stability", num_variations=2, width=64, height=64).json
    with app.app_context():
        assets = [db.session.get(Asset, r["asset_id"]) for r in body["results"]]
        assert all(a.studio == "create" and a.user_id == user and a.width == 64 for a in assets)
        assert sorted(a.details["variation"] for a in assets) == [1, 2]
