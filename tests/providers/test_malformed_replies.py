"""A success status with a reply of the wrong shape is the provider's fault, reported as one.

Every client is fed JSON that breaks its documented shape at each level (a null, a string
or a number where an object or a list belongs) on each call it makes: submissions, polls
and the key check, with success and error statuses. Each must end in a ProviderError (or,
where the oddity is harmless, a result), never in another exception, which the service
would answer with a 500; an error's message must be a sentence, never `None` or `[1]`.
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


ERROR_SHAPES = [*SHAPES, *({"name": odd} for odd in ODD), *({"error": odd} for odd in ODD),
                *({"errors": odd} for odd in ODD), {"error": {"message": [1], "status": 1}},
                {"errors": [{"message": None}]}, {"message": 1, "code": [None]}]


@pytest.mark.parametrize("name", ["stability", "wavespeed", "huggingface", "gemini"])
@pytest.mark.parametrize("status", [400, 403, 429, 503])
def test_an_odd_error_reply_is_a_provider_error_with_a_sentence(provider_config, fakes, name, status):
    provider_config["PROVIDER_MAX_RETRIES"] = 0
    client = build_registry(provider_config).get(name)
    found = []
    for shape in ERROR_SHAPES:
        for call in (lambda: client.generate(GenerateRequest("a lighthouse")), client.check):
            fakes[name].script.clear()
            fakes[name].queue(times=3, status=status, body=shape)
            try:
                outcome = call()
            except ProviderError as error:
                outcome = error
            except Exception as error:  # noqa: BLE001 (what the test is looking for)
                outcome = error
            if isinstance(outcome, ProviderError | CheckResult):
                message = outcome.message
                if not isinstance(message, str) or not message or "[" in message or "None" in message:
                    found.append(f"{shape!r}: message {message!r}")
            else:
                found.append(f"{shape!r}: {type(outcome).__name__}: {outcome}")
    assert found == []
