"""Control Studio API: the wire at Stability (explicit 0.0 kept), sizes, validation, failures."""
import pytest

from tests.fakes.fixtures import KEYS
from tests.studio_helpers import b64, decoded, photo

URL = "/api/image-studio/control/process"
CONTROL = "/v2beta/stable-image/control/"
RANGE = "Must be greater than or equal to 0.0 and less than or equal to 1.0."


def _image(width=96, height=64):
    return b64(photo(width, height))


@pytest.mark.parametrize("body, path, form, files, size, settings", [
    ({"operation": "sketch", "prompt": "a castle"}, "sketch",
     {"prompt": "a castle", "control_strength": "0.7"}, {"image"}, (96, 64), {"control_strength": 0.7}),
    ({"operation": "structure", "prompt": "a castle", "control_strength": 0.0, "style_preset": "anime"},
     "structure", {"control_strength": "0.0", "style_preset": "anime"}, {"image"}, (96, 64),
     {"control_strength": 0.0}),
    ({"operation": "style", "prompt": "a castle", "fidelity": 0.0, "aspect_ratio": "16:9"}, "style",
     {"fidelity": "0.0", "aspect_ratio": "16:9"}, {"image"}, (1365, 768),
     {"fidelity": 0.0, "aspect_ratio": "16:9"}),
    ({"operation": "style", "prompt": "a castle", "aspect_ratio": "1.91:1"}, "style",
     {"fidelity": "0.5", "aspect_ratio": "16:9"}, {"image"}, (1415, 741), {"aspect_ratio": "1.91:1"}),
    ({"operation": "style_transfer", "prompt": "a castle", "style_image_base64": _image(80, 80),
      "style_strength": 0.0, "composition_fidelity": 0.0, "change_strength": 0.1},
     "style-transfer", {"prompt": "a castle", "style_strength": "0.0", "composition_fidelity": "0.0",
                        "change_strength": "0.1"},
     {"init_image", "style_image"}, (1254, 836),
     {"style_strength": 0.0, "composition_fidelity": 0.0, "change_strength": 0.1}),
])
def test_each_operation_at_stability(provider_client, auth, fake_stability, body, path, form, files,
                                     size, settings):
    response = provider_client.post(URL, json={"control_image_base64": _image(), **body}, headers=auth)
    assert response.status_code == 200, response.json
    call = fake_stability.requests[-1]
    assert call.path == CONTROL + path and set(call.files) == files
    assert form.items() <= call.form.items()
    result = response.json
    assert (result["operation"], result["provider"]) == (body["operation"], "stability")
    assert settings.items() <= result["metadata"].items()
    assert decoded(result["image_base64"]).size == size == (result["width"], result["height"])


def test_style_transfer_sends_no_style_preset(provider_client, auth, fake_stability):
    body = {"control_image_base64": _image(), "operation": "style_transfer", "style_preset": "anime",
            "style_image_base64": _image(), "prompt": "oil painting"}
    assert provider_client.post(URL, json=body, headers=auth).status_code == 200
    form = fake_stability.requests[-1].form
    assert "style_preset" not in form and form["prompt"] == "oil painting"


@pytest.mark.parametrize("body, size", [
    ({"operation": "sketch", "prompt": "x"}, (96, 64)),
    ({"operation": "style", "prompt": "x", "aspect_ratio": "9:16"}, (768, 1365)),
    ({"operation": "style_transfer", "prompt": "x", "style_image_base64": _image(70, 70)}, (1254, 836)),
])
def test_sandbox_follows_the_size_rules(client, auth, body, size):
    response = client.post(URL, json={"control_image_base64": _image(), **body}, headers=auth)
    assert response.status_code == 200, response.json
    assert response.json["provider"] == "sandbox"
    assert decoded(response.json["image_base64"]).size == size


