"""Registry: configuration, auto routing, explicit choice, failover and its record."""
from __future__ import annotations

import pytest

from app.errors import ServiceUnavailable, ValidationFailed
from app.providers import build_registry
from app.providers.base import EditRequest, GenerateRequest, ProviderError, UpscaleRequest
from app.providers.registry import Route
from tests.fakes.server import Streamed

ONLY = {"stability": "STABILITY_API_KEY", "wavespeed": "WAVESPEED_API_KEY",
        "huggingface": "HF_TOKEN", "gemini": "GEMINI_API_KEY"}


def with_only(config, *names):
    return build_registry({k: v for k, v in config.items()
                           if k not in ONLY.values() or k in {ONLY[n] for n in names}})


def test_nothing_configured_uses_sandbox():
    registry = build_registry({})
    assert registry.configured() == ["sandbox"]
    assert registry.plan("generate") == [Route("sandbox", "sandbox")]
    assert registry.plan("upscale", "creative") == [Route("sandbox", "sandbox")]
    described = registry.describe()
    assert described["stability"]["configured"] is False
    assert described["stability"]["cost_range"] == "2.5-8 credits"
    assert described["sandbox"]["configured"] is True


def test_sandbox_can_be_disabled():
    registry = build_registry({"IMAGE_STUDIO_ALLOW_SANDBOX": "0"})
    assert "sandbox" not in registry.describe()
    with pytest.raises(ServiceUnavailable):
        registry.plan("generate")
    with pytest.raises(ValidationFailed):
        registry.get("sandbox")


@pytest.mark.parametrize("quality, recommended, expected", [
    ("draft", None, [("huggingface", None), ("wavespeed", "qwen-image"), ("gemini", None)]),
    ("standard", None, [("stability", "core"), ("wavespeed", "ideogram-v3-turbo"),
                        ("gemini", None)]),
    ("premium", None, [("wavespeed", "ideogram-v3-turbo"), ("stability", "ultra"),
                       ("gemini", None)]),
    ("standard", "ideogram", [("wavespeed", "ideogram-v3-turbo"), ("stability", "core"),
                              ("gemini", None)]),
])
def test_auto_generate_order(registry, quality, recommended, expected):
    assert registry.plan("generate", quality=quality, recommended=recommended) == expected


def test_auto_skips_unconfigured(provider_config):
    registry = with_only(provider_config, "gemini", "huggingface")
    assert registry.plan("generate", quality="premium") == [("gemini", None)]
    assert registry.plan("generate", quality="draft") == [("huggingface", None), ("gemini", None)]


def test_auto_edit_upscale_control(registry, provider_config):
    assert registry.plan("edit", "inpaint") == [("stability", None)]
    assert registry.plan("edit", "general_edit") == [("wavespeed", None), ("gemini", None)]
    assert registry.plan("control", "style") == [("stability", None)]
    # `local` is an ordinary provider: in-process fast upscales when Stability is not configured.
    assert registry.plan("upscale", "fast") == [("stability", None)]
    assert with_only(provider_config, "gemini").plan("upscale", "fast") == [("local", None)]
    assert with_only(provider_config, "gemini").plan("upscale", "creative") == [("sandbox", "sandbox")]


def test_explicit_provider(registry, provider_config):
    assert registry.plan("generate", provider="gemini", model="gemini-3-pro-image") == \
        [("gemini", "gemini-3-pro-image")]
    assert registry.plan("generate", provider="ideogram") == [("wavespeed", "ideogram-v3-turbo")]
    with pytest.raises(ServiceUnavailable) as err:
        with_only(provider_config).plan("generate", provider="stability")
    assert err.value.detail == "Provider 'stability' is not configured"
    with pytest.raises(ValidationFailed) as err:
        registry.plan("generate", provider="dalle")
    assert "dalle" in err.value.detail
    with pytest.raises(ValidationFailed):
        registry.plan("upscale", "fast", provider="gemini")


def test_unknown_quality(registry):
    with pytest.raises(ValidationFailed):
        registry.plan("generate", quality="ultra")


def test_failover_records_attempts(registry, fake_stability, fake_wavespeed):
    fake_stability.fail(times=3, status=503, message="Service overloaded")
    outcome = registry.execute(registry.plan("generate"), GenerateRequest("x", seed=1))
    assert (outcome.provider, outcome.model) == ("wavespeed", "ideogram-v3-turbo")
    assert outcome.attempts == [{"provider": "stability", "model": "core",
                                 "error": "Service overloaded"}]
    assert fake_wavespeed.requests[0].path.endswith("ideogram-v3-turbo")


def test_a_reply_without_end_fails_over(provider_config, fake_stability, fake_wavespeed):
    provider_config["MAX_PROVIDER_REPLY_MB"] = 2
    fake_stability.queue(status=200, body=Streamed(64 << 20), content_type="image/png")
    registry = build_registry(provider_config)
    outcome = registry.execute(registry.plan("generate"), GenerateRequest("x", seed=1))
    assert outcome.provider == "wavespeed" and outcome.result.mime_type == "image/png"
    assert outcome.attempts == [{"provider": "stability", "model": "core",
                                 "error": "Stability AI sent a reply over this server's 2 MB limit"}]


def test_all_routes_fail(registry, fake_stability, fake_wavespeed, fake_gemini):
    for fake in (fake_stability, fake_wavespeed, fake_gemini):
        fake.fail(times=3, status=500, message=f"down at {type(fake).__name__}")
    with pytest.raises(ProviderError) as err:
        registry.execute(registry.plan("generate"), GenerateRequest("x"))
    assert [a["provider"] for a in err.value.attempts] == ["stability", "wavespeed", "gemini"]
    assert err.value.message == "down at FakeGemini"


def test_explicit_provider_never_fails_over(registry, fake_stability, fake_wavespeed):
    fake_stability.fail(times=3, status=503)
    with pytest.raises(ProviderError) as err:
        registry.execute(registry.plan("generate", provider="stability"), GenerateRequest("x"))
    assert err.value.provider == "stability" and len(err.value.attempts) == 1
    assert fake_wavespeed.requests == []


@pytest.mark.parametrize("script", ["refusal", "client_error"])
def test_refusals_and_client_errors_stop_at_once(registry, fake_stability, fake_wavespeed,
                                                 script):
    if script == "refusal":
        fake_stability.moderate()
    else:
        fake_stability.fail(status=400, message="aspect_ratio: invalid")
    with pytest.raises(ProviderError):
        registry.execute(registry.plan("generate"), GenerateRequest("x"))
    assert fake_wavespeed.requests == []


def test_execute_edit_and_upscale_in_sandbox(image):
    registry = build_registry({})
    outcome = registry.execute(registry.plan("edit", "erase"), EditRequest("erase", image))
    assert outcome.provider == "sandbox" and outcome.attempts == []
    outcome = registry.execute(registry.plan("upscale", "fast"), UpscaleRequest("fast", image))
    assert outcome.result.metadata["width"] == 384
