"""Decode and validate uploaded images, and encode results, the same way for every studio.

Every upload arrives as base64 (raw or a data URL) inside JSON, so the checks that keep a
worker alive happen here, cheapest first: the byte size before decoding base64, the pixel
count from the header before decoding pixels, and a truncated file as a 400, not a 500.
"""
from __future__ import annotations

import binascii
import io
import math
import re

import numpy as np
import pybase64
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from app.errors import PayloadTooLarge, ValidationFailed
from app.imaging import formats
from app.imaging.geometry import cover_scale

INVALID_PAYLOAD = "Invalid base64 image payload"
TRUNCATED = "Image file is truncated or corrupt"
# Formats a browser or a provider can send us. Image.open would otherwise also identify
# formats such as EPS, whose loader shells out to Ghostscript.
ALLOWED_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF")
_DATA_URL = re.compile(r"data:[\w.+-]+/[\w.+-]+(;[\w.+-]+=[\w.+-]+)*;base64,", re.IGNORECASE)
_URL_SAFE = str.maketrans("-_", "+/")
_SRGB = ImageCms.createProfile("sRGB")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
# AVIF speed 8 encodes a 12 MP photo ~6x faster than the default 6 for ~3% more bytes.
# PNG: zlib's Z_RLE strategy, which zlib's manual names for PNG data (filtered rows repeat
# short runs, rarely long strings). Measured on 1 MP renditions of real photographs against
# level 1: 25-35% less time and 10-16% fewer bytes (the bytes level 6 gives at 2-5x the time);
# on a flat graphic, as small as level 6 and as fast as level 1.
Z_RLE = 3
_SAVE_DEFAULTS = {"JPEG": {"quality": 85}, "PNG": {"compress_level": 1, "compress_type": Z_RLE},
                  "WEBP": {"quality": 85},
                  "AVIF": {"quality": 75, "speed": 8}, "GIF": {}, "BMP": {},
                  "TIFF": {"compression": "tiff_adobe_deflate"}}
_NO_ALPHA = ("JPEG", "BMP")
_DEEP_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def decode_base64(payload: str | None, *, max_bytes: int,
                  missing_message: str = "Image payload is required") -> bytes:
    """Return the bytes of a raw base64 string or a `data:image/...;base64,` URL.

    Tolerates whitespace, line breaks, missing padding and the URL-safe alphabet, because
    browsers and CLI tools produce all of them. Raises ValidationFailed (missing or not
    base64) or PayloadTooLarge (decoded size over max_bytes, checked before decoding).
    """
    if payload is None or not isinstance(payload, str) or not payload.strip():
        raise ValidationFailed(missing_message)
    text = payload.strip()
    if text[:5].lower() == "data:":
        match = _DATA_URL.match(text)
        if not match:
            raise ValidationFailed(INVALID_PAYLOAD)
        text = text[match.end():]
    # Line breaks add at most ~3% to the text; the exact check follows decoding.
    if len(text) * 3 // 4 > max_bytes + max_bytes // 32 + 3:
        raise PayloadTooLarge(_too_large(max_bytes))
    try:
        data = pybase64.b64decode(text, validate=True)  # fast path: clean, padded base64
    except (binascii.Error, ValueError):
        data = _decode_lenient(text)
    if len(data) > max_bytes:
        raise PayloadTooLarge(_too_large(max_bytes))
    if not data:
        raise ValidationFailed(INVALID_PAYLOAD)
    return data


def _registered_formats() -> tuple[str, ...]:
    """ALLOWED_FORMATS this Pillow build can open (Pillow 13 reads MPO through its JPEG plugin)."""
    Image.init()
    return tuple(name for name in ALLOWED_FORMATS if name in Image.OPEN)


def _decode_lenient(text: str) -> bytes:
    """Second try for whitespace, missing padding or the URL-safe alphabet (slower, rarer)."""
    text = "".join(text.split()).rstrip("=").translate(_URL_SAFE)
    try:
        return pybase64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(INVALID_PAYLOAD) from None


def open_image(data: bytes, *, max_pixels: int) -> Image.Image:
    """Identify the image from its header only, without decoding pixels.

    Raises ValidationFailed when the bytes are not an image of an allowed format, and
    PayloadTooLarge when width×height exceeds max_pixels (a decompression bomb is refused
    before it costs any memory).
    """
    try:
        image = Image.open(io.BytesIO(data), formats=_registered_formats())
    except Image.DecompressionBombError:
        raise PayloadTooLarge(f"Image has more than the {max_pixels:,} pixel limit") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ValidationFailed(INVALID_PAYLOAD) from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ValidationFailed(INVALID_PAYLOAD)
    if width * height > max_pixels:
        raise PayloadTooLarge(
            f"Image is {width}x{height} pixels, more than the {max_pixels:,} pixel limit")
    return image


