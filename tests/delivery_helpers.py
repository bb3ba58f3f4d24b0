"""Helpers the Compress and Convert tests share: uploads, magic bytes, decoded results."""
from __future__ import annotations

import base64
import io

from PIL import Image

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "gif": b"GIF8", "bmp": b"BM",
         "tiff": (b"II*\x00", b"MM\x00*")}


def upload(image: Image.Image, fmt: str = "PNG", **options) -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return base64.b64encode(buffer.getvalue()).decode()


def result_bytes(body: dict) -> bytes:
    header, payload = body["image_base64"].split(",", 1)
    assert header.startswith("data:image/") and header.endswith(";base64")
    return base64.b64decode(payload)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def format_of(data: bytes) -> str:
    """The format by magic bytes alone."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "avif"
    for name, magic in MAGIC.items():
        if data.startswith(magic):
            return name
    return "unknown"
