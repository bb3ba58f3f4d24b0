"""Gemini client against the fake: generateContent wire, refusals, Imagen predict."""
from __future__ import annotations

import base64

import pytest

from app.providers.base import EditRequest, GenerateRequest, ProviderError

from .conftest import KEYS


def generate(registry, **kwargs):
    return registry.get("gemini").generate(GenerateRequest("a teapot", **kwargs))


def test_generate_wire(registry, fake_gemini):
    result = generate(registry, width=1920, height=1080)
    sent = fake_gemini.requests[0]
    assert sent.path == "/v1beta/models/gemini-2.5-flash-image:generateContent"
    assert sent.header("x-goog-api-key") == KEYS["gemini"]
    assert sent.header("authorization") is None
    assert sent.json == {"contents": [{"role": "user", "parts": [{"text": "a teapot"}]}],
                         "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                                              "imageConfig": {"aspectRatio": "16:9"}}}
    assert (result.metadata["width"], result.metadata["height"]) == (80, 60)


def test_thought_parts_are_skipped(registry, fake_gemini):
    fake_gemini.thought_image = True
    assert generate(registry).metadata["width"] == 80


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
    fake_gemini.fail(status=404, message="models/nope is not found")
    with pytest.raises(ProviderError) as err:
        generate(registry, model="nope")
    assert err.value.message == "models/nope is not found" and err.value.status == 404


def test_malformed_reply(registry, fake_gemini):
    fake_gemini.queue(status=200, body={"candidates": [{"content": {"parts": [{"text": "hi"}]},
                                                        "finishReason": "STOP"}]})
    with pytest.raises(ProviderError) as err:
        generate(registry)
    assert not err.value.refused and "no image" in err.value.message


def test_edit_sends_inline_image(registry, fake_gemini, image):
    registry.get("gemini").edit(EditRequest("general_edit", image, prompt="add a hat"))
    parts = fake_gemini.requests[0].json["contents"][0]["parts"]
    assert parts[0] == {"text": "add a hat"}
    assert base64.b64decode(parts[1]["inlineData"]["data"]) == image


def test_imagen_predict(registry, fake_gemini):
    result = generate(registry, model="imagen-4.0-generate-001", width=1080, height=1920)
    sent = fake_gemini.requests[0]
    assert sent.path == "/v1beta/models/imagen-4.0-generate-001:predict"
    assert sent.json == {"instances": [{"prompt": "a teapot"}],
                         "parameters": {"sampleCount": 1, "aspectRatio": "9:16"}}
    assert result.model == "imagen-4.0-generate-001"


def test_imagen_filtered_is_a_refusal(registry, fake_gemini):
    fake_gemini.rai_filtered = "Filtered for safety"
    with pytest.raises(ProviderError) as err:
        generate(registry, model="imagen-4.0-generate-001")
    assert err.value.refused and "Filtered for safety" in err.value.message
