"""Upscale Studio API: modes at the wire, auto, presets and exact targets, local fast, errors."""
import pytest

from tests.fakes.fixtures import KEYS
from tests.studio_helpers import b64, decoded, photo

URL = "/api/image-studio/upscale"
UPSCALE = "/v2beta/stable-image/upscale/"


def _image(width=128, height=64):
    return b64(photo(width, height))


def _size(response):
    size = decoded(response.json["image_base64"]).size
    assert size == (response.json["width"], response.json["height"])
    return size


def test_fast_at_stability_is_four_times(provider_client, auth, fake_stability):
    response = provider_client.post(URL, json={"image_base64": _image(), "mode": "fast"}, headers=auth)
    assert response.status_code == 200, response.json
    call = fake_stability.requests[-1]
    assert call.path == UPSCALE + "fast" and set(call.files) == {"image"}
    assert call.form == {"output_format": "png"}
    body = response.json
    assert (body["mode"], body["provider"]) == ("fast", "stability")
    assert "requested_mode" not in body["metadata"]
    assert _size(response) == (512, 256)
    assert body["metadata"]["upscale_factor"] == 4.0 and body["metadata"]["cost"] == 2
    assert (body["metadata"]["original_width"], body["metadata"]["original_height"]) == (128, 64)


def test_conservative_sends_prompt_and_creativity_and_meets_the_print_preset(provider_client, auth,
                                                                              fake_stability):
    body = {"image_base64": _image(300, 200), "mode": "conservative", "preset": "print",
            "prompt": "crisp product photo", "creativity": 0.2, "seed": 0}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.json
    call = fake_stability.requests[-1]
    assert call.path == UPSCALE + "conservative"
    assert {"prompt": "crisp product photo", "creativity": "0.2", "seed": "0"}.items() <= call.form.items()
    assert _size(response) == (3072, 2048)
    assert response.json["metadata"]["preset"] == "print"


def test_creative_is_polled_and_honours_one_target_side(provider_client, auth, fake_stability):
    fake_stability.async_pending = 2
    body = {"image_base64": _image(), "mode": "creative", "target_width": 500, "style_preset": "anime"}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.json
    paths = fake_stability.paths()
    assert paths[0] == UPSCALE + "creative" and len(paths) == 4
    assert all(p.startswith("/v2beta/results/") for p in paths[1:])
    submit = fake_stability.requests[0]
    assert submit.form["prompt"] and submit.form["style_preset"] == "anime"
    assert _size(response) == (500, 250)


@pytest.mark.parametrize("body, path", [
    ({}, "fast"), ({"target_width": 2999}, "fast"), ({"preset": "print"}, "conservative"),
    ({"target_height": 1500}, "conservative"),
])
def test_auto_picks_conservative_for_a_side_of_3000_or_more(provider_client, auth, fake_stability,
                                                            body, path):
    response = provider_client.post(URL, json={"image_base64": _image(), **body}, headers=auth)
    assert response.status_code == 200, response.json
    assert fake_stability.requests[-1].path == UPSCALE + path
    assert response.json["mode"] == path and response.json["metadata"]["requested_mode"] == "auto"


def test_fast_runs_locally_without_stability(client, auth):
    response = client.post(URL, json={"image_base64": _image(), "mode": "auto"}, headers=auth)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["mode"], body["provider"], body["model"]) == ("fast", "local", None)
    assert body["metadata"]["cost"] == 0 and body["metadata"]["requested_mode"] == "auto"
    assert _size(response) == (512, 256)
    assert client.get(body["url"], headers=auth).status_code == 200


def test_conservative_without_stability_runs_on_the_sandbox(client, auth):
    response = client.post(URL, json={"image_base64": _image(), "preset": "print"}, headers=auth)
    assert response.status_code == 200
    assert (response.json["mode"], response.json["provider"]) == ("conservative", "sandbox")
    assert _size(response) == (3072, 1536)


@pytest.mark.parametrize("body, size", [
    ({"preset": "web"}, (2048, 1024)), ({"preset": "social"}, (1080, 540)),
    ({"target_width": 333, "target_height": 111}, (333, 111)), ({"target_height": 75}, (150, 75)),
    ({"preset": "web", "target_width": 640}, (640, 320)),
])
def test_presets_and_targets_are_exact(client, auth, body, size):
    response = client.post(URL, json={"image_base64": _image(), "mode": "fast", **body}, headers=auth)
    assert response.status_code == 200, response.json
    assert _size(response) == size
    assert response.json["metadata"]["upscale_factor"] == round(size[0] / 128, 3)


