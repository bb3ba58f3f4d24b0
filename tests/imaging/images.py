"""Test images built in code: no binary fixtures."""
from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image, ImageDraw

RED = (230, 20, 20)


def to_bytes(image: Image.Image, fmt: str = "PNG", **opts) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **opts)
    return buffer.getvalue()


def noisy(width: int, height: int, seed: int = 0) -> Image.Image:
    """Uniform noise: incompressible, the worst case for a byte cap."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def scene(width: int, height: int, disc_at: tuple[float, float], radius: int) -> Image.Image:
    """A dull, slightly textured grey picture with one vivid red disc (the salient object)."""
    rng = np.random.default_rng(1)
    pixels = (120 + rng.normal(0, 3, (height, width, 1))).clip(0, 255).repeat(3, axis=2)
    image = Image.fromarray(pixels.astype(np.uint8))
    cx, cy = disc_at[0] * width, disc_at[1] * height
    ImageDraw.Draw(image).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=RED)
    return image


def is_red(pixel) -> bool:
    return pixel[0] > 180 and pixel[1] < 80 and pixel[2] < 80


def has_red(image: Image.Image) -> bool:
    arr = np.asarray(image.convert("RGB")).astype(int)
    return bool(((arr[..., 0] > 180) & (arr[..., 1] < 80) & (arr[..., 2] < 80)).any())


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def swapped_rg_profile() -> bytes:
    """A matrix/TRC RGB ICC profile (v2) whose red and green primaries are swapped.

    Pure stored red is therefore displayed as green: a conversion to sRGB is unmistakable.
    """
    desc_text = b"Swapped RG test profile\0"
    desc = (b"desc" + b"\0" * 4 + struct.pack(">I", len(desc_text)) + desc_text
            + b"\0" * 8 + b"\0" * 3 + b"\0" * 67)
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    tags = [(b"desc", desc), (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", _xyz(0.3851, 0.7169, 0.0971)), (b"gXYZ", _xyz(0.4361, 0.2225, 0.0139)),
            (b"bXYZ", _xyz(0.1431, 0.0606, 0.7141)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
            (b"cprt", b"text" + b"\0" * 4 + b"none\0\0\0\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntr"
              + b"RGB " + b"XYZ " + b"\0" * 12 + b"acsp" + b"APPL" + b"\0" * 4 + b"\0" * 8
              + b"\0" * 8 + b"\0" * 4 + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 4
              + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header claims width×height but carries almost no data."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
