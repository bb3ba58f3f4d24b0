"""Helpers the edit, upscale and control studio tests share."""
from __future__ import annotations

import base64
import io
import threading
import time

import pytest
from PIL import Image, ImageDraw

from app.imaging.formats import output_format as resolve
from app.studio import runner


def b64(image: Image.Image, fmt: str = "PNG", data_url: bool = False) -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    text = base64.b64encode(buffer.getvalue()).decode()
    return f"data:image/{fmt.lower()};base64,{text}" if data_url else text


def photo(width: int, height: int) -> Image.Image:
    """A small image with edges and gradients, so resizing and sharpening show."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(0, width, max(4, width // 8)):
        draw.line((i, 0, width - i, height), fill=(220, 40, 40), width=1)
    draw.rectangle((width // 4, height // 4, width // 2, height // 2), outline=(20, 20, 200), width=2)
    draw.text((2, 2), "Ab", fill=(255, 255, 255))
    return image


def decoded(data_url: str) -> Image.Image:
    """The image inside a response's `image_base64` data URL."""
    header, payload = data_url.split(",", 1)
    assert header.startswith("data:image/") and header.endswith(";base64")
    image = Image.open(io.BytesIO(base64.b64decode(payload)))
    image.load()
    return image


def file_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture
def provider_client(make_app, provider_config):
    """A client whose providers are all configured against the loopback fakes."""
    return make_app(**provider_config).test_client()


def run_one(user_id: int, studio: str, operation: str, routes, request, *, failure: str,
            size=None, output_format: str = "png"):
    """One item through the studio runner, as a single-image studio sends it."""
    plan = runner.Plan(studio, operation, routes, [runner.Item(request, size)], resolve(output_format),
                       failure)
    return runner.run_one(user_id, plan)


class Overlap:
    """Counts how many callers are inside `busy()` at once (the peak is what tests assert)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active = self.peak = 0

    def busy(self, seconds: float = 0.05) -> None:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(seconds)
        with self._lock:
            self.active -= 1


class SlotHolder:
    """Another thread holding one image slot of `gate` (the app's admission by default) from
    entering the block until `release()` or the block's end: with one slot, a full process."""

    def __init__(self, gate=None):
        from app.admission import admission

        self.gate = gate or admission
        self._held, self._release = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._hold)

    def __enter__(self) -> SlotHolder:
        self._thread.start()
        assert self._held.wait(timeout=5), "the slot was never free"
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()

    def release(self) -> None:
        self._release.set()
        self._thread.join(timeout=10)

    def _hold(self) -> None:
        with self.gate.slot():
            self._held.set()
            self._release.wait(timeout=30)
