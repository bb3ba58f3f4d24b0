"""What a single-image studio (edit, upscale, control) hands back to its route.

A typed result, not an HTTP body: `StudioResultSchema` is the one place that turns it into
the contract's JSON, so every studio's response has the same fields in the same shape.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from app.providers.base import Request
from app.providers.pricing import operation_name, price
from app.studio.runner import Delivered


@dataclass
class StudioResult(Delivered):
    """The delivered image with its operation (edit, control) or mode (upscale)."""

    operation: str | None = None
    mode: str | None = None
    success = True

    @property
    def image_base64(self) -> str:
        return self.data_url


def describe(image: Delivered, started: float, request: Request, *,
             operation: str | None = None, mode: str | None = None,
             metadata: dict[str, Any] | None = None) -> StudioResult:
    """The result with its cost, timing and the provider facts merged into `metadata`."""
    merged = {**image.metadata, **(metadata or {}),
              "provider": image.provider, "model": image.model,
              "width": image.width, "height": image.height,
              "cost": price(image.provider, operation_name(request.kind, request.operation),
                            image.model),
              "processing_time": round(time.monotonic() - started, 3)}
    if image.seed is not None:
        merged["seed"] = image.seed
    return StudioResult(**{**vars(image), "metadata": merged}, operation=operation, mode=mode)
