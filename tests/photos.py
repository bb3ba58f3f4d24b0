"""Real photographs for image tests: scikit-image's bundled ones (no download, no fixtures)."""
from __future__ import annotations

import numpy as np
import skimage.data
from PIL import Image

NAMES = ("astronaut", "coffee", "chelsea", "rocket")


def photograph(name: str) -> Image.Image:
    """One bundled photograph as an RGB image (astronaut 512², coffee 600×400, ...)."""
    return Image.fromarray(getattr(skimage.data, name)()).convert("RGB")


def large(name: str, pixels: int = 3_000_000, seed: int = 0) -> Image.Image:
    """The photograph enlarged to about `pixels`, with sensor-like noise so that the
    enlargement does not make it unnaturally easy to compress."""
    image = photograph(name)
    scale = (pixels / (image.width * image.height)) ** 0.5
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    noise = np.random.default_rng(seed).normal(0, 3, (image.height, image.width, 3))
    return Image.fromarray((np.asarray(image, dtype=np.float32) + noise).clip(0, 255).astype(np.uint8))
