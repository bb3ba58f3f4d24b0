"""Style presets (data/styles.json): the values a style_preset field accepts, and the
phrase prompt enhancement appends for each preset that has one."""
from __future__ import annotations

from app.catalog.loader import load


def style_presets() -> list[str]:
    return list(load("styles")["style_presets"])


def phrased_presets() -> list[str]:
    """The presets prompt enhancement knows a phrase for (those the Create page offers)."""
    return [name for name, phrase in load("styles")["style_presets"].items() if phrase]


def style_phrase(name: str | None) -> str:
    """The phrase for `name`; empty for no preset or a preset without one."""
    return load("styles")["style_presets"].get(name or "") or ""
