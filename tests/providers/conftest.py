"""Fixtures for the provider tests: the fake servers, plus small helpers."""
from __future__ import annotations

from typing import Any

import pytest

from app.providers import build_registry
from app.providers.registry import ProviderRegistry
from tests.fakes.fixtures import (  # noqa: F401
    KEYS,
    fake_gemini,
    fake_huggingface,
    fake_stability,
    fake_wavespeed,
    provider_config,
)
from tests.fakes.server import png_bytes


@pytest.fixture
def registry(provider_config: dict[str, Any]) -> ProviderRegistry:  # noqa: F811
    return build_registry(provider_config)


@pytest.fixture
def image() -> bytes:
    return png_bytes(96, 64)
