"""Per-deployment models: `<PREFIX>_MODELS` / `<PREFIX>_DEFAULT_MODEL` over providers.json,
checked at start-up, and seen by the listing, routing, the clients and the prices."""
from __future__ import annotations

import pytest

from app.auth.service import create_user
from app.config import ConfigError
from app.credits.models import LedgerEntry
from app.errors import OperationFailed, ValidationFailed
from app.extensions import db
from app.providers import build_registry
from app.providers.base import EditRequest, GenerateRequest
from app.providers.pricing import load_table
from app.providers.registry import Route
from tests.studio_helpers import run_one

NEW = "gemini-4-flash-image"  # a model Google ships after our release


@pytest.fixture
def gemini_next(provider_config, fake_gemini):
    """A deployment that moved to a model the catalogue does not know yet."""
    fake_gemini.served.add(NEW)
    return {**provider_config, "GEMINI_MODELS": f"{NEW}, gemini-3-pro-image",
            "GEMINI_DEFAULT_MODEL": NEW, "GEMINI_DEFAULT_EDIT_MODEL": "gemini-3-pro-image"}


def test_a_new_gemini_model_is_listed_routed_called_and_priced(gemini_next, fake_gemini, image):
    registry = build_registry(gemini_next)
    assert registry.describe()["gemini"]["models"] == [NEW, "gemini-3-pro-image"]
    assert registry.plan("generate", provider="gemini", model=NEW) == [Route("gemini", NEW)]
    result = registry.get("gemini").generate(GenerateRequest("a lighthouse"))
    registry.get("gemini").edit(EditRequest("general_edit", image, prompt="add fog"))
    assert [r.path for r in fake_gemini.requests] == [
        f"/v1beta/models/{NEW}:generateContent", "/v1beta/models/gemini-3-pro-image:generateContent"]
    assert result.model == NEW
    # A model the table does not price yet costs what the default model does (7 an image).
    assert registry.estimate("gemini", NEW, "generate", 2, None, None)["estimated_cost"] == 14
    # The catalogue itself is untouched: another app in this process sees the data file.
    assert load_table()["providers"]["gemini"]["models"] == ["gemini-3.1-flash-image",
                                                             "gemini-3-pro-image"]
    assert build_registry({}).describe()["gemini"]["models"] == ["gemini-3.1-flash-image",
                                                                 "gemini-3-pro-image"]


def test_a_model_the_deployment_dropped_is_refused_before_any_call(gemini_next, fake_gemini):
    registry = build_registry(gemini_next)
    with pytest.raises(ValidationFailed) as err:
        registry.plan("generate", provider="gemini", model="gemini-3.1-flash-image")
    assert err.value.errors == {"model": ["Unknown model 'gemini-3.1-flash-image' for provider 'gemini'"]}
    assert fake_gemini.requests == []


def test_settings_come_from_the_environment_and_reach_the_listing(monkeypatch, make_app, auth,
                                                                  provider_config, fake_gemini):
    monkeypatch.setenv("GEMINI_MODELS", "gemini-3-pro-image")
    monkeypatch.setenv("GEMINI_DEFAULT_MODEL", "gemini-3-pro-image")
    monkeypatch.setenv("GEMINI_DEFAULT_EDIT_MODEL", "gemini-3-pro-image")
    client = make_app(**provider_config).test_client()
    described = client.get("/api/image-studio/providers", headers=auth).json["providers"]
    assert described["gemini"]["models"] == ["gemini-3-pro-image"]
    assert described["gemini"]["status"] == "ok"
    assert described["stability"]["models"][:2] == ["ultra", "core"]


def test_a_narrower_stability_list_reroutes_auto_and_prices_the_call(provider_config,
                                                                     fake_stability):
    config = {**provider_config, "STABILITY_MODELS": "ultra,sd3.5-large",
              "STABILITY_DEFAULT_MODEL": "ultra"}
    registry = build_registry(config)
    described = registry.describe()["stability"]
    assert described["models"] == ["ultra", "sd3.5-large"] and described["cost_range"] == "6.5-8 credits"
    # standard quality names Stability `core`, which this deployment does not serve
    routes = registry.plan("generate", quality="standard")
    assert routes[0] == Route("stability", None)
    assert registry.default_model("stability", "generate") == "ultra"
    outcome = registry.execute(routes[:1], GenerateRequest("a cat"))
    assert fake_stability.requests[-1].path == "/v2beta/stable-image/generate/ultra"
    assert outcome.model == "ultra"
    assert registry.estimate("stability", None, "generate", 1, None, None)["estimated_cost"] == 8


