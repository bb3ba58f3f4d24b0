"""Hugging Face client against the fake: JSON wire, raw bytes, model loading, errors."""
from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.providers.base import EditRequest, GenerateRequest, ProviderError

from .conftest import KEYS


def test_generate_wire(registry, fake_huggingface):
    result = registry.get("huggingface").generate(
        GenerateRequest("a bike", width=1920, height=1080, seed=5, steps=4))
    sent = fake_huggingface.requests[0]
    assert sent.path == "/hf-inference/models/black-forest-labs/FLUX.1-schnell"
    assert sent.header("authorization") == f"Bearer {KEYS['huggingface']}"
    assert sent.header("accept") == "image/png"
    assert sent.json == {"inputs": "a bike", "parameters": {
        "num_inference_steps": 4, "width": 1344, "height": 768, "seed": 5}}  # ~1 MP, sides % 16
    assert result.mime_type == "image/jpeg"  # sniffed, not trusted from headers
    assert result.metadata["requested_size"] == "1344x768"


@pytest.mark.parametrize("size, sent", [((1024, 1024), (1024, 1024)), ((1080, 1920), (768, 1344)),
                                        ((1500, 500), (1536, 640)), ((1080, 1350), (896, 1152))])
def test_sizes_are_the_models_own_one_megapixel_buckets(registry, fake_huggingface, size, sent):
    registry.get("huggingface").generate(GenerateRequest("x", width=size[0], height=size[1]))
    parameters = fake_huggingface.requests[0].json["parameters"]
    assert (parameters["width"], parameters["height"]) == sent
    assert sent[0] % 16 == 0 and sent[1] % 16 == 0


def test_model_loading_is_retried_with_backoff_like_any_unbilled_503(registry, fake_huggingface):
    fake_huggingface.loading = 2
    result = registry.get("huggingface").generate(GenerateRequest("x", model="org/model"))
    assert len(fake_huggingface.requests) == 3  # two 503s "loading", then the image
    assert all(r.header("x-wait-for-model") is None for r in fake_huggingface.requests)
    assert result.model == "org/model"


@pytest.mark.parametrize("body, message", [
    ({"error": "You have exceeded your monthly included credits"},
     "You have exceeded your monthly included credits"),
    ({"error": ["bad width", "bad height"]}, "bad width; bad height"),
    ({"errors": [{"message": "gated model"}]}, "gated model"),
    ("oops", "Hugging Face returned HTTP 402"),
])
def test_error_bodies(registry, fake_huggingface, body, message):
    fake_huggingface.queue(status=402, body=body)
    with pytest.raises(ProviderError) as err:
        registry.get("huggingface").generate(GenerateRequest("x"))
    assert err.value.message == message and err.value.status == 402


def test_non_image_success_is_malformed(registry, fake_huggingface):
    fake_huggingface.queue(status=200, body={"images": []})
    with pytest.raises(ProviderError) as err:
        registry.get("huggingface").generate(GenerateRequest("x"))
    assert "unreadable" in err.value.message


def test_hf_inference_serves_no_edits_so_none_is_sent(registry, fake_huggingface, image):
    with pytest.raises(ValidationFailed, match="Provider 'huggingface' does not support edit"):
        registry.plan("edit", "general_edit", provider="huggingface")
    assert ("huggingface", None) not in registry.plan("edit", "general_edit")
    with pytest.raises(ProviderError):
        registry.get("huggingface").run(EditRequest("general_edit", image, prompt="add snow"))
    assert fake_huggingface.requests == []
