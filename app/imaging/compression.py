"""Encoding to a byte budget, and estimating a size without writing the whole file.

A target size is met by the encoder alone, never by shrinking the picture: lossy formats
search the quality, PNG falls back to a palette of fewer colours. The search is bounded
(at most MAX_ENCODES encodes) because each encode of a 12 MP photo costs 100–300 ms:
the requested quality first, then the floor (to know at once whether the target can be
reached), then interpolation on log(size) between the best that fits and the least that
does not, which lands within a step or two of the exact answer.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from app.imaging import codec
from app.imaging.formats import OutputFormat

MAX_ENCODES = 6
LOWEST_QUALITY = 1
DEFAULT_QUALITY = 85
PALETTES = (256, 128, 64, 32, 16, 8, 4, 2)   # PNG colours tried under a target, most first
EXACT_PIXELS = 2_000_000     # up to this, an estimate encodes the whole image
SAMPLE_SHARE = 8             # above it, one row band in this many is encoded and scaled
BAND_ROWS = 32               # a multiple of 16, bands start on 16-row lines: JPEG's blocks stay whole
SAMPLED_FORMATS = ("jpeg", "png")


@dataclass
class Compressed:
    """The encoded file, the quality (lossy) or palette (PNG) used, and how many encodes
    it took (a target that cannot be met raises TargetUnreachable instead)."""

    data: bytes
    quality: int | None = None
    colors: int | None = None
    encodes: int = 1
    notes: list[str] = field(default_factory=list)


class TargetUnreachable(Exception):
    """Even the lowest quality (or fewest colours) is larger than the target; `data` is
    that smallest file."""

    def __init__(self, data: bytes, encodes: int):
        super().__init__(f"smallest reachable size is {len(data)} bytes")
        self.data = data
        self.encodes = encodes

    @property
    def smallest(self) -> int:
        return len(self.data)


Encode = Callable[[Image.Image, "int | None"], bytes]


def encoder(output: OutputFormat, *, progressive: bool = True, optimize: bool = True,
            background: tuple[int, int, int] = (255, 255, 255),
            extra: dict[str, Any] | None = None) -> Encode:
    """A function (image, quality) -> bytes in `output` with these options (quality None:
    the format's lossless or default setting). `extra` goes to Pillow as is (the XMP mark,
    EXIF)."""
    options = dict(extra or {})
    if output.name == "jpeg":
        options.update(progressive=progressive, optimize=optimize)
    elif output.name == "png":
        # The thorough levels search long repeats too: zlib's default strategy, not the fast default's RLE.
        options.update(compress_level=9 if optimize else 6, optimize=optimize, compress_type=-1)

    def encode(image: Image.Image, quality: int | None) -> bytes:
        settings = dict(options)
        if quality is not None and output.lossy:
            settings["quality"] = quality
        return codec.encode(image, output.name, background=background, **settings)
    return encode


def compress(image: Image.Image, output: OutputFormat, quality: int | None, max_bytes: int | None,
             encode: Encode, *, floor: int = LOWEST_QUALITY) -> Compressed:
    """Encode at `quality` (lossy) or losslessly (PNG); over `max_bytes`, search as the
    module says, no lower than `floor`. Raises TargetUnreachable with the smallest file."""
    if not output.lossy:
        return _palette_search(image, max_bytes, encode)
    quality = quality or DEFAULT_QUALITY
    first = encode(image, quality)
    if max_bytes is None or len(first) <= max_bytes:
        return Compressed(first, quality)
    return _quality_search(image, quality, len(first), max_bytes, encode, floor)


def _quality_search(image: Image.Image, high: int, high_size: int, max_bytes: int,
                    encode: Encode, lowest: int) -> Compressed:
    """Regula falsi on log(size) with the Illinois rule: when one end of the bracket holds
    twice in a row, its weight is halved, so the next guess jumps past the slow side."""
    floor = encode(image, lowest)
    encodes = 2
    if len(floor) > max_bytes:
        raise TargetUnreachable(floor, encodes)
    low, low_data = lowest, floor
    target = math.log(max_bytes)
    low_gap, high_gap = math.log(len(floor)) - target, math.log(high_size) - target
    kept = 0            # > 0: low held that many times in a row; < 0: high did
    while high - low > 1 and encodes < MAX_ENCODES:
        share = -low_gap / (high_gap - low_gap)
        quality = min(high - 1, max(low + 1, low + round((high - low) * share)))
        attempt = encode(image, quality)
        encodes += 1
        gap = math.log(len(attempt)) - target
        if gap <= 0:
            low, low_data, low_gap = quality, attempt, gap
            kept = min(kept, 0) - 1
            if kept < -1:
                high_gap /= 2
        else:
            high, high_gap = quality, gap
            kept = max(kept, 0) + 1
            if kept > 1:
                low_gap /= 2
    return Compressed(low_data, low, encodes=encodes,
                      notes=[f"Quality {low} is the highest that fits {_kb(max_bytes)} KB"])


def _palette_search(image: Image.Image, max_bytes: int | None, encode: Encode) -> Compressed:
    """Lossless first; over the target, the most colours whose palette PNG fits: 256 first,
    then a binary search over the rest of PALETTES."""
    lossless = encode(image, None)
    if max_bytes is None or len(lossless) <= max_bytes:
        return Compressed(lossless)
    encodes, smallest = 1, lossless
    fits: tuple[int, bytes] | None = None
    low, high = 0, len(PALETTES) - 1          # indexes into PALETTES: more … fewer colours
    while low <= high and encodes < MAX_ENCODES:
        middle = low if encodes == 1 else (low + high) // 2
        colors = PALETTES[middle]
        data = encode(image.quantize(colors, method=_quantizer(image)), None)
        encodes += 1
        smallest = min(smallest, data, key=len)
        if len(data) <= max_bytes:
            fits, high = (colors, data), middle - 1
        else:
            low = middle + 1
    if fits is None:
        raise TargetUnreachable(smallest, encodes)
    colors, data = fits
    return Compressed(data, colors=colors, encodes=encodes,
                      notes=[f"Reduced to a {colors}-colour palette to fit {_kb(max_bytes)} KB"])


def _quantizer(image: Image.Image) -> Image.Quantize:
    """Fast octree keeps alpha; median cut (better colours) takes RGB only."""
    return Image.Quantize.FASTOCTREE if image.mode == "RGBA" else Image.Quantize.MEDIANCUT


def estimate_size(image: Image.Image, output: OutputFormat, quality: int | None,
                  encode: Encode) -> int:
    """The size `encode` would give `image` at `quality`, computed. JPEG and PNG above
    EXACT_PIXELS: evenly spaced bands of whole rows (one in SAMPLE_SHARE) encoded as one
    image and scaled by the share of rows, the file's fixed overhead counted once (within 5%
    of the real size on the test photographs). WebP and AVIF adapt their quantisers to the
    whole picture, so bands overestimate them by up to 28%: they are encoded once, exactly."""
    if output.name not in SAMPLED_FORMATS or image.width * image.height <= EXACT_PIXELS:
        return len(encode(image, quality))
    bands = max(1, image.height // (BAND_ROWS * SAMPLE_SHARE))
    step = image.height / bands
    sample = Image.new(image.mode, (image.width, bands * BAND_ROWS))
    for band in range(bands):
        top = min(image.height - BAND_ROWS, round(band * step + (step - BAND_ROWS) / 2)) // 16 * 16
        sample.paste(image.crop((0, top, image.width, top + BAND_ROWS)), (0, band * BAND_ROWS))
    overhead = len(encode(Image.new(image.mode, (16, 16)), quality))
    scaled = (len(encode(sample, quality)) - overhead) * image.height / sample.height
    return max(overhead, round(scaled + overhead))


def _kb(n_bytes: int) -> str:
    return f"{n_bytes / 1024:g}"
