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


def test_each_encoder_writes_up_to_its_longest_side_and_check_fits_says_so():
    """The table's limits are the encoders' own: at the limit Pillow writes the format, one
    pixel past it Pillow fails (so check_fits must refuse first)."""
    import io

    from PIL import Image

    for fmt in formats.FORMATS.values():
        if fmt.max_side is None:
            continue
        Image.new("RGB", (fmt.max_side, 1)).save(io.BytesIO(), fmt.pillow)
        formats.check_fits(fmt, fmt.max_side, 1)
        with pytest.raises((OSError, ValueError, OverflowError, RuntimeError)):
            Image.new("RGB", (fmt.max_side + 1, 1)).save(io.BytesIO(), fmt.pillow)
        with pytest.raises(ValidationFailed, match=f"{fmt.name.upper()} holds at most"):
            formats.check_fits(fmt, 1, fmt.max_side + 1)
