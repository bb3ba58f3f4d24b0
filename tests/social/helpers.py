"""Shared helpers for the Social Optimizer API tests."""
from __future__ import annotations

import base64
import io

from PIL import Image

from tests.imaging.images import to_bytes

URL = "/api/image-studio/social/optimize"
ZIP_URL = "/api/image-studio/social/optimize.zip"


def b64(image: Image.Image | bytes, fmt: str = "PNG", **opts) -> str:
    data = image if isinstance(image, bytes) else to_bytes(image, fmt, **opts)
    return base64.b64encode(data).decode("ascii")


def decoded(data_url: str) -> Image.Image:
    """The image inside a data URL, checking that the MIME type matches the bytes."""
    header, text = data_url.split(",", 1)
    image = Image.open(io.BytesIO(base64.b64decode(text)))
    image.load()
    assert header == f"data:{Image.MIME[image.format]};base64"
    return image


def optimize(client, auth, image, **body):
    """POST /social/optimize with image_base64 from `image` (a PIL image or base64 text)."""
    payload = image if isinstance(image, str) or image is None else b64(image)
    return client.post(URL, json={"image_base64": payload, **body}, headers=auth)
