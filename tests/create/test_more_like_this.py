""""More like this" from the Library: Create opens with a stored image's settings, seed cleared."""
import json
import re

from app.assets.models import Asset
from app.extensions import db

API = "/api/image-studio"


def _settings_on(html: str) -> dict | None:
    found = re.search(r'<script type="application/json" id="create-like">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def _create(client, auth, **fields) -> dict:
    response = client.post(f"{API}/create", headers=auth, json={"prompt": "Iced latte on a terrace", **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_image_keeps_the_settings_it_was_asked_with_and_create_reopens_with_them(signed_in, auth):
    made = _create(signed_in, auth, template_id="linkedin_post", style_preset="cinematic", quality="draft",
                   num_variations=2, seed=41, negative_prompt="text", enhance_prompt=False)
    asset_id = made["results"][1]["asset_id"]
    response = signed_in.get(f"/create?like={asset_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    settings = _settings_on(html)
    assert settings == {"prompt": "Iced latte on a terrace", "template_id": "linkedin_post", "provider": "auto",
                        "model": None, "width": None, "height": None, "aspect_ratio": None,
                        "style_preset": "cinematic", "quality": "draft", "negative_prompt": "text",
                        "guidance_scale": None, "steps": None, "num_variations": 2, "enhance_prompt": False,
                        "use_persona": False, "persona_id": None, "output_format": "png"}
    assert "seed" not in settings
    assert re.search(r'<input type="radio" name="template_id" value="linkedin_post"[^>]*checked', html)
    notice = re.search(r'<p class="alert info" id="like-notice">(.*?)</p>', html, re.S).group(1)
    assert f'href="/library/{asset_id}"' in notice and "new seed" in notice


def test_an_image_from_before_settings_were_kept_gives_its_prompt_and_template_or_size(app, signed_in, auth):
    sized = _create(signed_in, auth, width=640, height=360)["results"][0]["asset_id"]
    templated = _create(signed_in, auth, template_id="linkedin_post", seed=3)["results"][0]["asset_id"]
    with app.app_context():
        for asset_id in (sized, templated):
            asset = db.session.get(Asset, asset_id)
            asset.details = {key: value for key, value in asset.details.items() if key != "settings"}
        db.session.commit()
    settings = _settings_on(signed_in.get(f"/create?like={sized}").get_data(as_text=True))
    assert settings == {"prompt": "Iced latte on a terrace", "width": 640, "height": 360}
    html = signed_in.get(f"/create?like={templated}").get_data(as_text=True)
    assert _settings_on(html) == {"prompt": "Iced latte on a terrace", "template_id": "linkedin_post"}
    assert re.search(r'<input type="radio" name="template_id" value="linkedin_post"[^>]*checked', html)


def test_another_users_image_is_not_found_and_fills_nothing(signed_in, make_user, token_for):
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    asset_id = _create(signed_in, other)["results"][0]["asset_id"]
    response = signed_in.get(f"/create?like={asset_id}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Asset not found" in html and _settings_on(html) is None and "Iced latte" not in html


def test_an_image_not_made_in_create_says_so(signed_in, auth, png_payload):
    social = signed_in.post(f"{API}/social/optimize", headers=auth,
                            json={"image_base64": png_payload(400, 300), "platforms": ["instagram"]})
    asset_id = social.get_json()["results"][0]["asset_id"]
    html = signed_in.get(f"/create?like={asset_id}").get_data(as_text=True)
    assert "More like this starts from an image made in Create; this one was made in Social" in html
    assert _settings_on(html) is None


def test_library_cards_and_the_detail_page_offer_more_like_this_for_create_images_only(signed_in, auth,
                                                                                        png_payload):
    created = _create(signed_in, auth)["results"][0]["asset_id"]
    social = signed_in.post(f"{API}/social/optimize", headers=auth,
                            json={"image_base64": png_payload(400, 300), "platforms": ["instagram"]})
    rendition = social.get_json()["results"][0]["asset_id"]
    library = signed_in.get("/library").get_data(as_text=True)
    links = re.findall(r'class="button more-like-this" href="/create\?like=([0-9a-f]+)"', library)
    assert links == [created]
    assert f"/create?like={created}" in signed_in.get(f"/library/{created}").get_data(as_text=True)
    assert "more-like-this" not in signed_in.get(f"/library/{rendition}").get_data(as_text=True)
