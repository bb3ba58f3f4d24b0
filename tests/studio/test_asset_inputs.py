"""Every image field given as one of the caller's own assets (`<name>_asset_id`): the asset's
bytes are used as they are stored, never re-uploaded; another user's or an unknown id is
404 "Asset not found"; both forms of one field are a 400 naming it."""
from __future__ import annotations

import base64
import io
import zipfile

import pytest
from PIL import Image

from app.auth import service as accounts
from app.auth.tokens import issue_token
from tests.delivery_helpers import result_bytes, upload
from tests.jobs.helpers import ASYNC, wait_for
from tests.photos import photograph
from tests.studio_helpers import decoded, file_image

API = "/api/image-studio"
NOT_FOUND = {"detail": "Asset not found"}


def headers_for(app, email):
    with app.app_context():
        user = accounts.create_user(email, "a-long-password-1")
        return {"Authorization": f"Bearer {issue_token(user, app.config['SECRET_KEY'], 3600)}"}


def stored(client, headers, image=None) -> tuple[str, bytes]:
    """An asset of the caller's (a lossless convert of `image`) and its stored bytes."""
    image = image or photograph("coffee").resize((300, 200))
    body = client.post(f"{API}/convert-format", json={"image_base64": upload(image), "target_format": "png"},
                       headers=headers).json
    return body["asset_id"], client.get(body["url"], headers=headers).data


@pytest.fixture
def owner(make_app, provider_config):
    app = make_app(**provider_config)
    client = app.test_client()
    headers = headers_for(app, "owner@example.com")
    asset_id, data = stored(client, headers)
    return app, client, headers, asset_id, data


def test_the_provider_receives_the_stored_bytes_as_they_are(owner, fake_stability):
    _, client, headers, asset_id, data = owner
    response = client.post(f"{API}/upscale", json={"image_asset_id": asset_id, "mode": "fast",
                                                   "provider": "stability"}, headers=headers)
    assert response.status_code == 200, response.json
    assert fake_stability.requests[-1].files["image"] == data
    edit = client.post(f"{API}/edit/process", json={"image_asset_id": asset_id, "operation": "remove_background",
                                                    "provider": "stability"}, headers=headers)
    assert edit.status_code == 200 and fake_stability.requests[-1].files["image"] == data


def test_every_studio_takes_an_asset_for_each_image_field(owner, fake_stability):
    app, client, headers, asset_id, data = owner
    white = Image.new("RGB", (300, 200), "white")
    mask_id, _ = stored(client, headers, white)
    inpaint = client.post(f"{API}/edit/process", json={"image_asset_id": asset_id, "mask_asset_id": mask_id,
                                                       "operation": "inpaint", "prompt": "a hat",
                                                       "provider": "stability"}, headers=headers)
    assert inpaint.status_code == 200, inpaint.json
    assert file_image(fake_stability.requests[-1].files["mask"]).getpixel((10, 10)) == 255
    control = client.post(f"{API}/control/process", json={"control_image_asset_id": asset_id, "operation": "sketch",
                                                          "prompt": "a cup", "provider": "stability"}, headers=headers)
    assert control.status_code == 200 and fake_stability.requests[-1].files["image"] == data
    transfer = client.post(f"{API}/control/process", json={
        "control_image_asset_id": asset_id, "style_image_asset_id": mask_id, "operation": "style_transfer",
        "prompt": "a cup", "provider": "stability"}, headers=headers)
    assert transfer.status_code == 200, transfer.json
    social = client.post(f"{API}/social/optimize", json={"image_asset_id": asset_id, "platforms": ["instagram"]},
                         headers=headers)
    assert social.status_code == 200 and decoded(social.json["results"][0]["image_base64"]).size == (1080, 1080)
    archive = client.post(f"{API}/social/optimize.zip", json={"image_asset_id": asset_id, "platforms": ["twitter"]},
                          headers=headers)
    assert archive.status_code == 200 and zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    compressed = client.post(f"{API}/compress", json={"image_asset_id": asset_id, "format": "webp"}, headers=headers)
    assert compressed.status_code == 200 and compressed.json["original_size_kb"] == round(len(data) / 1024, 2)
    estimate = client.post(f"{API}/compress/estimate", json={"image_asset_id": asset_id}, headers=headers)
    assert estimate.status_code == 200 and estimate.json["width"] == 300
    converted = client.post(f"{API}/convert-format", json={"image_asset_id": asset_id, "target_format": "jpeg"},
                            headers=headers)
    assert converted.status_code == 200 and result_bytes(converted.json)[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("path, body", [
    ("/upscale", {"mode": "fast", "provider": "local"}),
    ("/edit/process", {"operation": "remove_background"}),
    ("/social/optimize", {"platforms": ["instagram"]}),
    ("/compress", {}),
    ("/convert-format", {"target_format": "png"}),
])
def test_another_users_or_an_unknown_asset_is_not_found(owner, path, body):
    app, client, headers, asset_id, _ = owner
    stranger = headers_for(app, "stranger@example.com")
    for who, asset in ((stranger, asset_id), (headers, "0" * 32), (headers, "nope")):
        response = client.post(API + path, json={**body, "image_asset_id": asset}, headers=who)
        assert (response.status_code, response.json) == (404, NOT_FOUND), (path, asset)


def test_a_mask_or_a_control_image_of_another_user_is_not_found_either(owner):
    app, client, headers, asset_id, _ = owner
    stranger = headers_for(app, "stranger@example.com")
    mine, _ = stored(client, stranger)
    response = client.post(f"{API}/edit/process", json={"image_asset_id": mine, "mask_asset_id": asset_id,
                                                        "operation": "inpaint", "prompt": "x"}, headers=stranger)
    assert (response.status_code, response.json) == (404, NOT_FOUND)
    control = client.post(f"{API}/control/process", json={"control_image_asset_id": asset_id, "operation": "sketch",
                                                          "prompt": "x"}, headers=stranger)
    assert (control.status_code, control.json) == (404, NOT_FOUND)


def test_both_forms_of_one_field_are_refused_naming_it(owner):
    _, client, headers, asset_id, data = owner
    body = {"image_asset_id": asset_id, "image_base64": base64.b64encode(data).decode(), "target_format": "png"}
    response = client.post(f"{API}/convert-format", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json["errors"] == {"image_asset_id": ["Give image_base64 or image_asset_id, not both"]}


@pytest.mark.database
def test_a_job_reads_the_asset_when_it_runs(owner):
    _, client, headers, asset_id, _ = owner
    response = client.post(f"{API}/upscale", json={"image_asset_id": asset_id, "mode": "fast", "provider": "local"},
                           headers={**headers, **ASYNC})
    assert response.status_code == 202, response.json
    job = wait_for(client, response.json["status_url"], headers)
    assert job["status"] == "succeeded" and decoded(job["result"]["image_base64"]).size == (1200, 800)
