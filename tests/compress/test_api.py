"""Compress Studio API: formats by magic bytes, target sizes met or refused with the smallest
size, never a smaller picture, orientation applied, batches that fail per image, estimates."""
from __future__ import annotations

import pytest
from PIL import Image

from app.imaging import provenance
from tests.delivery_helpers import format_of, opened, result_bytes, upload
from tests.imaging.images import noisy
from tests.photos import large, photograph

URL = "/api/image-studio/compress"


@pytest.fixture
def compress(client, auth):
    def call(**body):
        return client.post(URL, json=body, headers=auth)
    return call


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp", "avif"])
def test_each_format_is_written_at_the_same_pixel_size(compress, client, auth, fmt):
    image = photograph("chelsea")
    response = compress(image_base64=upload(image), format=fmt, quality=60)
    assert response.status_code == 200, response.json
    body = response.json
    data = result_bytes(body)
    assert format_of(data) == body["format"] == fmt
    assert opened(data).size == (body["width"], body["height"]) == image.size
    assert body["compressed_size_kb"] == round(len(data) / 1024, 2)
    assert body["original_size_kb"] > body["compressed_size_kb"] and body["compression_ratio"] > 1
    assert body["quality_used"] == (None if fmt == "png" else 60) and body["metadata_stripped"] is True
    assert body["provider"] == "local" and body["metadata"]["cost"] == 0
    stored = client.get(body["url"], headers=auth)
    assert stored.status_code == 200 and stored.data == data
    assert stored.content_type == {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
                                   "avif": "image/avif"}[fmt]


def test_defaults_are_a_progressive_jpeg_at_quality_85(compress):
    body = compress(image_base64=upload(photograph("coffee"))).json
    data = result_bytes(body)
    assert body["format"] == "jpeg" and body["quality_used"] == 85
    assert opened(data).info.get("progressive") == 1
    baseline = compress(image_base64=upload(photograph("coffee")), progressive=False).json
    assert "progressive" not in opened(result_bytes(baseline)).info


@pytest.mark.parametrize("fmt, target_kb", [("jpeg", 200), ("webp", 120), ("avif", 60), ("png", 900)])
def test_a_target_size_is_met_without_shrinking_the_picture(compress, fmt, target_kb):
    image = large("astronaut", 2_000_000)
    body = compress(image_base64=upload(image, "JPEG", quality=95), format=fmt, target_size_kb=target_kb).json
    data = result_bytes(body)
    assert len(data) <= target_kb * 1024 and body["compressed_size_kb"] <= target_kb
    assert opened(data).size == image.size and format_of(data) == fmt
    assert body["metadata"]["encodes"] <= 6 and body["metadata"]["target_size_kb"] == target_kb
    if fmt == "png":
        assert body["metadata"]["colors"] in (256, 128, 64, 32, 16, 8, 4, 2) and opened(data).mode == "P"
    else:
        assert 1 <= body["quality_used"] < 85


def test_an_impossible_target_is_refused_with_the_smallest_reachable_size(compress, client, auth):
    response = compress(image_base64=upload(noisy(700, 700)), format="jpeg", target_size_kb=10)
    assert response.status_code == 400
    detail = response.json["detail"]
    assert detail.startswith("target_size_kb 10 KB cannot be reached for this image as JPEG: "
                             "the smallest reachable size is ")
    smallest = float(detail.rsplit("size is ", 1)[1].split(" KB")[0])
    assert smallest > 10 and "(at quality 1)" in detail
    assert response.json["errors"] == {"target_size_kb": [detail]}
    assert client.get("/api/image-studio/assets", headers=auth).json["total"] == 0   # nothing kept


def test_exif_orientation_is_applied_and_stripped(compress):
    image = photograph("rocket")        # 640 wide, 427 tall
    exif = Image.Exif()
    exif[0x0112] = 6                    # stored sideways: shown rotated 90°
    exif[0x010F] = "Camera maker"
    body = compress(image_base64=upload(image, "JPEG", exif=exif.tobytes())).json
    out = opened(result_bytes(body))
    assert out.size == (image.height, image.width) == (body["width"], body["height"])
    assert not out.getexif()
    kept = compress(image_base64=upload(image, "JPEG", exif=exif.tobytes()), strip_metadata=False).json
    exif_kept = opened(result_bytes(kept)).getexif()
    assert exif_kept[0x010F] == "Camera maker" and exif_kept.get(0x0112, 1) == 1
    assert kept["metadata_stripped"] is False


def test_the_ai_mark_survives_strip_metadata(compress):
    mark = provenance.Mark(provenance.TRAINED, "stability", "core")
    source = upload(photograph("coffee"), "PNG", **provenance.save_options("PNG", mark))
    for fmt in ("jpeg", "webp", "avif", "png"):
        body = compress(image_base64=source, format=fmt, strip_metadata=True).json
        assert provenance.read(result_bytes(body)) == mark, fmt
        assert body["metadata"]["provenance"]["digital_source_type"] == provenance.TRAINED


@pytest.mark.parametrize("body, field, sentence", [
    ({"quality": 0}, "quality", "Must be greater than or equal to 1 and less than or equal to 100."),
    ({"format": "gif"}, "format", "Unsupported format: gif (choose jpeg, png, webp or avif)"),
    ({"target_size_kb": 5}, "target_size_kb", "Must be greater than or equal to 10."),
])
def test_bad_options_are_refused_naming_the_field(compress, body, field, sentence):
    response = compress(image_base64=upload(photograph("coffee")), **body)
    assert response.status_code == 400 and response.json["errors"][field] == [sentence]


