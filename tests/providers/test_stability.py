"""Stability client against the fake: wire format per operation, async jobs, refusals."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from app.providers.base import ControlRequest, EditRequest, GenerateRequest, ProviderError, UpscaleRequest
from tests.fakes.server import png_bytes

from .conftest import KEYS


def last(fake):
    return fake.requests[-1]


@pytest.mark.parametrize("model, path, extra", [
    ("core", "/v2beta/stable-image/generate/core", {}),
    ("ultra", "/v2beta/stable-image/generate/ultra", {}),
    ("sd3.5-flash", "/v2beta/stable-image/generate/sd3", {"model": "sd3.5-flash", "cfg_scale": "2.5"}),
])
def test_generate_wire(registry, fake_stability, model, path, extra):
    request = GenerateRequest("a red fox", negative_prompt="blur", width=1920, height=1080,
                              style_preset="photographic", guidance_scale=2.5, seed=0,
                              model=model)
    result = registry.get("stability").generate(request)
    sent = last(fake_stability)
    assert sent.method == "POST" and sent.path == path
    assert sent.header("authorization") == f"Bearer {KEYS['stability']}"
    assert sent.header("accept") == "image/*"
    assert sent.header("content-type").startswith("multipart/form-data")
    assert sent.form == {"prompt": "a red fox", "negative_prompt": "blur", "aspect_ratio": "16:9",
                         "seed": "0", "style_preset": "photographic", "output_format": "png",
                         **extra}
    assert result.mime_type == "image/png" and result.provider == "stability"
    assert result.model == model and result.seed == 1234
    assert result.metadata["requested_aspect_ratio"] == "16:9"
    assert (result.metadata["width"], result.metadata["height"]) == (1344, 768)


@pytest.mark.parametrize("operation, path, fields, files", [
    ("remove_background", "edit/remove-background", {"output_format": "png"}, {"image"}),
    ("inpaint", "edit/inpaint", {"prompt": "p", "grow_mask": "5", "output_format": "png",
                                 "negative_prompt": "n"}, {"image", "mask"}),
    ("outpaint", "edit/outpaint", {"prompt": "p", "left": "10", "right": "0", "up": "0",
                                   "down": "20", "output_format": "png", "negative_prompt": "n"},
     {"image"}),
    ("search_replace", "edit/search-and-replace", {"prompt": "p", "search_prompt": "cat",
                                                   "output_format": "png", "negative_prompt": "n"},
     {"image"}),  # the search endpoints take no mask part
    ("search_recolor", "edit/search-and-recolor", {"prompt": "p", "select_prompt": "shirt",
                                                   "output_format": "png", "negative_prompt": "n"},
     {"image"}),
    ("erase", "edit/erase", {"output_format": "png"}, {"image", "mask"}),
])
def test_edit_wire(registry, fake_stability, image, operation, path, fields, files):
    request = EditRequest(operation, image, mask=png_bytes(96, 64, (255, 255, 255)), prompt="p",
                          negative_prompt="n", search_prompt="cat", select_prompt="shirt",
                          left=10, down=20)
    result = registry.get("stability").edit(request)
    sent = last(fake_stability)
    assert sent.path == f"/v2beta/stable-image/{path}"
    assert sent.form == fields
    assert set(sent.files) == files
    assert sent.files["image"] == image
    assert result.metadata["endpoint"] == sent.path


def test_outpaint_margins_shrink_with_a_downscaled_input(registry, fake_stability):
    """A 12 MP input is shrunk to the 9.4 MP limit; the margins must shrink by the same scale."""
    big = png_bytes(4000, 3000, (30, 60, 90))
    result = registry.get("stability").edit(EditRequest("outpaint", big, left=400, down=300, up=1))
    sent = last(fake_stability)
    note = result.metadata["input_downscaled"]["image"]
    scale = note["to"][0] / note["from"][0]
    assert 0.85 < scale < 0.9
    assert sent.form["left"] == str(round(400 * scale)) and sent.form["down"] == str(round(300 * scale))
    assert sent.form["up"] == "1" and sent.form["right"] == "0"


def test_inpaint_grow_mask_option_and_jpg_format(registry, fake_stability, image):
    registry.get("stability").edit(EditRequest("inpaint", image, prompt="p", output_format="jpg",
                                               options={"grow_mask": 0}))
    assert last(fake_stability).form["grow_mask"] == "0"
    assert last(fake_stability).form["output_format"] == "jpeg"


@pytest.mark.parametrize("operation, expected", [
    ("sketch", {"control_strength": "0.0"}),
    ("structure", {"control_strength": "0.0"}),
    ("style", {"fidelity": "0.0", "aspect_ratio": "16:9"}),
    ("style_transfer", {"style_strength": "0.0", "composition_fidelity": "0.0",
                        "change_strength": "0.1"}),
])
def test_control_honours_explicit_zero(registry, fake_stability, image, operation, expected):
    request = ControlRequest(operation, image, "a castle", style_image=image,
                             control_strength=0.0, fidelity=0.0, style_strength=0.0,
                             composition_fidelity=0.0, change_strength=0.1, aspect_ratio="1.91:1")
    registry.get("stability").control(request)
    sent = last(fake_stability)
    assert sent.path == "/v2beta/stable-image/control/" + operation.replace("_", "-")
    assert expected.items() <= sent.form.items()
    if operation == "style_transfer":
        assert set(sent.files) == {"init_image", "style_image"}


def test_an_oversized_cmyk_jpeg_is_downscaled_to_an_srgb_png(registry, fake_stability):
    """A CMYK JPEG is no PNG: shrinking one to the 1 MP limit was an OSError (a 500)."""
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1000), (200, 80, 40)).convert("CMYK").save(buffer, "JPEG", quality=95)
    result = registry.get("stability").upscale(UpscaleRequest("fast", buffer.getvalue()))
    sent = Image.open(io.BytesIO(last(fake_stability).files["image"]))
    assert (sent.format, sent.mode, sent.size) == ("PNG", "RGB", (1448, 724))
    assert all(abs(a - b) <= 4 for a, b in zip(sent.getpixel((700, 300)), (200, 80, 40), strict=True))
    assert result.metadata["input_downscaled"]["image"] == {"from": [2000, 1000], "to": [1448, 724]}


def test_control_defaults_when_absent(registry, fake_stability, image):
    registry.get("stability").control(ControlRequest("sketch", image, "x"))
    assert last(fake_stability).form["control_strength"] == "0.7"
    registry.get("stability").control(ControlRequest("style", image, "x"))
    assert last(fake_stability).form["fidelity"] == "0.5"
    assert last(fake_stability).form["aspect_ratio"] == "1:1"


def test_fast_upscale_downscales_oversized_input(registry, fake_stability):
    big = png_bytes(2000, 1000)
    result = registry.get("stability").upscale(UpscaleRequest("fast", big))
    sent = last(fake_stability)
    assert sent.path == "/v2beta/stable-image/upscale/fast"
    assert result.metadata["input_downscaled"]["image"] == {"from": [2000, 1000], "to": [1448, 724]}
    assert (result.metadata["width"], result.metadata["height"]) == (1448 * 4, 724 * 4)


def test_conservative_upscale_sends_required_prompt(registry, fake_stability, image):
    registry.get("stability").upscale(UpscaleRequest("conservative", image, creativity=0.2))
    form = last(fake_stability).form
    assert form["prompt"] and form["creativity"] == "0.2"


@pytest.mark.parametrize("pending", [0, 3])
def test_creative_upscale_polls_until_done(registry, fake_stability, image, pending):
    fake_stability.async_pending = pending
    result = registry.get("stability").upscale(
        UpscaleRequest("creative", image, prompt="sharp", style_preset="anime"))
    submit, *polls = fake_stability.requests
    assert submit.path == "/v2beta/stable-image/upscale/creative"
    assert submit.form["style_preset"] == "anime"
    assert len(polls) == pending + 1
    assert all(p.method == "GET" and p.path.startswith("/v2beta/results/") for p in polls)
    assert all(p.header("authorization") == f"Bearer {KEYS['stability']}" for p in polls)
    assert result.mime_type == "image/png"


def test_relight_is_async_with_references(registry, fake_stability, image):
    fake_stability.async_pending = 2
    request = EditRequest("relight", image, background=image, lighting=image, prompt="beach",
                          options={"light_source_strength": 0.0, "keep_original_background": False})
    registry.get("stability").edit(request)
    submit = fake_stability.requests[0]
    assert submit.path == "/v2beta/stable-image/edit/replace-background-and-relight"
    assert set(submit.files) == {"subject_image", "background_reference", "light_reference"}
    assert submit.form["background_prompt"] == "beach"
    assert submit.form["light_source_strength"] == "0.0"
    assert submit.form["keep_original_background"] == "false"
    assert len(fake_stability.requests) == 4


def test_poll_timeout_is_retryable(provider_config, fake_stability, image):
    from app.providers import build_registry
    provider_config["PROVIDER_POLL_TIMEOUT"] = 0.05
    fake_stability.async_pending = 1000
    with pytest.raises(ProviderError) as err:
        build_registry(provider_config).get("stability").upscale(UpscaleRequest("creative", image))
    assert err.value.retryable and "Timed out" in err.value.message


def test_content_filtered_is_a_refusal(registry, fake_stability):
    fake_stability.finish_reason = "CONTENT_FILTERED"
    with pytest.raises(ProviderError) as err:
        registry.get("stability").generate(GenerateRequest("x"))
    assert err.value.refused and not err.value.retryable
    assert "CONTENT_FILTERED" in err.value.message


def test_moderation_403_is_a_refusal(registry, fake_stability):
    fake_stability.moderate()
    with pytest.raises(ProviderError) as err:
        registry.get("stability").generate(GenerateRequest("x"))
    assert err.value.refused and err.value.status == 403
    assert "content moderation" in err.value.message
    assert len(fake_stability.requests) == 1


def test_error_envelope_message(registry, fake_stability, image):
    with pytest.raises(ProviderError) as err:
        registry.get("stability").edit(EditRequest("inpaint", image))
    assert err.value.status == 400 and err.value.message == "prompt: is required"
    assert not err.value.retryable and not err.value.refused


@pytest.mark.parametrize("body, content_type", [
    (png_bytes(64, 64)[:60], "image/png"),
    (b"not json at all", "application/json"),
    ({"finish_reason": "SUCCESS"}, "application/json"),
])
def test_malformed_reply(registry, fake_stability, body, content_type):
    fake_stability.queue(status=200, body=body, content_type=content_type)
    with pytest.raises(ProviderError) as err:
        registry.get("stability").generate(GenerateRequest("x"))
    assert "returned" in err.value.message and err.value.status is None


def test_json_image_form_is_accepted(registry, fake_stability):
    encoded = base64.b64encode(png_bytes(32, 32)).decode()
    fake_stability.queue(status=200, body={"image": encoded, "finish_reason": "SUCCESS", "seed": 42},
                         content_type="application/json; type=image/png")
    result = registry.get("stability").generate(GenerateRequest("x"))
    assert result.seed == 42 and result.metadata["width"] == 32


@pytest.mark.parametrize("guidance, sent", [(30.0, "10.0"), (0.0, "1.0"), (4.5, "4.5")])
def test_cfg_scale_is_kept_in_stabilitys_range_and_the_change_reported(registry, fake_stability, guidance, sent):
    result = registry.get("stability").generate(GenerateRequest("x", model="sd3.5-large", guidance_scale=guidance))
    assert fake_stability.requests[0].form["cfg_scale"] == sent
    assert result.metadata.get("guidance_scale_sent") == (None if guidance == 4.5 else float(sent))


def test_a_search_edit_is_kept_inside_the_mask_by_the_client(registry, fake_stability):
    original = png_bytes(96, 64, (0, 0, 255))
    left_half = Image.new("L", (96, 64), 0)
    left_half.paste(255, (0, 0, 48, 64))
    mask = io.BytesIO()
    left_half.save(mask, "PNG")
    result = registry.get("stability").edit(EditRequest("search_replace", original, mask=mask.getvalue(),
                                                        prompt="red", search_prompt="blue"))
    edited = Image.open(io.BytesIO(result.data)).convert("RGB")
    assert edited.getpixel((90, 30)) == (0, 0, 255)  # outside the mask: the original
    assert edited.getpixel((5, 30)) != (0, 0, 255) and result.metadata["mask_applied"]
