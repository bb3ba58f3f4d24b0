"""The one table of output formats."""
import pytest

from app.errors import ValidationFailed
from app.imaging import formats


def test_names_aliases_and_extensions():
    assert formats.choices() == ("png", "jpeg", "webp", "jpg")
    assert formats.choices(("png", "jpeg")) == ("png", "jpeg", "jpg")
    assert formats.output_format("JPG").mime_type == "image/jpeg"
    assert formats.output_format(None).name == "png"
    assert [formats.extension(m) for m in ("image/jpeg", "image/webp", "image/gif", "text/plain")] == [
        "jpg", "webp", "gif", "bin"]


def test_an_unknown_format_names_the_choices():
    with pytest.raises(ValidationFailed) as error:
        formats.output_format("gif")
    assert error.value.detail == "Unsupported output format: gif (choose png, jpeg or webp)"
    assert error.value.errors == {"output_format": [error.value.detail]}


def test_the_installed_pillow_writes_webp_and_avif_itself():
    """Both come from Pillow's own codecs (its wheels ship libwebp and libavif): no plugin."""
    from PIL import features

    assert features.check("webp") and features.check("avif")