def test_a_missing_or_broken_image_is_a_clear_400(compress):
    assert compress().json["detail"] == "image_base64 is required: send the image as base64 or a data URL"
    assert compress(image_base64="bm90IGFuIGltYWdl").json["detail"] == "Invalid base64 image payload"


def test_too_large_an_image_is_413(make_app):
    app = make_app(MAX_IMAGE_PIXELS=10_000)
    from app.auth import service as accounts
    from app.auth.tokens import issue_token
    from tests.social.conftest import PASSWORD  # noqa: F401 (the account helper's password)
    with app.app_context():
        token = issue_token(accounts.create_user("big@example.com", "a-long-password-1"), app.config["SECRET_KEY"], 60)
    response = app.test_client().post(URL, json={"image_base64": upload(photograph("coffee"))},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 413 and "pixel limit" in response.json["detail"]


def test_no_token_is_401(client):
    assert client.post(URL, json={}).status_code == 401


def test_a_batch_runs_every_image_and_reports_each_failure(client, auth):
    good = upload(photograph("coffee"))
    images = [{"image_base64": good, "format": "webp"}, {"image_base64": "####"},
              {"image_base64": good, "quality": 500}, {"image_base64": upload(noisy(700, 700)), "target_size_kb": 10},
              {"image_base64": good, "format": "png"}]
    response = client.post(URL + "/batch", json={"images": images}, headers=auth)
    assert response.status_code == 200
    body = response.json
    assert (body["success"], body["total_images"], body["successful"], body["failed"]) == (False, 5, 2, 3)
    first, bad, quality, target, last = body["results"]
    assert first["success"] and format_of(result_bytes(first)) == "webp"
    assert last["success"] and format_of(result_bytes(last)) == "png"
    assert bad == {"success": False, "error": "Invalid base64 image payload"}
    assert quality["success"] is False and "quality" in quality["error"]
    assert target["success"] is False and target["error"].startswith("target_size_kb 10 KB cannot be reached")


def test_a_batch_holds_one_to_twenty_images(client, auth):
    for images in ([], [{}] * 21):
        response = client.post(URL + "/batch", json={"images": images}, headers=auth)
        assert response.status_code == 400 and response.json["errors"]["images"] == ["images holds 1 to 20 entries"]


@pytest.mark.parametrize("fmt, quality", [("jpeg", 85), ("webp", 80), ("png", 85)])
def test_the_estimate_is_within_ten_percent_and_stores_nothing(client, auth, fmt, quality):
    image = large("chelsea")
    payload = upload(image, "JPEG", quality=95)
    estimate = client.post(URL + "/estimate", json={"image_base64": payload, "format": fmt, "quality": quality},
                           headers=auth).json
    real = client.post(URL, json={"image_base64": payload, "format": fmt, "quality": quality}, headers=auth).json
    assert abs(estimate["estimated_size_kb"] - real["compressed_size_kb"]) / real["compressed_size_kb"] < 0.10
    assert (estimate["width"], estimate["height"], estimate["format"]) == (image.width, image.height, fmt)
    assert estimate["original_size_kb"] == real["original_size_kb"]
    assert estimate["estimated_reduction_percent"] == pytest.approx(
        100 * (1 - estimate["estimated_size_kb"] / estimate["original_size_kb"]), abs=0.1)
    assert client.get("/api/image-studio/assets", headers=auth).json["total"] == 1   # the real one only


def test_formats_and_presets_describe_the_choices(client, auth):
    formats = client.get(URL + "/formats", headers=auth).json
    assert [f["format"] for f in formats["formats"]] == ["jpeg", "png", "webp", "avif"]
    assert formats["default"] == "jpeg"
    presets = {p["id"]: p for p in client.get(URL + "/presets", headers=auth).json["presets"]}
    assert {key: (p["format"], p["quality"], p["target_size_kb"]) for key, p in presets.items()} == {
        "web": ("webp", 80, None), "email": ("jpeg", 70, 200), "social": ("jpeg", 85, None),
        "high_quality": ("png", 100, None), "maximum": ("webp", 60, None)}


def test_results_are_in_the_library_and_health(client, auth):
    client.post(URL, json={"image_base64": upload(photograph("coffee"))}, headers=auth)
    listed = client.get("/api/image-studio/assets?studio=compress", headers=auth).json
    assert listed["total"] == 1 and listed["assets"][0]["studio"] == "compress"
    modules = client.get("/api/image-studio/health", headers=auth).json["modules"]
    assert modules["compression"] == modules["conversion"] == "available"


def test_a_banner_wider_than_the_output_limit_is_a_400(compress):
    """A target size searched in WebP for a 30000×2 banner was a 500 (WebP stops at 16,383 px);
    compress never changes the pixel size, so past 8192 px a side it is refused."""
    response = compress(image_base64=upload(Image.new("RGB", (30000, 2), (20, 90, 200))), format="webp",
                        target_size_kb=10)
    assert response.status_code == 400
    assert response.json["detail"] == "Result 30000x2 has a side over the 8192 px limit"
