"""Social Optimizer API: request fields, platform and format choice, and every bad input."""
import base64
import io
import json
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

from app.social import pipeline
from tests.imaging.images import bomb_png, noisy, to_bytes
from tests.photos import large
from tests.social.helpers import URL, b64, decoded, optimize

CATALOG = json.loads((Path(__file__).parents[2] / "app/catalog/data/platforms.json").read_text())
SMALL = Image.new("RGB", (160, 120), (40, 90, 160))


def formats(response):
    assert response.status_code == 200, response.json
    return [(r["platform"], r["format"]) for r in response.json["results"]]


def test_reference_request_and_response_shape(client, auth):
    response = optimize(client, auth, SMALL, platforms=["instagram", "facebook", "linkedin"],
                        format_names={"instagram": "Feed Post (Square)", "facebook": "Feed Post",
                                      "linkedin": "Feed Post"})
    body = response.json
    assert formats(response) == [("instagram", "Feed Post (Square)"), ("facebook", "Feed Post"),
                                 ("linkedin", "Feed Post")]
    assert body["success"] is True and body["total_optimized"] == 3 and body["skipped"] == []
    first = body["results"][0]
    assert set(first) >= {"platform", "format", "image_base64", "width", "height", "ratio", "safe_zone",
                          "size_bytes", "notes", "asset_id", "url"}
    assert (first["width"], first["height"], first["ratio"]) == (1080, 1080, "1:1")
    assert first["safe_zone"] == {"top": 0.15, "bottom": 0.15, "left": 0.1, "right": 0.1}
    assert first["image_base64"].startswith("data:image/png;base64,")
    # SMALL is 120 px: every format enlarges it, and says so with the factor.
    assert first["notes"] == ["Enlarged ×9.00: the upload has 120×120 px for this 1080×1080 format, so it may "
                              "look soft; upload a larger image for a sharp result"]


def test_no_enlargement_note_when_the_upload_has_the_pixels(client, auth, png_payload):
    body = client.post("/api/image-studio/social/optimize", json={
        "image_base64": png_payload(1600, 1000), "platforms": ["twitter"]}, headers=auth).json
    (result,) = body["results"]
    assert (result["width"], result["height"]) == (1200, 675) and result["notes"] == []
    fitted = client.post("/api/image-studio/social/optimize", json={
        "image_base64": png_payload(800, 500), "platforms": ["twitter"], "crop_mode": "fit"}, headers=auth).json
    assert fitted["results"][0]["notes"][0].startswith("Enlarged ×1.35: the upload has 800×500 px")


def test_size_bytes_is_the_length_of_the_returned_file(client, auth):
    result = optimize(client, auth, SMALL, platforms=["tiktok"]).json["results"][0]
    assert result["size_bytes"] == len(base64.b64decode(result["image_base64"].split(",", 1)[1]))


def test_platforms_are_case_insensitive_deduplicated_and_default_to_the_first_format(client, auth):
    response = optimize(client, auth, SMALL, platforms=["InstaGram", " TIKTOK ", "instagram"])
    assert formats(response) == [("instagram", "Feed Post (Square)"), ("tiktok", "Video Cover")]


def test_unknown_platforms_are_a_400_naming_all_of_them(client, auth):
    response = optimize(client, auth, SMALL, platforms=["instagram", "myspace", "Friendster"])
    assert response.status_code == 400
    assert response.json["detail"].startswith("Unknown platforms: myspace, Friendster")
    assert "platforms" in response.json["errors"]


def test_format_names_match_case_insensitively_and_take_lists(client, auth):
    response = optimize(client, auth, SMALL, platforms=["instagram", "twitter"],
                        format_names={"INSTAGRAM": ["feed post (portrait)", "STORY"], "twitter": "header"})
    assert formats(response) == [("instagram", "Feed Post (Portrait)"), ("instagram", "Story"),
                                 ("twitter", "Header")]
    sizes = [(r["width"], r["height"]) for r in response.json["results"]]
    assert sizes == [(1080, 1350), (1080, 1920), (1500, 500)]


