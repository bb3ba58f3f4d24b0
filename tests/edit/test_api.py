"""Edit Studio API: the wire at Stability, validation sentences, sizes, failures, metadata."""
import base64
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.fakes.fixtures import KEYS
from tests.studio_helpers import b64, decoded, file_image, photo

URL = "/api/image-studio/edit/process"
EDIT = "/v2beta/stable-image/edit/"


def _image(width=96, height=64):
    return b64(photo(width, height))


def _mask(width=48, height=32):
    """Strokes on a transparent layer, smaller than the image (the service must resize it)."""
    mask = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(mask).rectangle((0, 0, width // 2 - 1, height - 1), fill=(255, 255, 255, 255))
    return b64(mask, data_url=True)


@pytest.mark.parametrize("body, path, form, files", [
    ({"operation": "remove_background"}, "remove-background", {"output_format": "png"}, {"image"}),
    ({"operation": "inpaint", "prompt": "a red hat", "negative_prompt": "blur", "mask_base64": _mask(),
      "style_preset": "photographic", "options": {"grow_mask": 0}},
     "inpaint", {"prompt": "a red hat", "negative_prompt": "blur", "grow_mask": "0",
                 "style_preset": "photographic"}, {"image", "mask"}),
    ({"operation": "inpaint", "prompt": "a red hat"}, "inpaint", {"grow_mask": "5"}, {"image"}),
    ({"operation": "outpaint", "expand_left": 32, "expand_up": 16, "prompt": "sky",
      "options": {"creativity": 0.0}},
     "outpaint", {"left": "32", "right": "0", "up": "16", "down": "0", "prompt": "sky",
                  "creativity": "0.0"}, {"image"}),
    ({"operation": "search_replace", "prompt": "a cat", "search_prompt": "dog", "mask_base64": _mask()},
     "search-and-replace", {"prompt": "a cat", "search_prompt": "dog"}, {"image"}),  # no mask part
    ({"operation": "search_recolor", "prompt": "bright red", "select_prompt": "car"},
     "search-and-recolor", {"prompt": "bright red", "select_prompt": "car"}, {"image"}),
    ({"operation": "erase", "mask_base64": _mask(), "options": {"grow_mask": 3}, "seed": 0},
     "erase", {"grow_mask": "3", "seed": "0"}, {"image", "mask"}),
])
def test_each_operation_calls_its_stability_endpoint(provider_client, auth, fake_stability,
                                                     body, path, form, files):
    response = provider_client.post(URL, json={"image_base64": _image(), **body}, headers=auth)
    assert response.status_code == 200, response.json
    call = fake_stability.requests[-1]
    assert call.path == EDIT + path
    assert call.header("Authorization") == f"Bearer {KEYS['stability']}"
    assert form.items() <= call.form.items()
    assert set(call.files) == files
    result = response.json
    assert result["success"] is True and result["operation"] == body["operation"]
    assert result["provider"] == "stability" and result["metadata"]["provider"] == "stability"
    assert result["image_base64"].startswith("data:image/png;base64,")
    assert result["asset_id"] and result["url"].endswith(result["asset_id"])
    assert result["metadata"]["operation"] == body["operation"]
    assert result["metadata"]["cost"] == (4 if path == "outpaint" else 5)
    expected = (96 + 32, 64 + 16) if path == "outpaint" else (96, 64)
    assert decoded(result["image_base64"]).size == expected == (result["width"], result["height"])


def test_relight_is_submitted_then_polled_and_keeps_the_input_size(provider_client, auth, fake_stability):
    fake_stability.async_pending = 2
    body = {"image_base64": _image(), "operation": "relight",
            "background_image_base64": _image(80, 80), "lighting_image_base64": _image(70, 70),
            "options": {"light_source_direction": "above", "light_source_strength": 0.0}}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.json
    paths = fake_stability.paths()
    assert paths[0] == EDIT + "replace-background-and-relight"
    assert paths[1:] == [paths[1]] * 3 and paths[1].startswith("/v2beta/results/")
    submit = fake_stability.requests[0]
    assert set(submit.files) == {"subject_image", "background_reference", "light_reference"}
    assert submit.form["light_source_direction"] == "above" and submit.form["light_source_strength"] == "0.0"
    # The fake answers 256x256; the user gets their image's size back.
    assert decoded(response.json["image_base64"]).size == (96, 64)


def test_mask_is_sent_as_grayscale_at_the_image_size(provider_client, auth, fake_stability):
    body = {"image_base64": _image(), "operation": "inpaint", "prompt": "x", "mask_base64": _mask()}
    assert provider_client.post(URL, json=body, headers=auth).status_code == 200
    mask = file_image(fake_stability.requests[-1].files["mask"])
    assert mask.mode == "L" and mask.size == (96, 64)
    assert mask.getpixel((5, 30)) == 255 and mask.getpixel((90, 30)) == 0


def test_general_edit_goes_where_it_is_served_and_keeps_the_input_size(provider_client, auth,
                                                                       fake_wavespeed, fake_huggingface):
    body = {"image_base64": _image(), "operation": "general_edit", "prompt": "make it snowy", "seed": 7}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.json
    sent = next(r for r in fake_wavespeed.requests if r.method == "POST").json
    assert sent["prompt"] == "make it snowy" and sent["seed"] == 7
    assert response.json["provider"] == "wavespeed"
    assert fake_huggingface.requests == []  # hf-inference serves no image-to-image
    assert decoded(response.json["image_base64"]).size == (96, 64)


@pytest.mark.parametrize("body, status, detail", [
    ({"operation": "inpaint"}, 400, "Prompt is required for inpainting"),
    ({"operation": "inpaint", "prompt": "  "}, 400, "Prompt is required for inpainting"),
    ({"operation": "search_replace", "prompt": "cat"}, 400,
     "Both prompt and search_prompt are required for search & replace"),
    ({"operation": "search_recolor", "select_prompt": "car"}, 400,
     "Both prompt and select_prompt are required for search & recolor"),
    ({"operation": "relight"}, 400,
     "At least one reference (background or lighting) is required for relight"),
    ({"operation": "general_edit"}, 400, "Prompt is required for general edits"),
    ({"operation": "inpaint", "prompt": "x", "image_base64": None}, 400, "Primary image payload is required"),
    ({"operation": "inpaint", "prompt": "x", "image_base64": "not-an-image!!"}, 400,
     "Invalid base64 image payload"),
    ({"operation": "inpaint", "prompt": "x", "mask_base64": "bm90IGFuIGltYWdl"}, 400,
     "Invalid base64 image payload"),
    ({"operation": "relight", "background_image_base64": "%%%"}, 400, "Invalid base64 image payload"),
    ({"operation": "sharpen"}, 400, "Unsupported edit operation: sharpen"),
    ({"operation": "outpaint"}, 400, "Outpaint needs at least one of expand_left, expand_right, "
                                     "expand_up or expand_down above 0 (each at most 2000 pixels)"),
    ({"operation": "outpaint", "expand_up": 2001}, 400,
     "Invalid value for 'expand_up': Must be between 0 and 2000 pixels."),
    ({"operation": "outpaint", "expand_left": -1}, 400,
     "Invalid value for 'expand_left': Must be between 0 and 2000 pixels."),
    ({"operation": "relight", "lighting_image_base64": _image()}, 400,
     "Relight needs a background: send background_image_base64 or a prompt describing the background"),
    ({"operation": "inpaint", "prompt": "x", "options": {"grow_mask": 101}}, 400,
     "options.grow_mask must be between 0 and 100"),
    ({"operation": "erase", "options": {"grow_mask": 21}}, 400, "options.grow_mask must be between 0 and 20"),
    ({"operation": "inpaint", "prompt": "x", "mask_base64": b64(Image.new("L", (8, 8), 0))}, 400,
     "The mask is empty: paint (in white) the area to change"),
    ({"operation": "remove_background", "style_preset": "watercolour"}, 400,
     "Unknown style preset: watercolour (choose one of enhance, anime, photographic, digital-art, "
     "comic-book, fantasy-art, line-art, analog-film, neon-punk, isometric, low-poly, origami, "
     "modeling-compound, cinematic, 3d-model, pixel-art, tile-texture)"),
    ({"operation": "remove_background", "output_format": "gif"}, 400,
     "Unsupported output format: gif (choose png, jpeg or webp)"),
    ({"operation": "remove_background", "provider": "stability"}, 503,
     "Provider 'stability' is not configured"),
])
def test_validation_sentences(client, auth, body, status, detail):
    response = client.post(URL, json={"image_base64": _image(), **body}, headers=auth)
    assert (response.status_code, response.json["detail"]) == (status, detail)


def test_operation_is_required(client, auth):
    response = client.post(URL, json={"image_base64": _image()}, headers=auth)
    assert response.status_code == 400
    assert response.json["detail"] == "Invalid value for 'operation': Missing data for required field."


@pytest.mark.parametrize("operation, extra", [
    ("outpaint", {"expand_right": 10}), ("search_replace", {"prompt": "a", "search_prompt": "b"}),
])
def test_stability_aspect_limit_is_a_400_naming_it(provider_client, auth, fake_stability, operation, extra):
    response = provider_client.post(URL, json={"image_base64": _image(300, 100), "operation": operation,
                                               **extra}, headers=auth)
    assert response.status_code == 400
    assert response.json["detail"] == (f"Stability AI accepts aspect ratios from 1:2.5 to 2.5:1 for "
                                       f"{operation}; this image is 300x100")
    assert fake_stability.requests == []


def test_outpaint_past_the_pixel_limit_is_refused(make_app, auth, user):
    client = make_app(MAX_IMAGE_PIXELS=20_000).test_client()
    body = {"image_base64": _image(), "operation": "outpaint", "expand_right": 300}
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 400
    assert response.json["detail"] == ("Outpaint result 396x64 is 25,344 pixels, "
                                       "more than the 20,000 pixel limit")


def test_sandbox_outpaint_grows_by_the_expansion(client, auth):
    body = {"image_base64": _image(), "operation": "outpaint", "expand_left": 10, "expand_right": 20,
            "expand_down": 6, "output_format": "jpeg"}
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == 200
    assert response.json["provider"] == "sandbox" and response.json["metadata"]["cost"] == 0
    assert response.json["image_base64"].startswith("data:image/jpeg;base64,")
    assert decoded(response.json["image_base64"]).size == (126, 70)
    asset = client.get(response.json["url"], headers=auth)
    assert asset.status_code == 200 and asset.mimetype == "image/jpeg"


def test_provider_failure_is_a_500_without_the_key(provider_client, auth, fake_stability):
    fake_stability.fail(times=10, status=500, message="An unexpected server error has occurred")
    body = {"image_base64": _image(), "operation": "remove_background", "provider": "stability"}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 500
    assert response.json["detail"] == "Image edit failed: An unexpected server error has occurred"
    assert KEYS["stability"] not in response.get_data(as_text=True)


def test_moderation_refusal_is_a_400(provider_client, auth, fake_stability):
    fake_stability.moderate()
    body = {"image_base64": _image(), "operation": "inpaint", "prompt": "x"}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 400
    assert "content moderation" in response.json["detail"]


def test_operations_metadata(client, auth):
    response = client.get("/api/image-studio/edit/operations", headers=auth)
    assert response.status_code == 200
    operations = response.json["operations"]
    assert set(operations) == {"remove_background", "inpaint", "outpaint", "search_replace",
                               "search_recolor", "relight", "general_edit", "erase"}
    keys = {"prompt", "mask", "negative_prompt", "search_prompt", "select_prompt", "background",
            "lighting", "expansion"}
    for info in operations.values():
        assert set(info) == {"label", "description", "provider", "async", "fields"}
        assert set(info["fields"]) == keys
    assert operations["inpaint"]["label"] == "Inpaint & Fix"
    def used(name):
        return {key for key, value in operations[name]["fields"].items() if value}
    assert used("inpaint") == {"prompt", "mask", "negative_prompt"} and used("erase") == {"mask"}
    assert operations["relight"]["async"] is True and operations["outpaint"]["async"] is False
    assert operations["general_edit"]["provider"] == "huggingface"


def test_edit_needs_a_token(client):
    response = client.post(URL, json={"operation": "inpaint"})
    assert response.status_code == 401


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF"])
def test_an_upload_reaches_the_provider_in_a_format_it_reads(provider_client, auth, fake_stability, fmt):
    upload = io.BytesIO()
    photo(96, 64).save(upload, fmt)
    data = upload.getvalue()
    body = {"operation": "remove_background", "image_base64": base64.b64encode(data).decode()}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.json
    sent = fake_stability.requests[-1].files["image"]
    if fmt in ("JPEG", "PNG", "WEBP"):   # Stability's "Supported Formats": sent as they came
        assert sent == data
        return
    image = file_image(sent)
    assert (image.format, image.size) == ("PNG", (96, 64))
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    assert np.abs(pixels - np.asarray(file_image(data).convert("RGB"), dtype=int)).max() <= 1


def test_a_gif_reaches_gemini_as_a_png_labelled_so(provider_client, auth, fake_gemini):
    body = {"operation": "general_edit", "provider": "gemini", "prompt": "make it snowy",
            "image_base64": b64(photo(96, 64), "GIF")}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.json
    (part,) = [part["inlineData"] for part in fake_gemini.requests[-1].json["contents"][0]["parts"]
               if "inlineData" in part]
    assert part["mimeType"] == "image/png"
    assert file_image(base64.b64decode(part["data"])).format == "PNG"


@pytest.mark.parametrize("model, credits", [(None, 7), ("gemini-3.1-flash-image", 7),
                                            ("gemini-3-pro-image", 14)])
def test_a_gemini_edit_costs_and_is_charged_its_models_price(provider_client, auth, fake_gemini,
                                                             model, credits):
    """catalog.md's Cost table: gemini-3.1-flash-image (and edits) 7, gemini-3-pro-image 14."""
    before = provider_client.get("/api/image-studio/usage", headers=auth).json["spent"]
    body = {"operation": "general_edit", "provider": "gemini", "prompt": "make it snowy",
            "image_base64": b64(photo(96, 64)), **({"model": model} if model else {})}
    response = provider_client.post(URL, json=body, headers=auth)
    assert response.status_code == 200, response.json
    assert response.json["metadata"]["cost"] == credits
    after = provider_client.get("/api/image-studio/usage", headers=auth).json["spent"]
    assert after - before == credits
