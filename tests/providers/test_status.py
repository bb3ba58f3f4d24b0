"""Live checks against the fakes: each provider asked with GETs that make nothing, and the
listing's cached `status` that never holds the listing up for long."""
from __future__ import annotations

import time

import pytest

from app.providers import build_registry
from app.providers.status import StatusBoard
from tests.fakes.fixtures import KEYS

LISTING = "/api/image-studio/providers"
FAKES = ("fake_stability", "fake_wavespeed", "fake_huggingface", "fake_gemini")


def _check(config, name):
    return build_registry(config).get(name).check()


def test_every_provider_answers_with_gets_only(request, provider_config):
    board = StatusBoard(build_registry(provider_config), ttl=300, wait=5)
    reports = {report.provider: report for report in board.check()}
    assert {name: r.result.status for name, r in reports.items()} == {
        "stability": "ok", "wavespeed": "ok", "huggingface": "ok", "gemini": "ok", "sandbox": "ok"}
    assert reports["stability"].result.message == "key accepted; balance 12.50 credits"
    assert reports["wavespeed"].result.message == "key accepted; balance 42.00 USD"
    assert reports["gemini"].result.served == ["gemini-3.1-flash-image", "gemini-3-pro-image"]
    for fixture in FAKES:
        fake = request.getfixturevalue(fixture)
        assert fake.requests and {r.method for r in fake.requests} == {"GET"}, fixture


def test_the_wire_of_each_check(provider_config, fake_stability, fake_wavespeed,
                                fake_huggingface, fake_gemini):
    for name in ("stability", "wavespeed", "huggingface", "gemini"):
        _check(provider_config, name)
    stability, = fake_stability.requests
    assert (stability.path, stability.header("authorization")) == (
        "/v1/user/balance", f"Bearer {KEYS['stability']}")
    wavespeed, = fake_wavespeed.requests
    assert (wavespeed.path, wavespeed.header("authorization")) == (
        "/api/v3/balance", f"Bearer {KEYS['wavespeed']}")
    assert [(r.path, r.query) for r in fake_huggingface.requests] == [
        (f"/api/models/{model}", {"expand[]": "inferenceProviderMapping"})
        for model in ("black-forest-labs/FLUX.1-schnell", "stabilityai/stable-diffusion-xl-base-1.0")]
    assert fake_huggingface.requests[0].header("authorization") == f"Bearer {KEYS['huggingface']}"
    # Gemini pages through its list: 2 per page here, so 2 image + 2 other models = 2 pages
    pages = [(r.path, r.query.get("pageToken"), r.header("x-goog-api-key"))
             for r in fake_gemini.requests]
    assert pages == [("/v1beta/models", None, KEYS["gemini"]), ("/v1beta/models", "2", KEYS["gemini"])]
    assert fake_gemini.requests[0].query["pageSize"] == "1000"


@pytest.mark.parametrize("name, key", [("stability", "STABILITY_API_KEY"),
                                       ("wavespeed", "WAVESPEED_API_KEY"),
                                       ("huggingface", "HF_TOKEN"), ("gemini", "GEMINI_API_KEY")])
def test_a_bad_key_is_rejected_and_never_shown(provider_config, name, key):
    result = _check({**provider_config, key: "wrong-" + KEYS[name]}, name)
    assert result.status == "key_rejected"
    assert KEYS[name] not in result.message and "SECRET" not in result.message


def test_a_retired_gemini_model_is_missing(provider_config, fake_gemini):
    fake_gemini.served.discard("gemini-3-pro-image")
    result = _check(provider_config, "gemini")
    assert (result.status, result.served, result.missing) == (
        "models_missing", ["gemini-3.1-flash-image"], ["gemini-3-pro-image"])