def test_unknown_format_name_is_a_400_listing_the_valid_names(client, auth):
    response = optimize(client, auth, SMALL, platforms=["youtube"], format_names={"youtube": "Banner"})
    assert response.status_code == 400
    assert response.json["detail"] == ("Unknown format for youtube: Banner "
                                       "(valid names: Thumbnail, Channel Art)")


def test_format_names_for_an_unknown_platform_is_a_400(client, auth):
    response = optimize(client, auth, SMALL, platforms=["youtube"], format_names={"vine": "Clip"})
    assert response.status_code == 400 and "vine" in response.json["detail"]


def test_all_formats_returns_every_format_of_each_platform(client, auth):
    response = optimize(client, auth, SMALL, platforms=["linkedin", "pinterest"], all_formats=True,
                        output_format="jpg")
    names = [f["name"] for p in ("linkedin", "pinterest") for f in CATALOG["platforms"][p]["formats"]]
    assert [name for _, name in formats(response)] == names


def test_platforms_without_formats_are_skipped(client, auth):
    response = optimize(client, auth, SMALL, platforms=["blog", "youtube", "Email"])
    assert formats(response) == [("youtube", "Thumbnail")]
    assert response.json["skipped"] == ["blog", "email"]
    only_blog = optimize(client, auth, SMALL, platforms=["website"])
    assert only_blog.json["results"] == [] and only_blog.json["total_optimized"] == 0


def test_exact_pixel_size_for_every_format_of_every_platform(client, auth):
    response = optimize(client, auth, Image.new("RGB", (90, 60), (200, 120, 40)),
                        platforms=list(CATALOG["platforms"]), all_formats=True, output_format="jpg")
    expected = [(p, f["name"], f["width"], f["height"]) for p, entry in CATALOG["platforms"].items()
                for f in entry["formats"]]
    assert len(expected) == 20
    results = response.json["results"]
    assert [(r["platform"], r["format"], r["width"], r["height"]) for r in results] == expected
    for result, (_, _, width, height) in zip(results, expected, strict=True):
        assert decoded(result["image_base64"]).size == (width, height)


@pytest.mark.parametrize("requested, pil_format, mime", [
    (None, "PNG", "image/png"), ("png", "PNG", "image/png"), ("jpg", "JPEG", "image/jpeg"),
    ("JPEG", "JPEG", "image/jpeg"),
])
def test_output_format(client, auth, requested, pil_format, mime):
    body = {"platforms": ["twitter"]}
    if requested:
        body["output_format"] = requested
    result = optimize(client, auth, SMALL, **body).json["results"][0]
    assert decoded(result["image_base64"]).format == pil_format
    assert result["image_base64"].startswith(f"data:{mime};base64,") and result["mime_type"] == mime


def test_data_url_input_is_accepted(client, auth):
    response = optimize(client, auth, "data:image/png;base64," + b64(SMALL), platforms=["tiktok"])
    assert response.status_code == 200 and response.json["total_optimized"] == 1


def test_a_png_over_a_small_platform_cap_is_compressed_and_says_so(client, auth):
    # YouTube's 2 MB limit is below the 2.7 MB a 1280×720 PNG of noise takes.
    result = optimize(client, auth, noisy(1280, 720), platforms=["youtube"]).json["results"][0]
    assert result["size_bytes"] <= 2 * 1024 * 1024
    assert decoded(result["image_base64"]).size == (1280, 720)
    assert result["notes"] and "2 MB limit" in result["notes"][0]


