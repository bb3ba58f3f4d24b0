"""The `local` provider: image work done in this process with Pillow, at no cost.

It sits in the registry like the vendors, so the studio runner plans, reserves (0 credits),
stores and reports in-process work exactly as it does a provider call: `fast` upscaling
when Stability is not configured, each Social Optimizer rendition, and the delivery studios'
re-encodes (compress, convert).
"""
from __future__ import annotations

import io

from PIL import Image

from app.admission import admission
from app.catalog.operations import upscale_settings
from app.imaging import codec
from app.imaging.upscale import enlarge

from .base import DeliverRequest, ImageResult, Provider, RenderRequest, UpscaleRequest


def fast_size(width: int, height: int) -> tuple[int, int]:
    """The default `fast` output: the catalogue's factor (4×), within its pixel budget."""
    settings = upscale_settings()
    scale = min(settings["fast_factor"], (settings["fast_max_pixels"] / (width * height)) ** 0.5)
    return max(1, round(width * scale)), max(1, round(height * scale))


class LocalProvider(Provider):
    name = "local"
    label = "Local (in-process)"

    def cannot(self, kind: str, operation: str | None = None) -> str:
        if kind == "upscale":
            return f"Provider 'local' runs only fast upscales, not {operation}"
        return super().cannot(kind, operation)

    def upscale(self, request: UpscaleRequest) -> ImageResult:
        """LANCZOS + unsharp mask straight to the final size (no second resize by the runner)."""
        with admission.slot(), Image.open(io.BytesIO(request.image)) as source:
            picture = codec.normalize(source)
            width, height = request.target or fast_size(picture.width, picture.height)
            data = codec.encode(enlarge(picture, (width, height)), "png")
        return ImageResult(data, "image/png", self.name, None,
                           metadata={"width": width, "height": height})

    def social(self, request: RenderRequest) -> ImageResult:
        data, metadata = request.source.render(request.target)
        target = request.target
        return ImageResult(data, codec.sniff_mime(data), self.name, None,
                           metadata={"width": target.width, "height": target.height, **metadata})

    def deliver(self, request: DeliverRequest) -> ImageResult:
        data, metadata = request.work()
        return ImageResult(data, codec.sniff_mime(data), self.name, None, metadata=metadata)
