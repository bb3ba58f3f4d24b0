"""A success status with a reply of the wrong shape is the provider's fault, reported as one.

Every client is fed JSON that breaks its documented shape at each level (a null, a string
or a number where an object or a list belongs) on each call it makes: submissions, polls
and the key check. Each must end in a ProviderError (or, where the oddity is harmless, a
result), never in another exception, which the service would answer with a 500.
"""
from __future__ import annotations

import base64
from typing import Any

import pytest

from app.providers import build_registry
from app.providers.base import CheckResult, GenerateRequest, ImageResult, ProviderError, UpscaleRequest
from tests.fakes.server import png_bytes

PNG64 = base64.b64encode(png_bytes(8, 8)).decode()
ODD = [None, 1, "x", [None]]   # what stands in for an object, a list or a string below
SHAPES: list[Any] = [*ODD, {}, [], "null"]
for odd in ODD:
    SHAPES += [
        # WaveSpeed: {"code", "data": {"id", "status", "outputs", "balance"}}
        {"data": odd}, {"data": {"id": odd, "status": "created"}},
        {"data": {"status": "completed", "outputs": odd}},
        {"data": {"status": "completed", "outputs": [odd]}}, {"data": {"balance": odd}},
        {"code": odd, "message": odd}, {"data": {"status": odd, "error": odd}},
        {"data": {"status": "failed", "error": odd}},
        {"data": {"status": "completed", "outputs": [PNG64], "has_nsfw_contents": odd}},
        # Stability: {"image", "finish_reason", "seed"}, {"id"}, {"credits"}
        {"image": odd}, {"id": odd}, {"credits": odd}, {"image": PNG64, "finish_reason": odd},
        # Gemini: candidates[].content.parts[].inlineData.data, promptFeedback, models[]
        {"candidates": odd}, {"candidates": [{"content": odd}]},
        {"candidates": [{"content": {"parts": odd}}]}, {"candidates": [{"content": {"parts": [odd]}}]},
        {"candidates": [{"content": {"parts": [{"inlineData": odd}]}}]},
        {"candidates": [{"content": {"parts": [{"inlineData": {"data": odd}}]}}]},
        {"candidates": [{"content": {"parts": [{"inlineData": {"data": PNG64}, "thought": odd}]},
                         "finishReason": odd}]},
        {"promptFeedback": odd}, {"promptFeedback": {"blockReason": odd}},
        {"models": odd}, {"models": [odd]}, {"models": [{"name": odd, "supportedGenerationMethods": odd}]},
        {"models": [], "nextPageToken": odd},
        # Hugging Face: inferenceProviderMapping as an object or a list of entries
        {"inferenceProviderMapping": odd}, {"inferenceProviderMapping": {"hf-inference": odd}},
        {"inferenceProviderMapping": [odd]},
    ]

POLLS = {"stability": r"^/v2beta/results/", "wavespeed": r"^/api/v3/predictions/"}


@pytest.fixture
def fakes(fake_stability, fake_wavespeed, fake_huggingface, fake_gemini) -> dict:
    return {"stability": fake_stability, "wavespeed": fake_wavespeed,
            "huggingface": fake_huggingface, "gemini": fake_gemini}


def faults(fake, call, path: str | None = None) -> list[str]:
    """Each shape as the 200 reply to every request matching `path`; the exceptions that
    were not a ProviderError, as readable lines."""
    found = []
    for shape in SHAPES:
        fake.script.clear()
        fake.queue(times=5, status=200, body=shape, path=path)
        try:
            outcome = call()
        except ProviderError:
            continue
        except Exception as error:  # noqa: BLE001 (what the test is looking for)
            found.append(f"{shape!r}: {type(error).__name__}: {error}")
            continue
        if not isinstance(outcome, ImageResult | CheckResult):
            found.append(f"{shape!r}: returned {outcome!r}")
    return found


@pytest.mark.parametrize("name", ["stability", "wavespeed", "huggingface", "gemini"])
def test_an_odd_submission_reply_is_a_provider_error(provider_config, fakes, name):
    client = build_registry(provider_config).get(name)
    assert faults(fakes[name], lambda: client.generate(GenerateRequest("a lighthouse"))) == []


@pytest.mark.parametrize("name", ["stability", "wavespeed", "huggingface", "gemini"])
def test_an_odd_key_check_reply_is_a_check_result(provider_config, fakes, name):
    client = build_registry(provider_config).get(name)
    assert faults(fakes[name], client.check) == []


def test_an_odd_stability_poll_reply_is_a_provider_error(provider_config, fakes, image):
    client = build_registry(provider_config).get("stability")
    call = lambda: client.upscale(UpscaleRequest("creative", image=image, prompt="sharper"))  # noqa: E731
    assert faults(fakes["stability"], call, POLLS["stability"]) == []


def test_an_odd_wavespeed_poll_reply_is_a_provider_error(provider_config, fakes):
    fakes["wavespeed"].pending = 1   # the submission answers "created"; the polls get the shapes
    client = build_registry(provider_config).get("wavespeed")
    call = lambda: client.generate(GenerateRequest("a lighthouse"))  # noqa: E731
    assert faults(fakes["wavespeed"], call, POLLS["wavespeed"]) == []
