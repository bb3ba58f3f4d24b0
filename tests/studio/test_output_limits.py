"""service.md: "Every output side is at most 8192 px and every output at most
`MAX_IMAGE_PIXELS`, for every mode (upscale without targets included); beyond is a 400
naming the limit." An input within the pixel limit may still be too wide to come out as it
is: a 9000×10 strip is 90,000 pixels."""
from __future__ import annotations

import pytest

from tests.studio_helpers import b64, photo

API = "/api/image-studio"
STRIP = b64(photo(9000, 10))
EDGE = b64(photo(8192, 10))


@pytest.mark.parametrize("path, body, detail", [
    ("/edit/process", {"operation": "remove_background"},
     "Result 9000x10 has a side over the 8192 px limit"),
    ("/edit/process", {"operation": "inpaint", "prompt": "sky"},
     "Result 9000x10 has a side over the 8192 px limit"),
    ("/control/process", {"operation": "sketch", "prompt": "a castle"},
     "Result 9000x10 has a side over the 8192 px limit"),
    ("/compress", {}, "Result 9000x10 has a side over the 8192 px limit"),
    ("/convert-format", {"target_format": "png"},
     "Result 9000x10 has a side over the 8192 px limit"),
])
def test_a_result_wider_than_8192_px_is_refused_naming_the_limit(client, auth, path, body, detail):
    key = "control_image_base64" if path.startswith("/control") else "image_base64"
    response = client.post(API + path, json={key: STRIP, **body}, headers=auth)
    assert response.status_code == 400, response.json
    assert response.json["detail"] == detail


def test_an_outpaint_that_would_grow_past_8192_px_is_refused(client, auth):
    body = {"operation": "outpaint", "image_base64": b64(photo(8000, 10)), "expand_left": 1000}
    response = client.post(API + "/edit/process", json=body, headers=auth)
    assert response.status_code == 400
    assert response.json["detail"] == "Outpaint result 9000x10 has a side over the 8192 px limit"


@pytest.mark.parametrize("path, body", [
    ("/edit/process", {"operation": "remove_background"}),
    ("/compress", {}),
    ("/convert-format", {"target_format": "png"}),
])
def test_a_result_exactly_8192_px_wide_is_made(client, auth, path, body):
    response = client.post(API + path, json={"image_base64": EDGE, **body}, headers=auth)
    assert response.status_code == 200, response.json
    assert (response.json.get("width") or response.json["metadata"]["width"]) == 8192
