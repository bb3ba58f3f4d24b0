"""A persona's font: listed by GET /fonts, validated, kept, sampled, and used by the Social
Optimizer's brand overlay (asserted on the pixels)."""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from app.imaging import fonts
from app.imaging.overlay import safe_box
from tests.delivery_helpers import upload
from tests.photos import photograph
from tests.studio_helpers import decoded

API = "/api/image-studio"
INK = (0xff, 0xcc, 0x00)


def a_system_font() -> str:
    found = [font.id for font in fonts.available() if font.path is not None]
    if not found:
        pytest.skip(f"no TrueType/OpenType font under {', '.join(fonts.SYSTEM_DIRS)}: "
                    "a second font is needed to compare with the default")
    return found[0]


def make_persona(client, auth, **fields):
    response = client.post(f"{API}/personas", json={"name": "Acme", "color_palette": ["#ffcc00", "#112233"],
                                                     **fields}, headers=auth)
    assert response.status_code == 201, response.json
    return response.json


def test_fonts_are_listed_for_signed_in_callers(client, auth):
    assert client.get(f"{API}/fonts").status_code == 401
    body = client.get(f"{API}/fonts", headers=auth).json
    assert body["fonts"][0] == {"id": "default", "name": "Aileron (built in)"}
    assert body["total"] == len(body["fonts"]) == len(fonts.available())
    assert [entry["id"] for entry in body["fonts"]] == [font.id for font in fonts.available()]
    assert all(set(entry) == {"id", "name"} for entry in body["fonts"])


def test_the_page_offers_every_font_and_the_palettes_limit(signed_in):
    html = signed_in.get("/create/personas").get_data(as_text=True)
    offered = re.findall(r'<option value="([^"]+)">', html.split('name="font"')[1].split("</select>")[0])
    assert offered == [font.id for font in fonts.available()]
    assert 'data-max-colours="12"' in html and 'id="font-sample"' in html


def test_a_personas_font_round_trips(client, auth):
    assert make_persona(client, auth)["font"] is None           # no font: the default
    chosen = fonts.available()[-1].id
    persona = make_persona(client, auth, font=chosen)
    url = f"{API}/personas/{persona['id']}"
    assert persona["font"] == chosen and client.get(url, headers=auth).json["font"] == chosen
    kept = client.put(url, json={"name": "Acme 2"}, headers=auth).json
    assert kept["font"] == chosen                               # left out: kept
    assert client.put(url, json={"font": "default"}, headers=auth).json["font"] == "default"
    assert client.put(url, json={"font": None}, headers=auth).json["font"] is None
    assert client.put(url, json={"font": ""}, headers=auth).json["font"] is None


@pytest.mark.parametrize("method", ["post", "put"])
def test_an_unknown_font_is_400_in_plain_words(client, auth, method):
    url = f"{API}/personas" if method == "post" else f"{API}/personas/{make_persona(client, auth)['id']}"
    response = getattr(client, method)(url, json={"name": "Acme", "font": "comic-sans"}, headers=auth)
    sentence = ("Unknown font comic-sans: choose one that GET /api/image-studio/fonts lists, "
                "or leave font out for the default.")
    assert (response.status_code, response.json) == (400, {"detail": sentence, "errors": {"font": [sentence]}})


def test_a_sample_is_the_text_drawn_in_the_font(client, auth):
    response = client.get(f"{API}/fonts/default/sample", query_string={"text": "Acme"}, headers=auth)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data == fonts.sample(fonts.DEFAULT, "Acme")
    unknown = client.get(f"{API}/fonts/comic-sans/sample", headers=auth)
    assert (unknown.status_code, unknown.json) == (404, {"detail": "Font not found"})
    too_long = client.get(f"{API}/fonts/default/sample", query_string={"text": "x" * 81}, headers=auth)
    assert too_long.status_code == 400 and "text" in too_long.json["errors"]
    assert client.get(f"{API}/fonts/default/sample").status_code == 401


def test_a_logo_and_font_come_back_together(client, auth):
    logo = Image.new("RGBA", (80, 40), (255, 0, 255, 255))
    persona = make_persona(client, auth, logo_base64=upload(logo), font=fonts.available()[-1].id)
    listed = client.get(f"{API}/personas", headers=auth).json["personas"][0]
    assert listed["logo_url"] == f"{API}/assets/{persona['logo_asset_id']}" and listed["font"] == persona["font"]
    stored = Image.open(io.BytesIO(client.get(listed["logo_url"], headers=auth).data))
    assert stored.size == (80, 40)


def renditions(client, auth, persona):
    response = client.post(f"{API}/social/optimize", json={
        "image_base64": upload(photograph("coffee")), "platforms": ["instagram", "twitter"], "all_formats": True,
        "brand_overlay": {"persona_id": persona["id"], "headline": "Summer sale", "cta": "Shop now"}},
        headers=auth)
    assert response.status_code == 200, response.json
    return response.json["results"]


def test_the_social_overlay_draws_the_headline_in_the_personas_font(client, auth):
    chosen = a_system_font()
    default = renditions(client, auth, make_persona(client, auth))
    in_font = renditions(client, auth, make_persona(client, auth, font=chosen))
    assert len(default) == len(in_font) >= 4
    for plain, branded in zip(default, in_font, strict=True):
        one, other = np.asarray(decoded(plain["image_base64"]).convert("RGB")), \
            np.asarray(decoded(branded["image_base64"]).convert("RGB"))
        assert one.shape == other.shape
        assert (np.abs(one.astype(int) - other).sum(-1) > 60).sum() > 200, branded["format"]
        left, top, right, bottom = safe_box(other.shape[1], other.shape[0], branded["safe_zone"])
        rows, cols = np.nonzero(np.abs(other.astype(int) - INK).sum(-1) < 60)
        assert len(rows), branded["format"]
        assert left <= cols.min() and cols.max() < right and top <= rows.min() and rows.max() < bottom
