"""POST /create: every field's effect, asserted on the fakes' wire and on the decoded images."""
import pytest

from tests.create.conftest import CREATE, decoded_size

STABILITY_CORE = "/v2beta/stable-image/generate/core"


def _form(fake):
    return [r.form for r in fake.requests if r.path.startswith("/v2beta/stable-image/generate")]


def test_template_defaults_reach_the_provider_and_the_size_is_exact(faked, create, user, fake_stability):
    app = faked()
    response = create(app, prompt="Modern workspace", template_id="linkedin_post", provider="stability")
    assert response.status_code == 200
    body = response.json
    assert body["success"] is True and body["total_generated"] == 1 and body["total_failed"] == 0
    request = body["request"]
    assert request["template_id"] == "linkedin_post" and request["template_name"] == "LinkedIn Post"
    assert request["dimensions"] == "1200x628" and request["quality"] == "premium"
    assert (request["provider"], request["model"]) == ("stability", "core")
    (form,) = _form(fake_stability)
    assert form["style_preset"] == "photographic" and form["aspect_ratio"] == "16:9"
    assert form["prompt"] == request["enhanced_prompt"] == (
        "Modern workspace, professional photography, high quality, detailed, sharp focus, natural lighting")
    (result,) = body["results"]
    assert not result["image_base64"].startswith("data:")
    assert decoded_size(result) == (result["width"], result["height"]) == (1200, 628)
    assert (result["provider"], result["model"], result["variation"]) == ("stability", "core", 1)


def test_request_values_beat_template_defaults(faked, create, user, fake_stability):
    app = faked()
    body = create(app, prompt="x", template_id="linkedin_post", provider="stability", quality="draft",
                  style_preset="anime", width=640, height=640).json
    assert body["request"]["quality"] == "draft" and body["request"]["dimensions"] == "640x640"
    (form,) = _form(fake_stability)
    assert form["style_preset"] == "anime" and form["aspect_ratio"] == "1:1"
    assert form["prompt"] == "x, anime style, vibrant colors, detailed, high quality"


@pytest.mark.parametrize("fields, size, ratio", [
    ({"aspect_ratio": "9:16"}, (1080, 1920), "9:16"),
    ({"aspect_ratio": "1.91:1", "width": 600}, (600, 314), "16:9"),
    ({"aspect_ratio": "2:3", "height": 300}, (200, 300), "2:3"),
    ({}, (1024, 1024), "1:1"),
])
def test_size_rules_reach_the_wire_and_the_result(faked, create, user, fake_stability, fields, size, ratio):
    body = create(faked(), prompt="x", provider="stability", **fields).json
    assert _form(fake_stability)[0]["aspect_ratio"] == ratio
    assert decoded_size(body["results"][0]) == size
    assert body["request"]["dimensions"] == "{}x{}".format(*size)


def test_enhance_off_sends_the_prompt_unchanged_with_negative_prompt(faked, create, user, fake_stability):
    body = create(faked(), prompt="a red bike", provider="stability", style_preset="cinematic",
                  enhance_prompt=False, negative_prompt="blurry, text").json
    (form,) = _form(fake_stability)
    assert form["prompt"] == body["request"]["enhanced_prompt"] == "a red bike"
    assert form["negative_prompt"] == "blurry, text" and form["style_preset"] == "cinematic"
    assert "seed" not in form


def test_seed_plus_variation_index_and_zero_is_a_seed(faked, create, user, fake_stability):
    body = create(faked(), prompt="x", provider="stability", seed=0, num_variations=3).json
    assert sorted(int(f["seed"]) for f in _form(fake_stability)) == [0, 1, 2]
    assert [r["variation"] for r in body["results"]] == [1, 2, 3]
    # The fake answers one PNG three times: identical bytes are stored once, as one asset.
    assert body["total_generated"] == 3 and len({r["asset_id"] for r in body["results"]}) == 1


def test_wavespeed_qwen_gets_size_and_seed_in_its_json(faked, create, user, fake_wavespeed):
    body = create(faked(), prompt="x", provider="wavespeed", model="qwen-image", width=800, height=400,
                  seed=7, num_variations=2).json
    sent = sorted((r.json for r in fake_wavespeed.requests if r.method == "POST"), key=lambda j: j["seed"])
    assert [j["seed"] for j in sent] == [7, 8]
    assert sent[0]["size"] == "800*400" and sent[0]["prompt"] == "x"
    assert all(decoded_size(r) == (800, 400) for r in body["results"])
    assert body["request"]["model"] == "qwen-image"


