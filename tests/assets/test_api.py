import io
import zipfile

import pytest

from app.auth.service import create_user, find_user
from app.auth.tokens import issue_token
from tests.assets.helpers import store as _store
from tests.fakes.server import png_bytes

pytestmark = pytest.mark.database


def test_owner_downloads_the_bytes_with_their_type(app, client, user, auth):
    stored = _store(app, user, side=8)
    assert len(stored.asset_id) == 32 and stored.url == f"/api/image-studio/assets/{stored.asset_id}"
    response = client.get(stored.url, headers=auth)
    assert response.status_code == 200
    assert response.content_type == "image/png" and response.data == png_bytes(8, 8)


def test_other_users_and_unknown_ids_get_404(app, client, user, make_user, token_for):
    stored = _store(app, user)
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    response = client.get(stored.url, headers=other)
    assert response.status_code == 404 and response.json == {"detail": "Asset not found"}
    assert client.get("/api/image-studio/assets/" + "0" * 32, headers=other).status_code == 404
    assert client.get("/api/image-studio/assets/../../etc/passwd", headers=other).status_code == 404
    assert client.get(stored.url).status_code == 401


def test_listing_is_paginated_filtered_and_owner_only(app, client, user, auth, make_user):
    ids = [_store(app, user).asset_id for _ in range(3)]
    other = make_user("other@example.com")
    _store(app, other)
    body = client.get("/api/image-studio/assets?per_page=2", headers=auth).json
    assert body["total"] == 3 and body["pages"] == 2 and len(body["assets"]) == 2
    assert {a["id"] for a in body["assets"]} <= set(ids)
    first = body["assets"][0]
    assert set(first) >= {"id", "studio", "operation", "provider", "width", "height", "url", "created_at"}
    assert client.get("/api/image-studio/assets?studio=edit", headers=auth).json["total"] == 0
    assert client.get("/api/image-studio/assets?studio=paint", headers=auth).status_code == 400
    assert client.get("/api/image-studio/assets?since=2999-01-01", headers=auth).json["total"] == 0
    assert client.get("/api/image-studio/assets?since=yesterday", headers=auth).status_code == 400


def test_delete_removes_row_and_bytes(app, client, user, auth, tmp_path):
    stored = _store(app, user)
    assert client.delete(stored.url, headers=auth).status_code == 204
    assert client.get(stored.url, headers=auth).status_code == 404
    assert client.delete(stored.url, headers=auth).status_code == 404
    assert not list((tmp_path / "assets").rglob("*.png"))


def test_zip_of_selected_assets(app, client, user, auth, make_user):
    import io
    import zipfile
    first, second = _store(app, user), _store(app, user)
    response = client.post("/api/image-studio/assets/zip", json={"ids": [first.asset_id, second.asset_id]},
                           headers=auth)
    assert response.status_code == 200 and response.content_type == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert len(names) == 2 and all(n.endswith(".png") for n in names)
    foreign = _store(app, make_user("x@example.com"))
    denied = client.post("/api/image-studio/assets/zip", json={"ids": [first.asset_id, foreign.asset_id]},
                         headers=auth)
    assert denied.status_code == 404
    assert client.post("/api/image-studio/assets/zip", json={"ids": []}, headers=auth).status_code == 400


def test_every_result_and_asset_names_its_download(app, client, user, auth, png_payload):
    edited = client.post("/api/image-studio/edit/process", headers=auth, json={
        "operation": "remove_background", "image_base64": png_payload(), "output_format": "jpeg"}).json
    assert edited["file_name"] == "edit-remove-background.jpg"
    social = client.post("/api/image-studio/social/optimize", headers=auth, json={
        "image_base64": png_payload(200, 200), "platforms": ["instagram"],
        "format_names": {"instagram": "Story"}}).json["results"][0]
    assert social["file_name"] == "instagram-story.png"
    listed = {a["id"]: (a["file_name"], a["filename"])
              for a in client.get("/api/image-studio/assets", headers=auth).json["assets"]}
    assert listed == {edited["asset_id"]: (edited["file_name"],) * 2, social["asset_id"]: (social["file_name"],) * 2}
    download = client.get(social["url"], headers=auth)
    assert download.headers["Content-Disposition"] == 'inline; filename="instagram-story.png"'


def test_zips_are_streamed_entry_by_entry(app, client, user, auth):
    ids = [_store(app, user, side=side).asset_id for side in (21, 22, 23)]
    response = client.post("/api/image-studio/assets/zip", json={"ids": ids}, headers=auth, buffered=False)
    assert response.status_code == 200 and response.is_streamed
    chunks = list(response.response)
    assert len(chunks) >= 3  # each entry leaves as soon as it is written
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None and len(archive.namelist()) == 3
    assert sorted(archive.read(name) for name in archive.namelist()) == sorted(png_bytes(s, 8) for s in (21, 22, 23))


def test_zip_streams_per_process_are_bounded_and_given_back(make_app):
    """Each ZIP holds a worker thread while the client reads it; past ZIP_STREAMS the next is
    refused at once (503), and a stream closed before its end gives its slot back."""
    app = make_app(ZIP_STREAMS=1)
    client = app.test_client()
    with app.app_context():
        user = create_user("z@example.com", "long-enough-pw").id
        token = issue_token(find_user("z@example.com"), app.config["SECRET_KEY"], 600)
    auth = {"Authorization": f"Bearer {token}"}
    body = {"ids": [_store(app, user).asset_id]}
    reading = client.post("/api/image-studio/assets/zip", json=body, headers=auth, buffered=False)
    assert reading.status_code == 200
    busy = client.post("/api/image-studio/assets/zip", json=body, headers=auth)
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 5
    assert busy.json == {"detail": "The server is busy; retry shortly"}
    reading.close()  # the client went away half-way
    assert client.post("/api/image-studio/assets/zip", json=body, headers=auth).status_code == 200
    assert client.post("/api/image-studio/assets/zip", json=body, headers=auth).status_code == 200


def test_a_library_zip_names_each_file_as_its_download_does(client, auth, png_payload):
    """The ZIP used `control_style_<32 hex>.png`; it now uses the readable names, made unique."""
    made = [client.post("/api/image-studio/edit/process", headers=auth, json={
        "operation": "remove_background", "image_base64": png_payload(64 + side, 64),
        "output_format": "jpeg"}).json for side in (1, 2)]
    response = client.post("/api/image-studio/assets/zip", json={"ids": [m["asset_id"] for m in made]},
                           headers=auth)
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == ["edit-remove-background.jpg", "edit-remove-background-2.jpg"]
