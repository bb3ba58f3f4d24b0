"""GET /providers and POST /estimate-cost read the same price table."""
import pytest


def test_providers_lists_all_with_configured_flags(client, auth):
    providers = client.get("/api/image-studio/providers", headers=auth).json["providers"]
    assert set(providers) >= {"stability", "wavespeed", "huggingface", "gemini", "sandbox"}
    assert providers["stability"]["configured"] is False and providers["sandbox"]["configured"] is True
    assert set(providers["stability"]) >= {"name", "models", "capabilities", "max_resolution", "cost_range"}
    assert providers["stability"]["name"] == "Stability AI"
    assert providers["wavespeed"]["cost_range"].endswith("credits")


def test_configured_provider_is_flagged(make_app, provider_config, token_for, make_user):
    app = make_app(**provider_config)
    client = app.test_client()
    from app.auth.service import create_user
    from app.auth.tokens import issue_token
    with app.app_context():
        token = issue_token(create_user("k@example.com", "long-enough-pw"), app.config["SECRET_KEY"], 60)
    providers = client.get("/api/image-studio/providers", headers={"Authorization": f"Bearer {token}"}).json
    assert all(p["configured"] for p in providers["providers"].values())
    assert "SECRET" not in str(providers)


@pytest.mark.parametrize("body, cost, model", [
    ({"provider": "wavespeed", "model": "ideogram-v3-turbo", "operation": "generate", "num_images": 1,
      "width": 1200, "height": 628}, 5, "ideogram-v3-turbo"),
    ({"provider": "stability", "model": "ultra", "num_images": 3}, 24, "ultra"),
    ({"provider": "stability", "operation": "inpaint"}, 5, None),
    ({"provider": "stability", "operation": "upscale_creative", "num_images": 2}, 120, None),
    ({"provider": "sandbox", "num_images": 10}, 0, None),
    ({"provider": "auto", "quality": "premium", "num_images": 2}, 0, None),
])
def test_estimate_cost(client, auth, body, cost, model):
    response = client.post("/api/image-studio/estimate-cost", json=body, headers=auth)
    assert response.status_code == 200, response.json
    result = response.json
    assert result["estimated_cost"] == cost and result["currency"] == "credits"
    assert result["num_images"] == body.get("num_images", 1)
    assert result["operation"] == body.get("operation", "generate")
    if model:
        assert result["model"] == model


@pytest.mark.parametrize("body, field", [
    ({"provider": "acme"}, "provider"), ({"provider": "stability", "operation": "teleport"}, "operation"),
    ({"provider": "stability", "num_images": 0}, "num_images"), ({}, "provider"),
    ({"provider": "stability", "model": "sd9"}, "model"),
])
def test_estimate_cost_bad_input_names_the_field(client, auth, body, field):
    response = client.post("/api/image-studio/estimate-cost", json=body, headers=auth)
    assert response.status_code == 400
    assert field in response.json["detail"] or field in response.json.get("errors", {})
