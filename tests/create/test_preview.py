"""POST /create/preview: the Create body resolved as Create resolves it, priced, nothing spent."""
import pytest

from tests.create.conftest import CREATE

PREVIEW = CREATE + "/preview"
PERSONAS = "/api/image-studio/personas"
USAGE = "/api/image-studio/usage"


def _preview(client, headers, **body):
    return client.post(PREVIEW, json=body, headers=headers)


@pytest.fixture
def stability(faked, user, token_for):
    """A client of an app whose providers are the fakes, and the default user's header."""
    app = faked()
    return app.test_client(), {"Authorization": f"Bearer {token_for()}"}


def test_template_values_are_resolved_and_priced(stability, fake_stability):
    client, auth = stability
    response = _preview(client, auth, prompt="Modern workspace", template_id="linkedin_post",
                        num_variations=3)
    assert response.status_code == 200
    body = response.json
    assert (body["width"], body["height"], body["dimensions"]) == (1200, 628, "1200x628")
    assert body["style_preset"] == "photographic" and body["quality"] == "premium"
    # auto follows the template's recommendation (ideogram, at WaveSpeed) at premium quality
    assert (body["provider"], body["model"]) == ("wavespeed", "ideogram-v3-turbo")
    assert body["estimated_cost"] == 15 and body["currency"] == "credits"   # 3 × 5
    assert body["prompt"] == ("Modern workspace, professional photography, high quality, detailed, "
                              "sharp focus, natural lighting")
    assert body["num_variations"] == 3 and body["template_id"] == "linkedin_post"
    assert fake_stability.requests == []                                 # nothing was generated


@pytest.mark.parametrize("quality, route", [("standard", ("stability", "core")),
                                            ("draft", ("huggingface", "black-forest-labs/FLUX.1-schnell"))])
def test_auto_without_a_template_follows_the_configured_providers(stability, quality, route):
    client, auth = stability
    body = _preview(client, auth, prompt="a tent", quality=quality).json
    assert (body["provider"], body["model"]) == route


def test_auto_with_nothing_configured_is_the_sandbox(client, auth):
    assert _preview(client, auth, prompt="a tent").json["provider"] == "sandbox"


@pytest.mark.parametrize("fields, style", [
    ({}, "cinematic"),                                   # the persona's beats the template's
    ({"style_preset": "anime"}, "anime"),                 # the request's beats the persona's
    ({"use_persona": False}, "digital-art"),              # no persona: the template's
])
def test_the_style_is_the_one_create_applies(stability, fields, style, fake_stability):
    client, auth = stability
    persona = client.post(PERSONAS, headers=auth, json={"name": "Acme", "style_preset": "cinematic",
                                                        "brand_keywords": ["rugged"]}).json
    body = {"prompt": "a tent", "template_id": "twitter_card", "provider": "stability",
            "use_persona": True, "persona_id": persona["id"], **fields}
    preview = client.post(PREVIEW, json=body, headers=auth).json
    created = client.post(CREATE, json=body, headers=auth).json
    assert preview["style_preset"] == created["request"]["style_preset"] == style
    assert preview["dimensions"] == created["request"]["dimensions"] == "1200x600"
    assert preview["provider"] == created["request"]["provider"] == "stability"
    assert preview["prompt"] == created["request"]["enhanced_prompt"]
    assert preview["persona_id"] == (persona["id"] if body["use_persona"] else None)


@pytest.mark.parametrize("fields, size", [
    ({"aspect_ratio": "9:16"}, (1080, 1920)),
    ({"aspect_ratio": "1.91:1", "width": 600}, (600, 314)),
    ({"width": 640, "height": 480, "template_id": "linkedin_post"}, (640, 480)),
    ({}, (1024, 1024)),
])
def test_the_size_follows_the_size_rules(client, auth, fields, size):
    body = _preview(client, auth, **fields).json
    assert (body["width"], body["height"]) == size


def test_an_empty_prompt_is_previewed_and_nothing_is_charged(client, auth):
    before = client.get(USAGE, headers=auth).json["balance"]
    response = _preview(client, auth, provider="auto")
    assert response.status_code == 200
    assert response.json["provider"] == "sandbox" and response.json["estimated_cost"] == 0
    assert client.get(USAGE, headers=auth).json["balance"] == before


def test_a_paid_preview_reserves_nothing(stability):
    client, auth = stability
    before = client.get(USAGE, headers=auth).json
    assert _preview(client, auth, prompt="x", provider="stability", num_variations=10).json["estimated_cost"] == 30
    after = client.get(USAGE, headers=auth).json
    assert (after["balance"], after["spent"]) == (before["balance"], before["spent"])


@pytest.mark.parametrize("fields, status, detail", [
    ({"template_id": "nope"}, 400, "Template not found: nope"),
    ({"use_persona": True, "persona_id": "f" * 32}, 404, "Persona not found"),
    ({"use_persona": True}, 400, "Invalid value for 'persona_id': required when use_persona is true"),
    ({"width": 10}, 400, None),
])
def test_refusals_are_the_ones_create_gives(client, auth, fields, status, detail):
    preview = _preview(client, auth, prompt="x", **fields)
    created = client.post(CREATE, json={"prompt": "x", **fields}, headers=auth)
    assert preview.status_code == created.status_code == status
    assert preview.json["detail"] == created.json["detail"]
    if detail:
        assert preview.json["detail"] == detail


def test_preview_needs_a_token(client):
    response = client.post(PREVIEW, json={"prompt": "x"})
    assert response.status_code == 401 and "detail" in response.json
