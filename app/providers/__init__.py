"""Provider layer: one client per image vendor behind one interface, plus routing and prices.

Pure Python (no Flask): studios build a request, ask `registry.plan()` for routes and
`registry.execute()` for the image. See `base.py` for the interface.
"""
from .base import (
                   ControlRequest,
                   EditRequest,
                   GenerateRequest,
                   ImageResult,
                   Provider,
                   ProviderError,
                   UpscaleRequest,
)
from .pricing import estimate, price
from .registry import Outcome, ProviderRegistry, Route, build_registry

__all__ = ["ControlRequest", "EditRequest", "GenerateRequest", "ImageResult", "Outcome",
           "Provider", "ProviderError", "ProviderRegistry", "Route", "UpscaleRequest",
           "build_registry", "estimate", "price"]
