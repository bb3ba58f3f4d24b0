"""The sandbox provider: free, offline, deterministic stand-in for every operation.

It lets `make run` work with no keys and gives tests real images: the same request (and
seed) gives the same PNG bytes, at the size the real operation would return,
with a visible "SANDBOX" label. Edits, upscales and controls are derived from the input so
the result looks like a transformed version of it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import math

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from app.imaging import ratios

from .base import (
    ControlRequest,
    EditRequest,
    GenerateRequest,
    ImageResult,
    Provider,
    Request,
    UpscaleRequest,
)

MODEL = "sandbox"
ONE_MP = ratios.ONE_MEGAPIXEL


class SandboxProvider(Provider):
    name = "sandbox"
    label = "Sandbox (offline)"
    renders_here = True  # a 40 MP sandbox edit holds ~300 MiB of rasters while it runs

    def generate(self, request: GenerateRequest) -> ImageResult:
        canvas = _pattern(_digest(request), (request.width, request.height))
        return _result(request, canvas)

    def edit(self, request: EditRequest) -> ImageResult:
        source = _open(request.image)
        digest = _digest(request)
        if request.operation == "outpaint":
            size = (source.width + request.left + request.right,
                    source.height + request.up + request.down)
            canvas = _pattern(digest, size)
            canvas.paste(source, (request.left, request.up))
        elif request.operation == "remove_background":
            canvas = source  # putalpha turns it RGBA in place
            alpha = Image.new("L", canvas.size, 0)
            ImageDraw.Draw(alpha).ellipse((canvas.width * 0.15, canvas.height * 0.1,
                                           canvas.width * 0.85, canvas.height * 0.95), fill=255)
            canvas.putalpha(alpha)
            del alpha
        else:
            tint = _pattern(digest, source.size)
            mask = _open(request.mask).convert("L").resize(source.size) if request.mask else None
            canvas = Image.composite(Image.blend(source, tint, 0.45), source, mask) if mask \
                else Image.blend(source, tint, 0.3)
        return _result(request, canvas)

    def upscale(self, request: UpscaleRequest) -> ImageResult:
        source = _open(request.image)
        w, h = source.size
        if request.mode == "fast":
            scale = min(4.0, math.sqrt(16 * ONE_MP / (w * h)))
        else:
            scale = math.sqrt(4 * ONE_MP / (w * h))
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        canvas = source.resize(size, Image.Resampling.LANCZOS).filter(ImageFilter.SHARPEN)
        return _result(request, canvas)

    def control(self, request: ControlRequest) -> ImageResult:
        source = _open(request.image)
        digest = _digest(request)
        if request.operation == "style":
            size = ratios.one_megapixel(ratios.value(request.aspect_ratio or "1:1"))
        elif request.operation == "style_transfer":
            size = ratios.one_megapixel(source.width / source.height)
        else:
            size = source.size
        base = ImageOps.posterize(source.resize(size, Image.Resampling.LANCZOS), 3)
        style = _open(request.style_image).resize(size) if request.style_image \
            else _pattern(digest, size)
        return _result(request, Image.blend(base, style, 0.4))


def _digest(request: Request) -> bytes:
    """Stable fingerprint of every request field (images by their hash)."""
    h = hashlib.sha256(type(request).__name__.encode())
    for f in dataclasses.fields(request):
        value = getattr(request, f.name)
        h.update(f.name.encode())
        h.update(hashlib.sha256(value).digest() if isinstance(value, bytes)
                 else repr(sorted(value.items()) if isinstance(value, dict) else value).encode())
    return h.digest()


def _open(data: bytes) -> Image.Image:
    """The upload upright in RGB, turned in place and converted only when it is not RGB: a
    40 MP upload is one raster here, not three."""
    image = Image.open(io.BytesIO(data))
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    return image if image.mode == "RGB" else image.convert("RGB")


def _pattern(digest: bytes, size: tuple[int, int]) -> Image.Image:
    """A smooth two-colour diagonal gradient with soft stripes, chosen by the digest."""
    c1, c2 = digest[0:3], digest[3:6]
    small_w, small_h = max(1, min(size[0], 64)), max(1, min(size[1], 64))
    small = Image.new("RGB", (small_w, small_h))
    stripes = 2 + digest[6] % 5
    pixels = []
    for y in range(small_h):
        for x in range(small_w):
            t = (x / small_w + y / small_h) / 2
            wave = 0.5 + 0.5 * math.sin(t * math.pi * 2 * stripes)
            mix = 0.7 * t + 0.3 * wave
            pixels.append(tuple(int(a + (b - a) * mix) for a, b in zip(c1, c2, strict=True)))
    small.putdata(pixels)
    return small.resize(size, Image.Resampling.BILINEAR)


def _label(image: Image.Image) -> Image.Image:
    """Draw a dark band with "SANDBOX" across the middle, sized to fit the image, in place.

    Only the band is composited (the overlay is transparent elsewhere), so the pixels are
    those of compositing the whole image while the extra rasters are a strip, not a copy
    of a 40 MP image in RGBA plus an overlay of the same size.
    """
    w, h = image.size
    font_size = max(8, min(h // 5, w // 6))
    font = ImageFont.load_default(size=font_size)
    band = font_size * 0.8
    box = (0, max(0, math.floor(h / 2 - band)), w, min(h, math.ceil(h / 2 + band) + 1))
    region = image.crop(box).convert("RGBA")
    overlay = Image.new("RGBA", region.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, h / 2 - band - box[1], w, h / 2 + band - box[1]), fill=(0, 0, 0, 140))
    draw.text((w / 2, h / 2 - box[1]), "SANDBOX", font=font, fill=(255, 255, 255, 235), anchor="mm")
    image.paste(Image.alpha_composite(region, overlay).convert(image.mode), box[:2])
    return image


def _result(request: Request, canvas: Image.Image) -> ImageResult:
    keep_alpha = canvas.mode == "RGBA" and getattr(request, "operation", None) == "remove_background"
    if not keep_alpha and canvas.mode != "RGB":
        canvas = canvas.convert("RGB")
    out = io.BytesIO()
    _label(canvas).save(out, format="PNG")
    seed = request.seed if request.seed is not None else int.from_bytes(_digest(request)[:4], "big")
    return ImageResult(out.getvalue(), "image/png", "sandbox", MODEL, seed,
                       {"sandbox": True, "width": canvas.width, "height": canvas.height,
                        "operation": getattr(request, "operation", None) or request.kind})