@pytest.mark.parametrize("body, status, detail", [
    ({"platforms": ["instagram"], "image_base64": "aGVsbG8gd29ybGQ="}, 400, "Invalid base64 image payload"),
    ({"platforms": ["instagram"], "image_base64": "@@not base64@@"}, 400, "Invalid base64 image payload"),
    ({"platforms": ["instagram"], "image_base64": None}, 400, "image_base64 is required"),
    ({"platforms": ["instagram"]}, 400, "image_base64 is required"),
    ({"image_base64": "x"}, 400, "Invalid value for 'platforms'"),
    ({"platforms": []}, 400, "Invalid value for 'platforms': Choose at least one platform."),
    ({"platforms": "instagram"}, 400, "Invalid value for 'platforms'"),
    ({"platforms": ["instagram"], "crop_mode": "zoom"}, 400, "Invalid value for 'crop_mode'"),
    ({"platforms": ["instagram"], "output_format": "gif"}, 400, "Invalid value for 'output_format'"),
    ({"platforms": ["instagram"], "focal_point": {"x": 1.2, "y": 0}}, 400, "Invalid value for 'focal_point'"),
    ({"platforms": ["instagram"], "focal_point": {"x": 0, "y": -1}}, 400, "Invalid value for 'focal_point'"),
    ({"platforms": ["instagram"], "focal_point": {"x": 0.5}}, 400, "Invalid value for 'focal_point'"),
    ({"platforms": ["instagram"], "focal_point": [0.5, 0.5]}, 400, "Invalid value for 'focal_point'"),
    ({"platforms": ["instagram"], "background": "plaid"}, 400, "Invalid value for 'background'"),
    ({"platforms": ["instagram"], "format_names": {"instagram": 3}}, 400, "Invalid value for 'format_names'"),
])
def test_bad_fields_are_400_naming_the_field(client, auth, body, status, detail):
    response = client.post(URL, json=body, headers=auth)
    assert response.status_code == status
    assert response.json["detail"].startswith(detail)


def test_truncated_image_is_a_400(client, auth):
    data = to_bytes(noisy(200, 200))
    response = optimize(client, auth, b64(data[: len(data) // 2]), platforms=["instagram"])
    assert response.status_code == 400
    assert response.json == {"detail": "Image file is truncated or corrupt"}


def test_decompression_bomb_is_a_413(client, auth):
    response = optimize(client, auth, b64(bomb_png(20000, 20000)), platforms=["instagram"])
    assert response.status_code == 413 and "pixel limit" in response.json["detail"]


def test_image_over_max_image_mb_is_a_413(auth_for):
    client, headers = auth_for(MAX_IMAGE_MB=0.0625)
    response = optimize(client, headers, noisy(200, 200), platforms=["instagram"])
    assert response.status_code == 413
    assert response.json == {"detail": "Image is larger than the 0.0625 MB limit"}


def test_a_token_is_required(client):
    response = client.post(URL, json={"platforms": ["instagram"], "image_base64": b64(SMALL)})
    assert response.status_code == 401
    assert response.json == {"detail": "Authenticated user required for image operations."}


def test_the_uploads_text_and_bytes_are_let_go_before_its_formats_render(app, auth, monkeypatch):
    """A 27 MP photo's 13 MB of base64 and 9.6 MB of JPEG would otherwise stay alive beside
    its raster for the whole render: once decoded, nothing Python holds is that large (Pillow's
    rasters are not Python allocations, so the snapshot sees the text and the bytes only)."""
    data = to_bytes(large("coffee", 3_000_000), "JPEG", quality=95)
    body = json.dumps({"image_base64": base64.b64encode(data).decode("ascii"), "platforms": ["instagram"],
                       "format_names": {"instagram": ["Feed Post (Square)"]}, "output_format": "jpg"}).encode()
    largest: list[int] = []
    render = pipeline.Source.render

    def watched(source, target):
        largest.append(max(trace.size for trace in tracemalloc.take_snapshot().traces))
        return render(source, target)
    monkeypatch.setattr(pipeline.Source, "render", watched)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": URL, "SERVER_NAME": "x", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "CONTENT_TYPE": "application/json",
               "CONTENT_LENGTH": str(len(body)), "HTTP_AUTHORIZATION": auth["Authorization"]}
    status: list[str] = []
    tracemalloc.start()
    try:
        answer = b"".join(app(environ, lambda line, headers: status.append(line)))
    finally:
        tracemalloc.stop()
    assert status == ["200 OK"], answer[:300]
    assert len(data) > 800_000 and largest
    assert max(largest) < len(data) / 4, (max(largest), len(data))
