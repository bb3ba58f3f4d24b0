"""Create Studio fixtures: an app wired to the fake providers and a JSON poster."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from tests.fakes.server import png_bytes

CREATE = "/api/image-studio/create"


@pytest.fixture
def faked(make_app, provider_config):
    """An app whose providers are the loopback fakes; keyword settings override the defaults."""
    def factory(**settings):
        return make_app(**{**provider_config, "PROVIDER_MAX_RETRIES": 0, **settings})
    return factory


@pytest.fixture
def create(token_for):
    """POST /create as the default user; returns the response."""
    def post(app, user_email="user@example.com", **body):
        client = app.test_client()
        return client.post(CREATE, json=body, headers={"Authorization": f"Bearer {token_for(user_email)}"})
    return post


def decoded_size(result: dict) -> tuple[int, int]:
    return Image.open(io.BytesIO(base64.b64decode(result["image_base64"]))).size


def slow_png(fake, seconds: float, times: int, size=(64, 64)) -> None:
    """Answer the next `times` requests with a PNG after `seconds` (Stability's binary reply)."""
    fake.queue(times, status=200, body=png_bytes(*size), delay=seconds, content_type="image/png")
