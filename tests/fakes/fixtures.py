"""Pytest fixtures for the fake providers: list `tests.fakes.fixtures` in `pytest_plugins`.

`provider_config` is a config mapping (env var names, as `build_registry` reads them) that
points every provider at its fake, with short timeouts and tiny backoff so tests stay fast.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .gemini import FakeGemini
from .huggingface import FakeHuggingFace
from .stability import FakeStability
from .wavespeed import FakeWaveSpeed

KEYS = {"stability": "sk-fake-stability-SECRET-1234",
        "wavespeed": "ws-fake-wavespeed-SECRET-5678",
        "huggingface": "hf_fake_huggingface_SECRET_9012",
        "gemini": "AIza-fake-gemini-SECRET-3456"}


@pytest.fixture
def fake_stability() -> Iterator[FakeStability]:
    with FakeStability(KEYS["stability"]) as fake:
        yield fake


@pytest.fixture
def fake_wavespeed() -> Iterator[FakeWaveSpeed]:
    with FakeWaveSpeed(KEYS["wavespeed"]) as fake:
        yield fake


@pytest.fixture
def fake_huggingface() -> Iterator[FakeHuggingFace]:
    with FakeHuggingFace(KEYS["huggingface"]) as fake:
        yield fake


@pytest.fixture
def fake_gemini() -> Iterator[FakeGemini]:
    with FakeGemini(KEYS["gemini"]) as fake:
        yield fake


@pytest.fixture
def provider_config(fake_stability: FakeStability, fake_wavespeed: FakeWaveSpeed,
                    fake_huggingface: FakeHuggingFace, fake_gemini: FakeGemini) -> dict[str, Any]:
    """Every provider configured against its fake; tests may edit the dict before use."""
    return {
        "STABILITY_API_KEY": KEYS["stability"], "STABILITY_API_BASE": fake_stability.url,
        "WAVESPEED_API_KEY": KEYS["wavespeed"], "WAVESPEED_API_BASE": fake_wavespeed.url,
        "HF_TOKEN": KEYS["huggingface"], "HF_API_BASE": fake_huggingface.url,
        "HF_HUB_BASE": fake_huggingface.url,
        "GEMINI_API_KEY": KEYS["gemini"], "GEMINI_API_BASE": fake_gemini.url,
        "PROVIDER_OUTPUT_HOSTS": "",
        "IMAGE_STUDIO_ALLOW_SANDBOX": True,
        "PROVIDER_TIMEOUT": 2.0,
        "PROVIDER_MAX_RETRIES": 2,
        "PROVIDER_BACKOFF_FACTOR": 0.01,
        "PROVIDER_POLL_INTERVAL": 0.01,
        "PROVIDER_POLL_TIMEOUT": 2.0,
        "PROVIDER_STATUS_TTL": 300,
        "PROVIDER_STATUS_WAIT": 2.0,
    }