def orientation(image: Image.Image) -> int:
    """EXIF orientation (1–8), read for JPEG only: on PNG, getexif() decodes the image."""
    if image.format not in ("JPEG", "MPO"):
        return 1
    value = image.getexif().get(0x0112, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def display_size(image: Image.Image) -> tuple[int, int]:
    """Size as shown to a person: orientations 5–8 swap width and height."""
    width, height = image.size
    return (height, width) if orientation(image) >= 5 else (width, height)


def check_decodes(image: Image.Image) -> None:
    """Decode every pixel once, so a truncated file is a 400 before any provider call.

    When only this check is wanted (the bytes go on unchanged), a JPEG is decoded at ⅛ scale:
    libjpeg still reads the whole entropy-coded stream, so truncation is caught, but the
    raster is 1/64 of the full one (2.4 MiB instead of 152 MiB at 40 MP). Other formats
    decode at full size in their own mode, never converted. Raises ValidationFailed.
    """
    if scales_on_load(image):
        image.draft(None, (1, 1))
    _load(image)


def scales_on_load(image: Image.Image) -> bool:
    """True for formats libjpeg can decode at ½, ¼ or ⅛ scale (`draft`), far faster than whole."""
    return image.format in ("JPEG", "MPO")


def draft_cover(image: Image.Image, width: int, height: int) -> None:
    """Let libjpeg decode at the smallest scale that still covers width×height once cropped.

    For a JPEG that is cover-resized down to an output size: the raster and the resize both
    shrink by the square of the scale. Stored orientation (no EXIF turn), as the resize sees it.
    """
    if not scales_on_load(image):
        return
    scale = min(1.0, cover_scale(image.width, image.height, width, height))
    image.draft(None, (max(1, math.ceil(image.width * scale)), max(1, math.ceil(image.height * scale))))


def draft(image: Image.Image, min_width: int, min_height: int) -> None:
    """Let libjpeg decode at ½, ¼ or ⅛ scale while the result stays ≥ the display size given.

    Decoding a 27 MP JPEG at ½ halves both the decode time and the raster's memory. A no-op
    for other formats and for images already loaded.
    """
    if not scales_on_load(image):
        return
    if orientation(image) >= 5:
        min_width, min_height = min_height, min_width
    image.draft(None, (max(1, min_width), max(1, min_height)))


def normalize(image: Image.Image) -> Image.Image:
    """Decode, apply EXIF orientation, convert to sRGB, and return an RGB or RGBA image.

    Works on `image` itself where it can (the turn, a same-mode profile conversion), so the
    caller's reference never keeps a second full-size raster alive: pass an image you are
    done with. An image already RGB or RGBA is not converted (no copy). Raises
    ValidationFailed with a clear sentence when the file is truncated or corrupt.
    """
    turn = orientation(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    icc = image.info.get("icc_profile")
    _load(image)
    if turn != 1:
        ImageOps.exif_transpose(image, in_place=True)
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode in _DEEP_MODES:
        image = to_8bit(image)
    if icc:
        image = _to_srgb(image, icc, mode)
    return image if image.mode == mode else image.convert(mode)


def to_8bit(image: Image.Image) -> Image.Image:
    """An 8-bit greyscale copy of a 16- or 32-bit one: Pillow's own conversion clips every
    value above 255 to white instead of scaling (a 16-bit PNG would come out blank)."""
    pixels = np.asarray(image)
    if image.mode == "F":
        pixels = pixels * 255.0 / max(float(pixels.max()), 1e-9)
    else:
        pixels = pixels.astype(np.int64) >> 8   # "I" holds 16-bit samples too (PNG, TIFF)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def _load(image: Image.Image) -> None:
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ValidationFailed(TRUNCATED) from None


def _to_srgb(image: Image.Image, icc: bytes, mode: str) -> Image.Image:
    """Convert from an embedded profile to sRGB; an sRGB or unreadable profile is left alone."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return image
        if image.mode not in ("RGB", "RGBA", "CMYK", "L", "LAB"):
            image = image.convert(mode)
        out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, profile, _SRGB, outputMode=out_mode,
                                              inPlace=image.mode == out_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted or image


def flatten(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Composite transparency onto a solid colour (JPEG has no alpha)."""
    if image.mode != "RGBA":
        return image if image.mode == "RGB" else image.convert("RGB")
    canvas = Image.new("RGB", image.size, background)
    canvas.paste(image, mask=image)  # an RGBA mask is its alpha band: no copy of the channel
    return canvas


def encode(image: Image.Image, fmt: str, *, background: tuple[int, int, int] = (255, 255, 255),
           **opts: object) -> bytes:
    """Encode to any output format with fast, sane defaults; alpha is flattened onto
    `background` for JPEG and BMP, which have none.

    PNG defaults to level 1 with zlib's run-length strategy (Z_RLE above): on photographs
    as small as level 6, which costs 2-5× the time.
    """
    name = {"JPG": "JPEG", "TIF": "TIFF"}.get(fmt.upper(), fmt.upper())
    if name not in _SAVE_DEFAULTS:
        raise ValidationFailed(f"Unsupported output format: {fmt}")
    formats.check_fits(formats.BY_PILLOW[name], *image.size)
    if name in _NO_ALPHA:
        image = flatten(image, background)
    buffer = io.BytesIO()
    image.save(buffer, name, **{**_SAVE_DEFAULTS[name], **opts})
    return buffer.getvalue()


def sniff_mime(data: bytes) -> str:
    """MIME type from the magic bytes, so a data URL never lies about its content."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "image/avif"
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    return "application/octet-stream"


def data_url(data: bytes) -> str:
    """`data:<sniffed mime>;base64,...` for bytes returned to the client."""
    return f"data:{sniff_mime(data)};base64,{pybase64.b64encode_as_string(data)}"


def _too_large(max_bytes: int) -> str:
    return f"Image is larger than the {max_bytes / (1024 * 1024):g} MB limit"
