"""Download all as a ZIP (both endpoint forms), and every JSON result kept as the caller's asset."""
import base64
import io
import zipfile

import pytest
from PIL import Image

from tests.social.helpers import URL, ZIP_URL, b64

SOURCE = b64(Image.new("RGB", (120, 90), (20, 160, 90)))
BODY = {"image_base64": SOURCE, "platforms": ["Instagram", "twitter", "blog"],
        "format_names": {"instagram": ["Feed Post (Square)", "story"]}}
EXPECTED = {"instagram_feed_post_square.png": (1080, 1080), "instagram_story.png": (1080, 1920),
            "twitter_post.png": (1200, 675)}


def entries(response) -> dict[str, Image.Image]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: Image.open(io.BytesIO(archive.read(name))) for name in archive.namelist()}


@pytest.mark.parametrize("url, headers", [(ZIP_URL, {}), (URL, {"Accept": "application/zip"})])
def test_zip_names_and_contents(client, auth, url, headers):
    images = entries(client.post(url, json=BODY, headers={**auth, **headers}))
    assert list(images) == list(EXPECTED)
    for name, image in images.items():
        assert image.format == "PNG" and image.size == EXPECTED[name]


def test_zip_of_jpegs_uses_the_jpg_extension(client, auth):
    images = entries(client.post(ZIP_URL, json={**BODY, "output_format": "jpeg"}, headers=auth))
    assert sorted(images) == sorted(name.replace(".png", ".jpg") for name in EXPECTED)
    assert {image.format for image in images.values()} == {"JPEG"}


def test_zip_errors_are_json(client, auth):
    response = client.post(ZIP_URL, json={**BODY, "platforms": ["myspace"]}, headers=auth)
    assert response.status_code == 400 and response.json["detail"].startswith("Unknown platform: myspace")


def test_json_is_the_default_answer(client, auth):
    response = client.post(URL, json=BODY, headers={**auth, "Accept": "*/*"})
    assert response.mimetype == "application/json" and response.json["total_optimized"] == 3


def test_zip_needs_a_token(client):
    assert client.post(ZIP_URL, json=BODY).status_code == 401


def test_results_are_stored_and_downloadable_by_their_owner_only(client, auth, make_user, token_for):
    results = client.post(URL, json=BODY, headers=auth).json["results"]
    for result in results:
        response = client.get(result["url"], headers=auth)
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.data == base64.b64decode(result["image_base64"].split(",", 1)[1])
    listing = client.get("/api/image-studio/assets?studio=social", headers=auth).json
    assert listing["total"] == 3
    assert {(a["operation"], a["provider"]) for a in listing["assets"]} == {("optimize", "local")}
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    assert client.get(results[0]["url"], headers=other).status_code == 404
