"""Gemini client against the fake: generateContent wire, refusals, retired models."""
from __future__ import annotations

import base64

import pytest
import requests

from app.providers.base import EditRequest, GenerateRequest, ProviderError
from tests.fakes.server import png_bytes

from .conftest import KEYS


def generate(registry, **kwargs):
    return registry.get("gemini").generate(GenerateRequest("a teapot", **kwargs))


def test_generate_wire(registry, fake_gemini):
    result = generate(registry, width=1920, height=1080)
    sent = fake_gemini.requests[0]
    assert sent.path == "/v1beta/models/gemini-3.1-flash-image:generateContent"
    assert sent.header("x-goog-api-key") == KEYS["gemini"]
    assert sent.header("authorization") is None
    assert sent.json == {"contents": [{"role": "user", "parts": [{"text": "a teapot"}]}],
                         "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                                              "imageConfig": {"aspectRatio": "16:9"}}}
    assert (result.metadata["width"], result.metadata["height"]) == (80, 60)


def test_thought_parts_are_skipped(registry, fake_gemini):
    fake_gemini.thought_image = True
    assert generate(registry).metadata["width"] == 80


@pytest.mark.parametrize("size, ratio", [((1080, 1350), "4:5"), ((1350, 1080), "5:4"),
                                          ((1080, 1440), "3:4"), ((2560, 1080), "21:9")])
def test_the_nearest_of_geminis_ten_aspect_ratios_is_asked_for(registry, fake_gemini, size, ratio):
    """Google's ImageConfig: 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9 and 21:9. Instagram's
    1080×1350 portrait is 4:5; asked as 3:4 it lost a strip to the fit."""
    result = generate(registry, width=size[0], height=size[1])
    assert fake_gemini.requests[-1].json["generationConfig"]["imageConfig"] == {"aspectRatio": ratio}
    assert result.metadata["requested_aspect_ratio"] == ratio


def test_the_fake_refuses_an_aspect_ratio_gemini_does_not_take(fake_gemini):
    body = {"contents": [{"parts": [{"text": "x"}]}],
            "generationConfig": {"imageConfig": {"aspectRatio": "7:5"}}}
    response = requests.post(f"{fake_gemini.url}/v1beta/models/gemini-3.1-flash-image:generateContent",
                             json=body, headers={"x-goog-api-key": KEYS["gemini"]}, timeout=10)
    assert response.status_code == 400 and response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_block_reason_is_a_refusal(registry, fake_gemini):
    fake_gemini.block_reason = "SAFETY"
    with pytest.raises(ProviderError) as err:
        generate(registry)
    assert err.value.refused and "SAFETY" in err.value.message


def test_imageless_finish_reason_is_a_refusal(registry, fake_gemini):
    fake_gemini.finish_reason = "IMAGE_SAFETY"
    with pytest.raises(ProviderError) as err:
        generate(registry)
    assert err.value.refused and "IMAGE_SAFETY" in err.value.message


def test_error_body(registry, fake_gemini):
    fake_gemini.fail(status=403, message="Permission denied on resource project")
    with pytest.raises(ProviderError) as err:
        generate(registry)
    assert err.value.message == "Permission denied on resource project" and err.value.status == 403


def test_a_reply_of_text_alone_quotes_it_and_lets_another_provider_try(registry, fake_gemini):
    """Google: "The model might only create text and no image if the prompt is ambiguous".
    That is neither a refusal nor a broken reply: the user reads what the model said, and
    `auto` moves on (the error is retryable)."""
    fake_gemini.text_only = "Which   teapot do you mean?\nA porcelain one, or a cast-iron one? " * 10
    with pytest.raises(ProviderError) as err:
        generate(registry)
    assert not err.value.refused and err.value.retryable
    assert err.value.message.startswith(
        "Google Gemini answered with text and no image: \"Which teapot do you mean? A porcelain")
    assert err.value.message.endswith("…\"") and len(err.value.message) < 300


def test_a_reply_with_neither_text_nor_image_is_malformed(registry, fake_gemini):
    fake_gemini.queue(status=200, body={"candidates": [{"content": {"parts": []},
                                                        "finishReason": "STOP"}]})
    with pytest.raises(ProviderError) as err:
        generate(registry)
    assert not err.value.refused and "no image" in err.value.message


def test_edit_sends_inline_image(registry, fake_gemini, image):
    registry.get("gemini").edit(EditRequest("general_edit", image, prompt="add a hat"))
    parts = fake_gemini.requests[0].json["contents"][0]["parts"]
    assert parts[0] == {"text": "add a hat"}
    assert base64.b64decode(parts[1]["inlineData"]["data"]) == image


def test_a_retired_model_is_a_configuration_error_that_names_it(registry, fake_gemini):
    with pytest.raises(ProviderError) as err:
        generate(registry, model="gemini-2.5-flash-image")
    assert err.value.message == ("Google Gemini does not serve the model 'gemini-2.5-flash-image' "
                                 "(retired or unknown): configure a current model")
    assert err.value.status == 404 and err.value.retryable and not err.value.refused  # auto moves on
    assert len(fake_gemini.requests) == 1  # never retried at Gemini


def test_inline_images_carry_their_real_mime_type(registry, fake_gemini):
    jpeg = png_bytes(32, 32, fmt="JPEG")
    registry.get("gemini").edit(EditRequest("general_edit", jpeg, prompt="add a hat"))
    assert fake_gemini.requests[0].json["contents"][0]["parts"][1]["inlineData"]["mimeType"] == "image/jpeg"