@pytest.mark.parametrize("list_form", [False, True])
def test_hugging_face_needs_a_live_hf_inference_route(provider_config, fake_huggingface, list_form):
    fake_huggingface.list_form = list_form
    fake_huggingface.mappings["stabilityai/stable-diffusion-xl-base-1.0"] = {
        "hf-inference": {"status": "staging", "providerId": "x", "task": "text-to-image"},
        "fal-ai": {"status": "live", "providerId": "y", "task": "text-to-image"}}
    config = {**provider_config, "HF_MODELS": "black-forest-labs/FLUX.1-schnell,"
                                              "stabilityai/stable-diffusion-xl-base-1.0,acme/unknown"}
    result = _check(config, "huggingface")
    assert result.status == "models_missing"
    assert result.served == ["black-forest-labs/FLUX.1-schnell"]
    assert result.missing == ["stabilityai/stable-diffusion-xl-base-1.0", "acme/unknown"]


def test_an_unreachable_provider_is_unavailable_after_its_get_retries(provider_config,
                                                                      fake_wavespeed):
    fake_wavespeed.fail(times=10, status=503, message="maintenance")
    result = _check(provider_config, "wavespeed")
    assert (result.status, result.message) == ("unavailable", "maintenance")
    assert len(fake_wavespeed.requests) == 1 + provider_config["PROVIDER_MAX_RETRIES"]


def test_the_listing_reports_each_status(make_app, provider_config, auth, fake_gemini):
    fake_gemini.served.discard("gemini-3-pro-image")
    config = {k: v for k, v in provider_config.items() if k != "WAVESPEED_API_KEY"}
    client = make_app(**{**config, "HF_TOKEN": "hf_wrong"}).test_client()
    response = client.get(LISTING, headers=auth)
    assert response.status_code == 200
    statuses = {name: p["status"] for name, p in response.json["providers"].items()}
    assert statuses == {"stability": "ok", "wavespeed": "not_configured",
                        "huggingface": "key_rejected", "gemini": "models_missing", "sandbox": "ok"}


def test_without_keys_the_listing_asks_nobody(client, auth):
    statuses = {name: p["status"] for name, p in client.get(LISTING, headers=auth).json["providers"].items()}
    assert statuses == {"stability": "not_configured", "wavespeed": "not_configured",
                        "huggingface": "not_configured", "gemini": "not_configured", "sandbox": "ok"}


def test_checks_are_cached_per_process(make_app, provider_config, auth, fake_stability):
    client = make_app(**provider_config).test_client()
    for _ in range(3):
        assert client.get(LISTING, headers=auth).json["providers"]["stability"]["status"] == "ok"
    assert [r.path for r in fake_stability.requests] == ["/v1/user/balance"]


def test_an_expired_result_is_checked_again(make_app, provider_config, auth, fake_stability):
    client = make_app(**{**provider_config, "PROVIDER_STATUS_TTL": 0}).test_client()
    client.get(LISTING, headers=auth)
    fake_stability.fail(times=1, status=401, message="authorization: invalid key")
    assert client.get(LISTING, headers=auth).json["providers"]["stability"]["status"] == "key_rejected"
    assert len(fake_stability.requests) == 2


def test_a_hanging_provider_does_not_hold_the_listing(make_app, provider_config, auth,
                                                      fake_gemini):
    # Slower than the listing waits, quicker than the read timeout (2 s) that would retry it.
    fake_gemini.queue(status=200, body={"models": []}, delay=1.8, path="^/v1beta/models$")
    client = make_app(**{**provider_config, "PROVIDER_STATUS_WAIT": 0.6}).test_client()
    started = time.monotonic()
    first = client.get(LISTING, headers=auth).json["providers"]
    assert time.monotonic() - started < 1.6
    assert first["gemini"]["status"] == "unchecked" and first["stability"]["status"] == "ok"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the check ends in the background and is cached
        time.sleep(0.2)
        later = client.get(LISTING, headers=auth).json["providers"]["gemini"]["status"]
        if later != "unchecked":
            break
    assert later == "models_missing"  # the slow answer listed no models
    assert len([r for r in fake_gemini.requests if r.path == "/v1beta/models"]) == 1


def test_the_status_enum_is_published(client):
    schema = client.get("/api/openapi.json").json["components"]["schemas"]["ProviderInfo"]
    assert set(schema["properties"]["status"]["enum"]) == {
        "ok", "models_missing", "key_rejected", "unavailable", "not_configured", "unchecked"}
