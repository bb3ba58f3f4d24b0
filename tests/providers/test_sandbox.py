"""Sandbox: deterministic real PNGs at the size the real operation would return."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.providers.base import ControlRequest, EditRequest, GenerateRequest, UpscaleRequest
from app.providers.sandbox import SandboxProvider
from tests.fakes.server import png_bytes

SOURCE = png_bytes(300, 200)
sandbox = SandboxProvider()


def size_of(result):
    with Image.open(io.BytesIO(result.data)) as img:
        assert img.format == "PNG"
        return img.size


def test_generate_is_deterministic_and_exact():
    a = sandbox.generate(GenerateRequest("cat", width=1200, height=628, seed=4))
    b = sandbox.generate(GenerateRequest("cat", width=1200, height=628, seed=4))
    c = sandbox.generate(GenerateRequest("cat", width=1200, height=628, seed=5))
    assert a.data == b.data and a.data != c.data
    assert size_of(a) == (1200, 628) and a.mime_type == "image/png"
    assert (a.provider, a.model, a.seed) == ("sandbox", "sandbox", 4)


def test_label_is_drawn():
    result = sandbox.generate(GenerateRequest("cat", width=400, height=400, seed=1))
    with Image.open(io.BytesIO(result.data)) as img:
        centre = img.convert("RGB").crop((100, 180, 300, 220))
        assert max(high for _, high in centre.getextrema()) >= 230  # white label text


@pytest.mark.parametrize("request_, size", [
    (EditRequest("inpaint", SOURCE, prompt="x", mask=png_bytes(300, 200, (255, 255, 255))),
     (300, 200)),
    (EditRequest("outpaint", SOURCE, left=10, right=20, up=5, down=0), (330, 205)),
    (EditRequest("remove_background", SOURCE), (300, 200)),
    (EditRequest("relight", SOURCE, background=SOURCE), (300, 200)),
    (UpscaleRequest("fast", SOURCE), (1200, 800)),
    (UpscaleRequest("conservative", SOURCE), (2508, 1672)),
    (ControlRequest("sketch", SOURCE, "x"), (300, 200)),
    (ControlRequest("style", SOURCE, "x", aspect_ratio="16:9"), (1365, 768)),
    (ControlRequest("style", SOURCE, "x"), (1024, 1024)),
    (ControlRequest("style_transfer", SOURCE, "x", style_image=png_bytes(50, 50)), (1254, 836)),
])
def test_sizes_follow_the_real_operation(request_, size):
    result = sandbox.run(request_)
    assert size_of(result) == size
    assert sandbox.run(request_).data == result.data


def test_remove_background_keeps_transparency():
    result = sandbox.edit(EditRequest("remove_background", SOURCE))
    with Image.open(io.BytesIO(result.data)) as img:
        assert img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0
