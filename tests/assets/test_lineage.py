"""What the Library knows of each asset: the prompt behind it, the platform and format, the
asset it was made from and a readable file name; prompt search; identical bytes kept once."""
from __future__ import annotations

import base64

import pytest

from tests.delivery_helpers import upload
from tests.photos import photograph

pytestmark = pytest.mark.database
API = "/api/image-studio"


def listed(client, auth, query=""):
    return {a["id"]: a for a in client.get(f"{API}/assets{query}", headers=auth).json["assets"]}


def test_a_creation_and_its_renditions_carry_their_lineage(client, auth):
    created = client.post(f"{API}/create", json={"prompt": "Iced latte on a sunny terrace",
                                                 "template_id": "linkedin_post"}, headers=auth).json
    (image,) = created["results"]
    assert image["file_name"] == "linkedin-post_iced-latte-on-a_1.png"
    social = client.post(f"{API}/social/optimize", json={"image_asset_id": image["asset_id"],
                                                         "platforms": ["instagram"]}, headers=auth).json
    (rendition,) = social["results"]
    assets = listed(client, auth)
    made = assets[image["asset_id"]]
    assert (made["studio"], made["operation"]) == ("create", "generate")
    assert made["prompt"] == "Iced latte on a sunny terrace"
    assert made["provider"] == "sandbox" and made["parent_asset_id"] is None
    assert made["filename"] == made["file_name"] == "linkedin-post_iced-latte-on-a_1.png"
    child = assets[rendition["asset_id"]]
    assert (child["platform"], child["format"]) == ("instagram", "Feed Post (Square)")
    assert child["parent_asset_id"] == image["asset_id"]
    assert child["prompt"] == "Iced latte on a sunny terrace"          # the parent's
    assert child["filename"] == "instagram-feed-post-square_iced-latte-on-a_1.png"   # its variation
    download = client.get(rendition["url"], headers=auth)
    assert download.headers["Content-Disposition"] == (
        'inline; filename="instagram-feed-post-square_iced-latte-on-a_1.png"')


def test_renditions_of_two_variations_download_under_two_names(client, auth):
    """A campaign's Instagram renditions of variations 1 and 2 both downloaded as
    `instagram-feed-post-square_summer-sale-banner-bright.png`."""
    created = client.post(f"{API}/create", json={"prompt": "Summer sale banner, bright", "num_variations": 2,
                                                 "width": 320, "height": 320}, headers=auth).json
    names = []
    for image in created["results"]:
        social = client.post(f"{API}/social/optimize", json={"image_asset_id": image["asset_id"],
                                                             "platforms": ["instagram"]}, headers=auth).json
        names.append(social["results"][0]["file_name"])
    assert names == ["instagram-feed-post-square_summer-sale-banner-bright_1.png",
                     "instagram-feed-post-square_summer-sale-banner-bright_2.png"]


def test_the_library_searches_prompts_case_insensitively(client, auth):
    for prompt in ("A red kite over the dunes", "Iced LATTE, 50% off", "A blue boat"):
        client.post(f"{API}/create", json={"prompt": prompt, "width": 64 + len(prompt), "height": 64}, headers=auth)
    assert sorted(a["prompt"] for a in listed(client, auth, "?q=latte").values()) == ["Iced LATTE, 50% off"]
    assert [a["prompt"] for a in listed(client, auth, "?q=50%25").values()] == ["Iced LATTE, 50% off"]
    assert listed(client, auth, "?q=%25") == listed(client, auth, "?q=50%25")   # % is a character, not a wildcard
    assert len(listed(client, auth, "?q=a")) == 3


def test_identical_results_are_stored_once(client, auth):
    body = {"image_base64": upload(photograph("coffee")), "format": "webp", "quality": 70}
    first = client.post(f"{API}/compress", json=body, headers=auth).json
    again = client.post(f"{API}/compress", json=body, headers=auth).json
    assert first["asset_id"] == again["asset_id"] and first["url"] == again["url"]
    assert client.get(f"{API}/assets", headers=auth).json["total"] == 1
    other = client.post(f"{API}/compress", json={**body, "quality": 71}, headers=auth).json
    assert other["asset_id"] != first["asset_id"]
    assert base64.b64decode(first["image_base64"].split(",", 1)[1]) == client.get(first["url"], headers=auth).data


def test_another_users_identical_result_is_their_own(client, auth, make_user, token_for):
    body = {"image_base64": upload(photograph("coffee")), "target_format": "png"}
    mine = client.post(f"{API}/convert-format", json=body, headers=auth).json
    make_user("second@example.com")
    theirs = client.post(f"{API}/convert-format", json=body,
                         headers={"Authorization": f"Bearer {token_for('second@example.com')}"}).json
    assert mine["asset_id"] != theirs["asset_id"]
