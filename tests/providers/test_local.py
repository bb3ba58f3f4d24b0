"""The in-process `local` provider: planned, run and priced like the vendors."""
import io

import pytest
from PIL import Image

from app.errors import ValidationFailed
from app.providers.base import UpscaleRequest
from app.providers.pricing import price
from app.providers.registry import build_registry
from tests.studio_helpers import photo


def _png(width, height):
    buffer = io.BytesIO()
    photo(width, height).save(buffer, "PNG")
    return buffer.getvalue()


def test_local_runs_fast_upscales_to_the_target_or_four_times():
    registry = build_registry({"IMAGE_STUDIO_ALLOW_SANDBOX": "0"})
    routes = registry.plan("upscale", "fast")
    assert routes == [("local", None)]
    four = registry.execute(routes, UpscaleRequest("fast", _png(90, 60)))
    assert Image.open(io.BytesIO(four.result.data)).size == (360, 240)
    assert (four.provider, four.result.metadata["width"]) == ("local", 360)
    exact = registry.execute(routes, UpscaleRequest("fast", _png(90, 60), target=(200, 133)))
    assert Image.open(io.BytesIO(exact.result.data)).size == (200, 133)


def test_local_is_free_and_refuses_what_it_cannot_do_in_its_own_words():
    registry = build_registry({})
    assert price("local", "upscale_fast") == 0 and price("local", "optimize") == 0
    with pytest.raises(ValidationFailed, match="Provider 'local' runs only fast upscales, not creative"):
        registry.plan("upscale", "creative", provider="local")
    assert "local" not in registry.describe() and "local" not in registry.configured()


def test_social_renditions_are_planned_on_local_even_with_every_vendor(provider_config):
    assert build_registry(provider_config).plan("social", "optimize") == [("local", None)]
