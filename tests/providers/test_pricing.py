"""The one price table (catalog.md "Cost (credits)") and the estimate shape."""
from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.providers.pricing import cost_range, estimate, price


@pytest.mark.parametrize("provider, operation, model, credits", [
    ("stability", "generate", "ultra", 8), ("stability", "generate", "core", 3),
    ("stability", "generate", "sd3.5-large", 6.5), ("stability", "generate", "sd3.5-large-turbo", 4),
    ("stability", "generate", "sd3.5-medium", 3.5), ("stability", "generate", "sd3.5-flash", 2.5),
    ("stability", "generate", None, 3),
    *[("stability", op, None, 5) for op in ("remove_background", "inpaint", "search_replace",
                                            "search_recolor", "erase")],
    ("stability", "outpaint", None, 4), ("stability", "relight", None, 8),
    ("stability", "sketch", None, 5), ("stability", "structure", None, 5),
    ("stability", "style", None, 5), ("stability", "style_transfer", None, 8),
    ("stability", "upscale_fast", None, 2), ("stability", "conservative", None, 40),
    ("stability", "upscale_creative", None, 60), ("stability", "upscale", None, 2),
    ("wavespeed", "generate", "ideogram-v3-turbo", 5), ("wavespeed", "generate", "qwen-image", 2),
    ("wavespeed", "generate", "ideogram-ai/ideogram-v3-turbo", 5),
    ("wavespeed", "general_edit", None, 2), ("ideogram", "generate", None, 5),
    ("huggingface", "generate", "any/model", 1),
    ("gemini", "generate", "gemini-3.1-flash-image", 7), ("gemini", "generate", None, 7),
    ("gemini", "generate", "gemini-3-pro-image", 14),
    # "gemini-3.1-flash-image (and edits) / gemini-3-pro-image": an edit costs its model's price
    ("gemini", "general_edit", None, 7), ("gemini", "general_edit", "gemini-3.1-flash-image", 7),
    ("gemini", "general_edit", "gemini-3-pro-image", 14),
    ("sandbox", "generate", None, 0), ("sandbox", "creative", None, 0),
    ("local", "upscale_fast", None, 0), ("local", "optimize", None, 0),
])
def test_price_table(provider, operation, model, credits):
    assert price(provider, operation, model) == credits


def test_estimate_shape():
    assert estimate("wavespeed", "ideogram-v3-turbo", "generate", 1, 1200, 628) == {
        "estimated_cost": 5, "currency": "credits", "provider": "wavespeed",
        "model": "ideogram-v3-turbo", "operation": "generate", "num_images": 1,
        "breakdown": {"unit_price": 5, "num_images": 1, "size": "1200x628"}}
    assert estimate("stability", None, "generate", 4)["estimated_cost"] == 12
    assert estimate("stability", "sd3.5-flash", num_images=3)["estimated_cost"] == 7.5


@pytest.mark.parametrize("args, field", [
    (("openai", None), "provider"), (("stability", None, "paint"), "operation"),
    (("stability", "sd2"), "model"), (("wavespeed", None, "inpaint"), "operation"),
    (("stability", None, "generate", 0), "num_images"),
])
def test_estimate_rejects_unknowns(args, field):
    with pytest.raises(ValidationFailed) as err:
        estimate(*args)
    assert field in err.value.errors


def test_cost_ranges():
    assert cost_range("stability") == "2.5-8 credits"
    assert cost_range("wavespeed") == "2-5 credits"
    assert cost_range("huggingface") == "1 credit"
    assert cost_range("gemini") == "7-14 credits"
    assert cost_range("sandbox") == "0 credits"
