"""Brand kits on social renditions: a persona's logo (and headline and call to action, in its
colours) on every rendition, inside that format's safe zone — asserted on the pixels."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from app.imaging.overlay import safe_box
from tests.delivery_helpers import upload
from tests.photos import photograph
from tests.studio_helpers import decoded

API = "/api/image-studio"
MAGENTA = (255, 0, 255)


def logo() -> Image.Image:
    """A magenta 2:1 mark on a transparent margin (the margin must not count as logo)."""
    image = Image.new("RGBA", (240, 130), (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (200, 100), MAGENTA + (255,)), (20, 15))
    return image


def box_of(image: Image.Image, colour, tolerance=40):
    pixels = np.asarray(image.convert("RGB")).astype(int)
    near = (np.abs(pixels - np.array(colour)).sum(-1) < tolerance)
    rows, cols = np.nonzero(near)
    if not len(rows):
        return None
    return cols.min(), rows.min(), cols.max() + 1, rows.max() + 1


@pytest.fixture
def persona(client, auth):
    response = client.post(f"{API}/personas", json={"name": "Acme", "color_palette": ["#ffcc00", "#112233"],
                                                     "logo_base64": upload(logo())}, headers=auth)
    assert response.status_code == 201, response.json
    return response.json


def optimize(client, auth, **body):
    response = client.post(f"{API}/social/optimize", json={
        "image_base64": upload(photograph("coffee")), "platforms": ["instagram", "twitter", "linkedin"],
        "all_formats": True, **body}, headers=auth)
    assert response.status_code == 200, response.json
    return response.json["results"]


def test_a_persona_keeps_its_logo_as_an_asset(client, auth, persona):
    assert persona["logo_asset_id"] and persona["logo_url"] == f"{API}/assets/{persona['logo_asset_id']}"
    stored = Image.open(io.BytesIO(client.get(persona["logo_url"], headers=auth).data))
    assert stored.size == (240, 130) and stored.mode == "RGBA"
    again = client.get(f"{API}/personas/{persona['id']}", headers=auth).json
    assert again["logo_asset_id"] == persona["logo_asset_id"] and "logo_base64" not in again
    removed = client.put(f"{API}/personas/{persona['id']}", json={"logo_asset_id": None}, headers=auth).json
    assert removed["logo_asset_id"] is None and removed["logo_url"] is None
    back = client.put(f"{API}/personas/{persona['id']}", json={"logo_asset_id": persona["logo_asset_id"]},
                      headers=auth).json
    assert back["logo_asset_id"] == persona["logo_asset_id"]


@pytest.mark.parametrize("position", ["bottom-right", "top-left", "top-right", "bottom-left"])
def test_the_logo_sits_in_its_corner_inside_every_safe_zone(client, auth, persona, position):
    results = optimize(client, auth, brand_overlay={"persona_id": persona["id"], "position": position})
    assert len(results) >= 8
    for result in results:
        image = decoded(result["image_base64"])
        left, top, right, bottom = safe_box(image.width, image.height, result["safe_zone"])
        found = box_of(image, MAGENTA)
        assert found is not None, result["format"]
        x0, y0, x1, y1 = found
        assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, (result["platform"], result["format"])
        margin = round(0.03 * min(image.size)) + 2 + round(20 / 240 * (x1 - x0) * 1.2)   # + the logo's own margin
        vertical, horizontal = position.split("-")
        assert (x0 - left if horizontal == "left" else right - x1) <= margin, result["format"]
        assert (y0 - top if vertical == "top" else bottom - y1) <= margin * 2, result["format"]


def test_size_is_the_logo_width_over_the_image_width(client, auth, persona):
    (result,) = [r for r in optimize(client, auth, brand_overlay={"persona_id": persona["id"], "size": 0.3})
                 if (r["width"], r["height"]) == (1080, 1080)][:1]
    x0, _, x1, _ = box_of(decoded(result["image_base64"]), MAGENTA)
    assert abs((x1 - x0) - 0.3 * 1080 * 200 / 240) < 6        # the mark is 200 of the logo's 240 px


def test_headline_and_cta_are_drawn_in_the_brand_colours_inside_the_safe_zone(client, auth, persona):
    results = optimize(client, auth, brand_overlay={"persona_id": persona["id"], "headline": "Summer sale",
                                                    "cta": "Shop now"})
    for result in results:
        image = decoded(result["image_base64"])
        left, top, right, bottom = safe_box(image.width, image.height, result["safe_zone"])
        ink = box_of(image, (0xff, 0xcc, 0x00), tolerance=60)
        assert ink is not None, result["format"]
        assert left <= ink[0] and ink[2] <= right and top <= ink[1] and ink[3] <= bottom, result["format"]


def test_the_zip_carries_the_overlay_too(client, auth, persona):
    archive = client.post(f"{API}/social/optimize.zip", json={
        "image_base64": upload(photograph("coffee")), "platforms": ["instagram"],
        "brand_overlay": {"persona_id": persona["id"]}}, headers=auth)
    with zipfile.ZipFile(io.BytesIO(archive.data)) as entries:
        (name,) = entries.namelist()
        assert box_of(Image.open(io.BytesIO(entries.read(name))), MAGENTA) is not None


def test_another_users_persona_or_nothing_to_draw_is_refused(client, auth, persona, make_user, token_for):
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    body = {"image_base64": upload(photograph("coffee")), "platforms": ["instagram"],
            "brand_overlay": {"persona_id": persona["id"]}}
    response = client.post(f"{API}/social/optimize", json=body, headers=other)
    assert (response.status_code, response.json) == (404, {"detail": "Persona not found"})
    bare = client.post(f"{API}/personas", json={"name": "Plain"}, headers=auth).json
    refused = client.post(f"{API}/social/optimize", json={**body, "brand_overlay": {"persona_id": bare["id"]}},
                          headers=auth)
    assert refused.status_code == 400 and "brand_overlay" in refused.json["errors"]
    assert refused.json["detail"] == "Persona Plain has no logo: add one, or give a headline or cta"
    bad = client.post(f"{API}/social/optimize", json={**body, "brand_overlay": {"persona_id": persona["id"],
                                                                                "size": 0.9}}, headers=auth)
    assert bad.status_code == 400 and "brand_overlay" in bad.json["errors"]
