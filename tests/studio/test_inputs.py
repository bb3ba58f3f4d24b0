"""Input images: checked once within the limits, passed on as they came when upright."""
import base64

import pytest
from PIL import Image

from app.errors import ValidationFailed
from app.studio.inputs import load_input
from tests.imaging.images import to_bytes


def test_an_upright_jpeg_is_checked_at_reduced_scale_but_keeps_its_size_and_bytes(app):
    data = to_bytes(Image.new("RGB", (2000, 1600), "gray"), "JPEG")
    with app.app_context():
        loaded = load_input(base64.b64encode(data).decode())
    assert (loaded.width, loaded.height, loaded.mime_type) == (2000, 1600, "image/jpeg")
    assert loaded.data == data


def test_a_truncated_jpeg_is_still_refused(app):
    data = to_bytes(Image.effect_noise((300, 300), 60).convert("RGB"), "JPEG")
    with app.app_context(), pytest.raises(ValidationFailed, match="truncated"):
        load_input(base64.b64encode(data[: len(data) // 2]).decode())

