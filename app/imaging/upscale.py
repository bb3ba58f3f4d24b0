"""In-process upscaling: what `fast` does when no provider is configured for it.

A plain resize looks soft when enlarging, so the image is resampled once with LANCZOS
straight to the final size (no intermediate steps that would blur twice) and then given an
unsharp mask whose radius grows with the enlargement, restoring edge contrast without
amplifying flat-area noise (the threshold leaves near-uniform regions alone).
"""
from __future__ import annotations

from PIL import Image, ImageFilter

MIN_RADIUS, MAX_RADIUS = 0.8, 3.0
PERCENT = 90
THRESHOLD = 2


def sharpen_radius(scale: float) -> float:
    """Unsharp-mask radius in output pixels for an enlargement of `scale`."""
    return max(MIN_RADIUS, min(MAX_RADIUS, 0.6 * scale))


def enlarge(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Resize to exactly `size` with LANCZOS, then sharpen; alpha is resized, not sharpened."""
    width, height = size
    scale = max(width / image.width, height / image.height)
    alpha = image.getchannel("A") if image.mode == "RGBA" else None
    rgb = image.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    if scale > 1:
        rgb = rgb.filter(ImageFilter.UnsharpMask(radius=sharpen_radius(scale), percent=PERCENT,
                                                 threshold=THRESHOLD))
    if alpha is None:
        return rgb
    rgb.putalpha(alpha.resize(size, Image.Resampling.LANCZOS))
    return rgb