def test_the_reservation_is_priced_at_the_deployment_default(make_app, provider_config,
                                                             fake_stability):
    app = make_app(**{**provider_config, "STABILITY_DEFAULT_MODEL": "ultra"})
    with app.test_request_context():
        user = create_user("o@example.com", "long-enough-pw")
        fake_stability.fail(status=400, message="no", path="generate/ultra")  # refunded at once
        with pytest.raises(OperationFailed):
            run_one(user.id, "create", "generate", [Route("stability", None)],
                    GenerateRequest(prompt="a cat"), failure="Image generation failed")
        entry = db.session.query(LedgerEntry).one()
        assert (entry.credits, entry.outcome) == (8.0, "refunded")


def test_wavespeed_edit_default_is_its_own_setting(provider_config, fake_wavespeed, image):
    config = {**provider_config, "WAVESPEED_MODELS": "qwen-image,qwen-image-edit",
              "WAVESPEED_DEFAULT_MODEL": "qwen-image"}
    registry = build_registry(config)
    registry.get("wavespeed").generate(GenerateRequest("x"))
    registry.get("wavespeed").edit(EditRequest("general_edit", image, prompt="x"))
    assert [r.path for r in fake_wavespeed.requests if r.method == "POST"] == [
        "/api/v3/wavespeed-ai/qwen-image/text-to-image", "/api/v3/wavespeed-ai/qwen-image/edit"]


def test_hugging_face_may_serve_any_model_and_keeps_taking_any(provider_config, fake_huggingface):
    config = {**provider_config, "HF_MODELS": "org/fresh-model", "HF_DEFAULT_MODEL": "org/fresh-model"}
    registry = build_registry(config)
    registry.get("huggingface").generate(GenerateRequest("x"))
    assert fake_huggingface.requests[-1].path == "/hf-inference/models/org/fresh-model"
    assert registry.plan("generate", provider="huggingface", model="other/model") == [
        Route("huggingface", "other/model")]


@pytest.mark.parametrize("settings, message", [
    ({"GEMINI_MODELS": "gemini-3-pro-image"},
     "GEMINI_DEFAULT_MODEL is 'gemini-3.1-flash-image', which is not among the models Google "
     "Gemini serves here (gemini-3-pro-image); set GEMINI_DEFAULT_MODEL to one of them or add it "
     "to GEMINI_MODELS"),
    ({"GEMINI_DEFAULT_MODEL": "gemini-2.5-flash-image"},
     "GEMINI_DEFAULT_MODEL is 'gemini-2.5-flash-image', which is not among the models"),
    ({"WAVESPEED_MODELS": "ideogram-v3-turbo"}, "WAVESPEED_DEFAULT_EDIT_MODEL is 'qwen-image-edit'"),
    ({"STABILITY_MODELS": "core,sd4"},
     "STABILITY_MODELS names 'sd4', which the Stability AI client cannot run; choose from ultra, "
     "core, sd3.5-large, sd3.5-large-turbo, sd3.5-medium, sd3.5-flash"),
    ({"HF_MODELS": " , "}, "HF_MODELS is empty: name at least one model Hugging Face serves"),
])
def test_settings_that_cannot_work_stop_start_up(make_app, settings, message):
    with pytest.raises(ConfigError) as err:
        make_app(**settings)
    assert str(err.value).startswith(message)


def test_hugging_face_is_never_asked_for_an_edit(provider_config, fake_huggingface, image):
    only_hf = {k: v for k, v in provider_config.items()
               if k not in ("STABILITY_API_KEY", "WAVESPEED_API_KEY", "GEMINI_API_KEY")}
    registry = build_registry(only_hf)
    assert registry.plan("edit", "general_edit") == [Route("sandbox", "sandbox")]
    assert "huggingface" not in load_table()["routing"]["edit"]
    registry.execute(registry.plan("edit", "general_edit"),
                     EditRequest("general_edit", image, prompt="add snow"))
    assert fake_huggingface.requests == []