def test_ideogram_alias_and_the_template_recommendation(faked, create, user, fake_wavespeed, fake_stability):
    app = faked()
    body = create(app, prompt="x", provider="ideogram", aspect_ratio="16:9").json
    assert (body["request"]["provider"], body["request"]["model"]) == ("wavespeed", "ideogram-v3-turbo")
    submission = next(r for r in fake_wavespeed.requests if r.method == "POST")  # then polled
    assert submission.json["aspect_ratio"] == "16:9"
    body = create(app, prompt="x", template_id="facebook_feed").json  # standard, but ideogram recommended
    assert (body["request"]["provider"], body["request"]["model"]) == ("wavespeed", "ideogram-v3-turbo")
    assert fake_stability.requests == []


def test_auto_routes_by_quality(faked, create, user, fake_huggingface, fake_stability):
    app = faked()
    assert create(app, prompt="x", quality="draft").json["request"]["provider"] == "huggingface"
    assert create(app, prompt="x").json["request"]["provider"] == "stability"
    assert len(fake_huggingface.requests) == 1 and len(fake_stability.requests) == 1


def test_with_nothing_configured_the_sandbox_runs_for_free(app, client, auth):
    body = client.post(CREATE, json={"prompt": "x", "aspect_ratio": "4:5", "num_variations": 2},
                       headers=auth).json
    assert body["request"]["provider"] == "sandbox" and body["total_generated"] == 2
    assert [decoded_size(r) for r in body["results"]] == [(1536, 1920)] * 2


def test_each_result_url_returns_the_bytes_to_its_owner_only(app, client, auth, make_user, token_for):
    body = client.post(CREATE, json={"prompt": "x", "width": 96, "height": 64, "num_variations": 2,
                                     "output_format": "jpeg"}, headers=auth).json
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    import base64
    for result in body["results"]:
        response = client.get(result["url"], headers=auth)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.data == base64.b64decode(result["image_base64"])
        assert client.get(result["url"], headers=other).status_code == 404


def test_401_without_a_token(client):
    response = client.post(CREATE, json={"prompt": "x"})
    assert response.status_code == 401
    assert response.json == {"detail": "Authenticated user required for image operations."}


@pytest.mark.parametrize("fields, field", [
    ({"prompt": ""}, "prompt"),
    ({}, "prompt"),
    ({"width": 32}, "width"),
    ({"height": 5000}, "height"),
    ({"aspect_ratio": "wide"}, "aspect_ratio"),
    ({"aspect_ratio": "100:1"}, "height"),
    ({"quality": "ultra"}, "quality"),
    ({"num_variations": 0}, "num_variations"),
    ({"num_variations": 11}, "num_variations"),
    ({"seed": -1}, "seed"),
    ({"steps": 0}, "steps"),
    ({"use_persona": True}, "persona_id"),
])
def test_validation_errors_are_400_naming_the_field(client, auth, fields, field):
    body = {"prompt": "x", **fields} if "prompt" not in fields and fields != {} else fields
    response = client.post(CREATE, json=body, headers=auth)
    assert response.status_code == 400
    assert f"'{field}'" in response.json["detail"] and field in response.json["errors"]


def test_unknown_template_is_400(client, auth):
    response = client.post(CREATE, json={"prompt": "x", "template_id": "nope"}, headers=auth)
    assert response.status_code == 400 and response.json == {"detail": "Template not found: nope"}


def test_an_unconfigured_provider_is_503(client, auth):
    response = client.post(CREATE, json={"prompt": "x", "provider": "stability"}, headers=auth)
    assert response.status_code == 503
    assert response.json == {"detail": "Provider 'stability' is not configured"}


def test_variations_without_a_seed_differ_and_report_their_seeds(client, auth):
    body = client.post("/api/image-studio/create", json={"prompt": "a lighthouse", "provider": "sandbox",
                                                         "width": 128, "height": 128, "num_variations": 3},
                       headers=auth).json
    seeds = [r["seed"] for r in body["results"]]
    assert seeds[1] == seeds[0] + 1 and seeds[2] == seeds[0] + 2
    assert len({r["image_base64"] for r in body["results"]}) == 3