@pytest.mark.parametrize("body, detail", [
    ({"mode": "turbo"}, "Unsupported upscale mode: turbo (choose fast, conservative, creative or auto)"),
    ({"preset": "huge"}, "Unknown preset: huge (valid presets: print, social, web)"),
    ({"target_width": 0}, "Invalid value for 'target_width': Must be between 1 and 8192 pixels."),
    ({"target_height": 9000}, "Invalid value for 'target_height': Must be between 1 and 8192 pixels."),
    ({"target_width": 8000}, "Requested output 8000x4000 is 32,000,000 pixels, more than the "
                             "1,000,000 pixel limit"),
    ({"image_base64": _image(10, 200), "target_width": 500},
     "Requested output 500x10000 has a side over the 8192 px limit"),
    ({"mode": "conservative", "creativity": 0.6},
     "creativity must be between 0.2 and 0.5 for conservative upscales"),
    ({"mode": "creative", "creativity": 0.05},
     "creativity must be between 0.1 and 0.5 for creative upscales"),
    ({"mode": "creative", "provider": "local"}, "Provider 'local' runs only fast upscales, not creative"),
    ({"image_base64": None}, "Primary image payload is required"),
    ({"image_base64": "data:image/png;base64,@@@"}, "Invalid base64 image payload"),
])
def test_validation_sentences(make_app, auth, body, detail):
    client = make_app(MAX_IMAGE_PIXELS=1_000_000).test_client()
    response = client.post(URL, json={"image_base64": _image(), **body}, headers=auth)
    assert (response.status_code, response.json["detail"]) == (400, detail)


def test_explicit_provider_that_is_not_configured_is_503(client, auth):
    response = client.post(URL, json={"image_base64": _image(), "provider": "stability"}, headers=auth)
    assert (response.status_code, response.json["detail"]) == (503, "Provider 'stability' is not configured")


def test_conservative_aspect_limit_at_stability(provider_client, auth, fake_stability):
    body = {"image_base64": _image(300, 100), "mode": "conservative"}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 400
    assert response.json["detail"] == ("Stability AI accepts aspect ratios from 1:2.5 to 2.5:1 for "
                                       "conservative; this image is 300x100")


def test_provider_failure_is_a_500_without_the_key(provider_client, auth, fake_stability):
    fake_stability.fail(times=10, status=500, message="An unexpected server error has occurred")
    response = provider_client.post(URL, json={"image_base64": _image(), "mode": "fast"}, headers=auth)
    assert response.status_code == 500
    assert response.json["detail"] == "Image upscale failed: An unexpected server error has occurred"
    assert KEYS["stability"] not in response.get_data(as_text=True)


def test_refusal_is_a_400(provider_client, auth, fake_stability):
    fake_stability.moderate()
    response = provider_client.post(URL, json={"image_base64": _image(), "mode": "conservative"},
                                    headers=auth)
    assert response.status_code == 400 and "content moderation" in response.json["detail"]


@pytest.mark.parametrize("mode, size, detail", [
    ("fast", (1, 4000), "Requested output 4x16000 has a side over the 8192 px limit"),
    ("conservative", (2, 2000), "Requested output 65x64763 has a side over the 8192 px limit"),
])
def test_without_a_target_the_natural_output_is_held_to_the_limits(client, auth, mode, size, detail):
    response = client.post(URL, json={"image_base64": b64(photo(*size)), "mode": mode}, headers=auth)
    assert (response.status_code, response.json["detail"]) == (400, detail)


@pytest.mark.parametrize("mode, size, made", [("fast", (4500, 4000), "at most 16,777,216 pixels"),
                                              ("conservative", (3000, 2000), "about 4,194,304 pixels")])
def test_without_a_target_an_upscale_never_comes_out_smaller_than_its_input(client, auth, mode, size, made):
    """A 9000×3000 photo "upscaled" with fast came back 7094×2365: the mode's natural output
    is bounded, and past it the user is told so instead of given a smaller picture."""
    response = client.post(URL, json={"image_base64": b64(photo(*size)), "mode": mode}, headers=auth)
    width, height = size
    assert (response.status_code, response.json["detail"]) == (400, (
        f"This image is already {width}x{height}: a {mode} upscale makes {made}, so it would come out "
        "smaller. Ask for a target size or a preset instead"))


def test_a_natural_output_a_little_larger_than_the_input_is_still_made(client, auth):
    response = client.post(URL, json={"image_base64": b64(photo(4000, 4000)), "mode": "fast"}, headers=auth)
    assert response.status_code == 200, response.json
    assert (response.json["metadata"]["width"], response.json["metadata"]["height"]) == (4096, 4096)