@pytest.mark.parametrize("body, detail", [
    ({"operation": "sketch"}, "Prompt is required for sketch to image"),
    ({"operation": "structure", "prompt": " "}, "Prompt is required for structure control"),
    ({"operation": "style"}, "Prompt is required for style control"),
    ({"operation": "style_transfer", "prompt": "x"}, "Style image is required for style transfer"),
    ({"operation": "style_transfer", "prompt": "x", "style_image_base64": "!!"},
     "Invalid base64 image payload"),
    ({"operation": "doodle", "prompt": "x"}, "Unsupported control operation: doodle"),
    ({"operation": "sketch", "prompt": "x", "control_image_base64": None},
     "Control image payload is required"),
    ({"operation": "sketch", "prompt": "x", "control_image_base64": "###"}, "Invalid base64 image payload"),
    ({"operation": "sketch", "prompt": "x", "control_strength": 1.5},
     f"Invalid value for \'control_strength\': {RANGE}"),
    ({"operation": "style", "prompt": "x", "fidelity": -0.1},
     f"Invalid value for \'fidelity\': {RANGE}"),
    ({"operation": "style_transfer", "prompt": "x", "style_image_base64": _image(), "style_strength": 2},
     f"Invalid value for \'style_strength\': {RANGE}"),
    ({"operation": "style_transfer", "prompt": "x", "style_image_base64": _image(),
      "composition_fidelity": 1.01},
     f"Invalid value for \'composition_fidelity\': {RANGE}"),
    ({"operation": "style_transfer", "prompt": "x", "style_image_base64": _image(), "change_strength": -1},
     f"Invalid value for \'change_strength\': {RANGE}"),
    ({"operation": "style", "prompt": "x", "aspect_ratio": "wide"},
     "Invalid aspect_ratio: wide (use a:b between 1:10 and 10:1, e.g. 16:9)"),
    ({"operation": "style", "prompt": "x", "aspect_ratio": "1:0"},
     "Invalid aspect_ratio: 1:0 (use a:b between 1:10 and 10:1, e.g. 16:9)"),
])
def test_validation_sentences(client, auth, body, detail):
    response = client.post(URL, json={"control_image_base64": _image(), **body}, headers=auth)
    assert (response.status_code, response.json["detail"]) == (400, detail)


@pytest.mark.parametrize("prompt", [None, "", "   "])
def test_style_transfer_needs_a_prompt_like_every_control_operation(client, auth, prompt):
    """The API reference marks `prompt` Required for every operation (Stability would take "")."""
    body = {"control_image_base64": _image(), "operation": "style_transfer",
            "style_image_base64": _image(), "prompt": prompt}
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 400
    assert response.json["detail"] == "Prompt is required for style transfer"
    assert response.json["errors"] == {"prompt": ["Prompt is required for style transfer"]}


def test_aspect_limit_at_stability(provider_client, auth, fake_stability):
    body = {"control_image_base64": _image(64, 200), "operation": "sketch", "prompt": "x"}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 400
    assert response.json["detail"] == ("Stability AI accepts aspect ratios from 1:2.5 to 2.5:1 for "
                                       "sketch; this image is 64x200")


def test_provider_failure_is_a_500_without_the_key(provider_client, auth, fake_stability):
    fake_stability.fail(times=10, status=500, message="An unexpected server error has occurred")
    body = {"control_image_base64": _image(), "operation": "sketch", "prompt": "x"}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 500
    assert response.json["detail"] == "Image control failed: An unexpected server error has occurred"
    assert KEYS["stability"] not in response.get_data(as_text=True)


def test_refusal_is_a_400(provider_client, auth, fake_stability):
    fake_stability.moderate()
    body = {"control_image_base64": _image(), "operation": "style", "prompt": "x"}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 400 and "content moderation" in response.json["detail"]


def test_operations_metadata(client, auth):
    response = client.get("/api/image-studio/control/operations", headers=auth)
    assert response.status_code == 200
    operations = response.json["operations"]
    assert set(operations) == {"sketch", "structure", "style", "style_transfer"}
    for info in operations.values():
        assert set(info) == {"label", "description", "provider", "fields"}
        assert set(info["fields"]) == {"control_image", "style_image", "control_strength", "fidelity",
                                       "style_strength", "aspect_ratio"}
    assert {k for k, v in operations["style_transfer"]["fields"].items() if v} == {
        "control_image", "style_image", "style_strength"}
    assert operations["sketch"]["label"] == "Sketch to Image"
