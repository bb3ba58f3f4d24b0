"""POST /preview: a drawable copy of a file a browser cannot draw (TIFF), with its real size."""
from __future__ import annotations

import base64
import io
import os
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.assets.models import Asset
from app.assets.service import store_result
from app.extensions import db
from app.imaging import codec
from app.studio import delivery
from app.studio import preview as previews
from app.sweeper import sweep
from tests.delivery_helpers import opened, upload
from tests.photos import large, photograph

URL = "/api/image-studio/preview"


def encoded(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def preview_image(body: dict) -> Image.Image:
    header, payload = body["preview"].split(",", 1)
    assert header in ("data:image/jpeg;base64", "data:image/webp;base64")
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


def test_a_large_transparent_tiff_is_shown_as_a_webp_at_most_2048_a_side(client, auth):
    image = Image.merge("RGB", [Image.linear_gradient("L").resize((3000, 2000))] * 3).convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize((3000, 2000)))   # clear at the top, opaque below
    body = client.post(URL, json={"image_base64": upload(image, "TIFF", compression="tiff_adobe_deflate")},
                       headers=auth).json
    shown = preview_image(body)
    assert (body["width"], body["height"], body["has_alpha"]) == (3000, 2000, True)
    assert shown.format == "WEBP" and shown.mode == "RGBA" and shown.size == (2048, 1365)
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


@pytest.mark.parametrize("target, alpha, shown", [("jpeg", False, "JPEG"), ("png", True, "WEBP"),
                                                   ("webp", False, "JPEG"), ("avif", True, "WEBP")])
def test_a_tile_is_at_most_its_side_whatever_the_file(client, auth, target, alpha, shown):
    photo = photograph("coffee").convert("RGBA" if alpha else "RGB")
    if alpha:
        photo.putalpha(200)
    asset = client.post("/api/image-studio/convert-format", headers=auth, json={
        "image_base64": upload(photo, "PNG"), "target_format": target}).json
    response = client.get(f"/api/image-studio/assets/{asset['asset_id']}/preview?side=320", headers=auth)
    tile = opened(response.data)
    assert (tile.format, tile.size) == (shown, (320, 213))
    assert response.headers["Cache-Control"] == "private, max-age=86400"


@pytest.mark.parametrize("side", ["63", "2049", "x", "1e3"])
def test_a_side_out_of_range_is_a_400(client, auth, side):
    asset = client.post("/api/image-studio/convert-format", headers=auth, json={
        "image_base64": upload(photograph("coffee")), "target_format": "png"}).json
    response = client.get(f"/api/image-studio/assets/{asset['asset_id']}/preview?side={side}", headers=auth)
    assert response.status_code == 400 and "side" in response.json["detail"]


def test_a_large_turned_jpeg_is_drawn_small_and_upright_at_a_reduced_decode(app):
    """A JPEG is decoded at the smallest DCT scale that covers the copy; the turn still applies."""
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    photograph("coffee").resize((2400, 1600)).save(buffer, "JPEG", exif=exif.tobytes())
    with app.app_context():
        copy = previews.drawable(delivery.open_upload(buffer.getvalue()), 300)
        upload_image = delivery.open_upload(buffer.getvalue()).image
        codec.draft(upload_image, 200, 300)
    assert (copy.width, copy.height) == (1600, 2400)              # the file's own upright size
    assert opened(copy.data).size == (200, 300) and copy.shown == (200, 300)
    assert upload_image.size == (300, 200)     # stored 2400×1600 at libjpeg's ⅛, still covering it


def _tile_files(app) -> list:
    return sorted(Path(app.config["IMAGE_STUDIO_STORAGE_DIR"]).rglob("*.tile"))


def test_a_tile_is_made_once_kept_with_its_asset_and_deleted_with_it(client, auth, app):
    asset_id = client.post("/api/image-studio/convert-format", headers=auth, json={
        "image_base64": upload(photograph("chelsea")), "target_format": "png"}).json["asset_id"]
    url = f"/api/image-studio/assets/{asset_id}/preview?side="
    first = client.get(url + "640", headers=auth).data
    (kept,) = _tile_files(app)
    assert kept.name.startswith(asset_id) and kept.read_bytes() == first
    marker = io.BytesIO()
    Image.new("RGB", (7, 7), (1, 2, 3)).save(marker, "JPEG")
    kept.write_bytes(marker.getvalue())                     # a second view reads it, never remakes it
    assert client.get(url + "640", headers=auth).data == marker.getvalue()
    assert opened(client.get(url + "320", headers=auth).data).size == (320, 213)  # other sides: made
    assert client.delete(f"/api/image-studio/assets/{asset_id}", headers=auth).status_code == 204
    assert _tile_files(app) == []


def test_the_sweeper_keeps_a_live_assets_tile_and_takes_an_orphans(client, auth, app):
    ids = [client.post("/api/image-studio/convert-format", headers=auth, json={
        "image_base64": upload(photograph(name)), "target_format": "png"}).json["asset_id"]
        for name in ("coffee", "rocket")]
    for asset_id in ids:
        client.get(f"/api/image-studio/assets/{asset_id}/preview?side=640", headers=auth)
    with app.app_context():
        db.session.delete(db.session.get(Asset, ids[1]))    # a crash between the row and the files
        db.session.commit()
    an_hour_ago = time.time() - 3600
    for path in Path(app.config["IMAGE_STUDIO_STORAGE_DIR"]).rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    with app.app_context():
        assert sweep(app.config, older_than=timedelta(minutes=10)).removed == 2   # the orphan and its tile
    assert [path.name.split(".")[0] for path in _tile_files(app)] == [ids[0]]


def test_a_result_larger_than_the_upload_limit_still_gets_its_tile(make_app, token_for, user):
    app = make_app(MAX_IMAGE_MB=0.2)     # results are not uploads: a 4× upscale may be 28 MB
    client, auth = app.test_client(), {"Authorization": f"Bearer {token_for()}"}
    with app.test_request_context():
        stored = store_result(user, studio="upscale", operation="fast", data=encoded(large("coffee", 400_000)),
                              mime_type="image/png", width=775, height=516, provider="local", model=None)
    tile = client.get(f"/api/image-studio/assets/{stored.asset_id}/preview?side=640", headers=auth)
    assert tile.status_code == 200 and opened(tile.data).size == (640, 426)
    big = client.get(f"/api/image-studio/assets/{stored.asset_id}/preview", headers=auth)
    assert big.status_code == 200 and opened(big.data).size == (775, 516)
