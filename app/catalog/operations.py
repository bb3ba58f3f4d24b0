"""Studio operations data (data/operations.json): edit and control operations, their
defaults, provider input limits, and upscale modes and presets."""
from __future__ import annotations

from functools import cache
from typing import Any

from app.catalog.loader import load


def _data() -> dict[str, Any]:
    return load("operations")


def edit_operations() -> dict[str, Any]:
    return _data()["edit"]


def control_operations() -> dict[str, Any]:
    return _data()["control"]


def control_defaults() -> dict[str, Any]:
    """What Stability applies when a control request leaves a strength out."""
    return _data()["control_defaults"]


def aspect_ratios() -> list[str]:
    return _data()["aspect_ratios"]


def upscale_settings() -> dict[str, Any]:
    return _data()["upscale"]


def upscale_modes() -> list[str]:
    return upscale_settings()["modes"]


def input_limits(provider: str, kind: str, operation: str) -> dict[str, Any]:
    """min_side / max_aspect a provider enforces for one operation ({} when none)."""
    return _data()["input_limits"].get(provider, {}).get(kind, {}).get(operation) or {}


@cache
def operation_kinds() -> dict[str, tuple[str, str | None]]:
    """Every operation name a price can be asked for -> (request kind, sub-operation)."""
    modes = upscale_modes()
    return {
        "generate": ("generate", None),
        **{op: ("edit", op) for op in edit_operations()},
        **{mode: ("upscale", mode) for mode in modes},
        **{f"upscale_{mode}": ("upscale", mode) for mode in modes},
        "upscale": ("upscale", "fast"),
        **{op: ("control", op) for op in control_operations()},
        "optimize": ("social", "optimize"),
        "compress": ("deliver", "compress"),
        "convert": ("deliver", "convert"),
    }
