"""Small Pillow helpers the provider clients share: check replies, shrink inputs, masks.

These stay in the provider layer (not `app/imaging/`) because they exist only to satisfy
provider wire limits and to validate what providers send back.
"""
from __future__ import annotations

import binascii
import io
import math

import pybase64
from PIL import Image, UnidentifiedImageError

from app.imaging import codec
from app.imaging.formats import ALIASES, FORMATS, MIME_BY_PILLOW, OUTPUT_FORMATS

from .base import ImageResult, ProviderError


def output_format(value: str | None, allowed: tuple[str, ...] = tuple(OUTPUT_FORMATS)) -> str:
    """The provider's name for the requested format (`jpg` -> `jpeg`); png when unsupported."""
    fmt = (value or "png").lower()
    fmt = ALIASES.get(fmt, fmt)
    return fmt if fmt in allowed else "png"


def sniff_image(data: bytes, provider: str, label: str, max_pixels: int) -> tuple[str, int, int]:
    """Return (mime type, width, height) of `data`, fully decoding it to catch truncation.

    Raises ProviderError when the bytes are not a complete image Pillow can read, or when
    the header names more than `max_pixels`: a provider's reply is bounded like an upload,
    before decoding it costs memory (a 14000×14000 PNG can be 190 KB on the wire). That
    refusal is retryable, since another provider may answer at the size asked for.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise _too_large(provider, label, max_pixels, f"a {width}×{height}")
            image.load()
            mime = MIME_BY_PILLOW.get(image.format or "", f"image/{(image.format or 'png').lower()}")
            return mime, width, height
    except Image.DecompressionBombError:
        raise _too_large(provider, label, max_pixels, "an") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ProviderError(provider, f"{label} returned an unreadable or truncated image") from None


def _too_large(provider: str, label: str, max_pixels: int, image: str) -> ProviderError:
    return ProviderError(provider, f"{label} returned {image} image over this server's "
                                   f"{max_pixels:,}-pixel limit", retryable=True)


def decode_base64_image(text: object, provider: str, label: str) -> bytes:
    """Decode raw base64 or a `data:` URL; ProviderError when it is not base64 text."""
    if not isinstance(text, str):
        raise ProviderError(provider, f"{label} returned malformed base64 image data")
    payload = text.split(",", 1)[1] if text.startswith("data:") else text
    try:
        return pybase64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        raise ProviderError(provider, f"{label} returned malformed base64 image data") from None


def fit_within(data: bytes, *, max_pixels: int | None = None,
               max_side: int | None = None) -> tuple[bytes, dict | None]:
    """Downscale `data` (keeping aspect) until it meets the pixel and side limits.

    Returns the bytes to send and, when something changed, a note for the result metadata
    so the caller can tell the user the provider saw a smaller input.
    """
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        scale = 1.0
        if max_pixels and width * height > max_pixels:
            scale = math.sqrt(max_pixels / (width * height))
        if max_side and max(width, height) * scale > max_side:
            scale = max_side / max(width, height)
        if scale >= 1.0:
            return data, None
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        resized = codec.normalize(image).resize(size, Image.Resampling.LANCZOS)   # CMYK: no PNG
        out = io.BytesIO()
        resized.save(out, format="PNG")
    return out.getvalue(), {"from": [width, height], "to": list(size)}


COMPACT_QUALITIES = (95, 85)
SHRINK_STEPS = 6
WEBP_MAX_SIDE = FORMATS["webp"].max_side


def within_bytes(data: bytes, max_bytes: int, *,
                 lossless: bool = False) -> tuple[bytes, dict | None]:
    """`data` re-encoded to at most `max_bytes`, for a provider that caps its request size.

    A photograph is sent as JPEG (as WebP when it has alpha, which an inpaint reads as its
    mask), first at a quality no one can tell from the PNG, then a little lower, and only
    then made smaller: pixels are what the provider works on. `lossless` parts (a mask) stay
    PNG and are only made smaller. Returns the bytes and a note (None: sent as they were);
    the note carries the new `size` when the pixels changed. Each smaller try scales by the
    share of bytes still over, so a few suffice; past them the last try is sent as it is
    (the provider then answers with its own size error).
    """
    if len(data) <= max_bytes:
        return data, None
    with Image.open(io.BytesIO(data)) as source:
        picture = source.convert("L") if lossless else codec.normalize(source)
    original = picture.size
    fmt = _compact_format(picture, lossless)
    qualities = (None,) if fmt == "png" else COMPACT_QUALITIES
    out = _first_within(picture, fmt, qualities, max_bytes)
    for _ in range(SHRINK_STEPS):
        if len(out) <= max_bytes:
            break
        scale = math.sqrt(max_bytes / len(out)) * 0.95
        size = (max(1, int(picture.width * scale)), max(1, int(picture.height * scale)))
        picture = picture.resize(size, Image.Resampling.LANCZOS)
        out = _first_within(picture, fmt, qualities, max_bytes)
    return out, _compact_note(fmt, data, out, original, picture.size)


def _compact_format(picture: Image.Image, lossless: bool) -> str:
    """JPEG for an opaque picture, WebP to keep alpha where WebP can hold the size, else PNG."""
    if lossless:
        return "png"
    if picture.mode != "RGBA":
        return "jpeg"
    return "webp" if max(picture.size) <= WEBP_MAX_SIDE else "png"


def _first_within(picture: Image.Image, fmt: str, qualities: tuple[int | None, ...],
                  max_bytes: int) -> bytes:
    """The first quality whose encoding fits, else the last (lowest) one tried."""
    for quality in qualities:
        out = _encoded(picture, fmt, quality)
        if len(out) <= max_bytes:
            break
    return out


def _encoded(picture: Image.Image, fmt: str, quality: int | None) -> bytes:
    out = io.BytesIO()
    if fmt == "jpeg":
        picture.save(out, "JPEG", quality=quality, subsampling=0)
    elif fmt == "webp":
        picture.save(out, "WEBP", quality=quality, alpha_quality=100)
    else:
        picture.save(out, "PNG")
    return out.getvalue()


def _compact_note(fmt: str, before: bytes, after: bytes, original: tuple[int, int],
                  size: tuple[int, int]) -> dict:
    note = {"format": fmt, "bytes": [len(before), len(after)]}
    if size != original:
        note["size"] = {"from": list(original), "to": list(size)}
    return note


def apply_mask(original: bytes, edited: bytes, mask: bytes) -> bytes:
    """Keep the original where the mask is black and the edit where it is white (PNG).

    Used by providers whose edit models take no mask, so a mask still limits the change.
    """
    with Image.open(io.BytesIO(original)) as base_image:
        base_rgba = base_image.convert("RGBA")
    with Image.open(io.BytesIO(edited)) as edited_image:
        edited_rgba = edited_image.convert("RGBA").resize(base_rgba.size, Image.Resampling.LANCZOS)
    with Image.open(io.BytesIO(mask)) as mask_image:
        grey = mask_image.convert("L").resize(base_rgba.size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    Image.composite(edited_rgba, base_rgba, grey).save(out, format="PNG")
    return out.getvalue()


def scaled_size(width: int, height: int, *, max_side: int, min_side: int = 1) -> tuple[int, int]:
    """Nearest size with the same aspect ratio inside [min_side, max_side]."""
    scale = min(1.0, max_side / max(width, height))
    scale = max(scale, min_side / min(width, height))
    return (int(min(max_side, max(min_side, round(width * scale)))),
            int(min(max_side, max(min_side, round(height * scale)))))


def masked_result(result: ImageResult, original: bytes, mask: bytes | None) -> ImageResult:
    """Limit an edit to the mask's white area, for edit models that take no mask."""
    if mask is None:
        return result
    result.data = apply_mask(original, result.data, mask)
    result.mime_type = "image/png"
    result.metadata["mask_applied"] = True
    return result
