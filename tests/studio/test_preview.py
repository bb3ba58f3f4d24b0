"""POST /preview: a drawable copy of a file a browser cannot draw (TIFF), with its real size."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from app.assets.models import Asset
from app.extensions import db
from tests.delivery_helpers import opened, upload
from tests.photos import photograph

URL = "/api/image-studio/preview"


def preview_image(body: dict) -> Image.Image:
    header, payload = body["preview"].split(",", 1)
    assert header in ("data:image/jpeg;base64", "data:image/png;base64")
    return opened(base64.b64decode(payload))


def test_a_tiff_photograph_gets_a_jpeg_of_itself_and_its_own_size(client, auth):
    photo = photograph("astronaut")
    response = client.post(URL, json={"image_base64": upload(photo, "TIFF")}, headers=auth)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["width"], body["height"], body["format"], body["has_alpha"]) == (512, 512, "tiff", False)
    shown = preview_image(body)
    assert shown.format == "JPEG" and shown.size == (body["preview_width"], body["preview_height"]) == (512, 512)
    difference = np.abs(np.asarray(shown, dtype=int) - np.asarray(photo, dtype=int))
    assert difference.mean() < 3            # the same picture, JPEG-compressed


def test_a_large_transparent_tiff_is_shown_as_a_png_at_most_2048_a_side(client, auth):
    image = Image.merge("RGB", [Image.linear_gradient("L").resize((3000, 2000))] * 3).convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize((3000, 2000)))   # clear at the top, opaque below
    body = client.post(URL, json={"image_base64": upload(image, "TIFF", compression="tiff_adobe_deflate")},
                       headers=auth).json
    shown = preview_image(body)
    assert (body["width"], body["height"], body["has_alpha"]) == (3000, 2000, True)
    assert shown.format == "PNG" and shown.mode == "RGBA" and shown.size == (2048, 1365)
    assert shown.getpixel((1024, 0))[3] == 0 and shown.getpixel((1024, 1364))[3] == 255


def test_a_turned_jpeg_is_shown_upright_with_its_upright_size(client, auth):
    exif = Image.Exif()
    exif[0x0112] = 6   # turned 90° clockwise to view
    data = upload(photograph("coffee"), "JPEG", exif=exif.tobytes())
    body = client.post(URL, json={"image_base64": data}, headers=auth).json
    assert (body["width"], body["height"]) == (400, 600)
    assert preview_image(body).size == (400, 600)


def test_an_asset_is_previewed_by_its_id_and_nothing_is_stored(client, auth, app):
    converted = client.post("/api/image-studio/convert-format", headers=auth, json={
        "image_base64": upload(photograph("chelsea")), "target_format": "tiff"}).json
    with app.app_context():
        count = db.session.query(Asset).count()
    body = client.post(URL, json={"image_asset_id": converted["asset_id"]}, headers=auth).json
    assert (body["width"], body["height"], body["format"]) == (451, 300, "tiff")
    with app.app_context():
        assert db.session.query(Asset).count() == count


@pytest.mark.parametrize("body, status, detail", [
    ({}, 400, "image_base64 is required"),
    ({"image_base64": "@@@"}, 400, "Invalid base64 image payload"),
    ({"image_base64": base64.b64encode(b"II*\x00" + b"\x00" * 40).decode()}, 400, "Invalid base64 image payload"),
    ({"image_asset_id": "nope"}, 404, "Asset not found"),
])
def test_bad_input_is_a_sentence(client, auth, body, status, detail):
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == status and detail in response.json["detail"]


def test_a_file_past_the_pixel_limit_is_a_413(make_app, token_for, user):
    app = make_app(MAX_IMAGE_PIXELS=10_000)
    response = app.test_client().post(URL, json={"image_base64": upload(Image.new("RGB", (101, 100)), "TIFF")},
                                      headers={"Authorization": f"Bearer {token_for()}"})
    assert response.status_code == 413 and "pixel limit" in response.json["detail"]


def test_preview_needs_a_token(client):
    assert client.post(URL, json={"image_base64": upload(Image.new("RGB", (8, 8)), "TIFF")}).status_code == 401


def test_a_truncated_tiff_is_a_400_not_a_500(client, auth):
    buffer = io.BytesIO()
    photograph("rocket").save(buffer, "TIFF")
    cut = base64.b64encode(buffer.getvalue()[: len(buffer.getvalue()) // 2]).decode()
    response = client.post(URL, json={"image_base64": cut}, headers=auth)
    assert response.status_code == 400 and "truncated" in response.json["detail"].lower()


def test_a_tiff_asset_is_served_drawable_to_its_owner_only(client, auth, make_user, token_for):
    converted = client.post("/api/image-studio/convert-format", headers=auth, json={
        "image_base64": upload(photograph("chelsea")), "target_format": "tiff"}).json
    url = f"/api/image-studio/assets/{converted['asset_id']}/preview"
    response = client.get(url, headers=auth)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert opened(response.data).size == (451, 300)
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    assert client.get(url, headers=other).status_code == 404
    assert client.get(url).status_code == 401
