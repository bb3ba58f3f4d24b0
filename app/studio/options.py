"""Route planning and the choices the studio pages offer, read from the app's registry."""
from __future__ import annotations

from typing import Any

from flask import current_app

from app.catalog.operations import aspect_ratios
from app.catalog.styles import style_presets
from app.providers.registry import Route


def plan_routes(kind: str, operation: str, provider: str | None, model: str | None) -> list[Route]:
    """Provider routes for the job (explicit provider: one route; `auto`: failover order)."""
    return current_app.extensions["providers"].plan(kind, operation, provider or "auto", model)


def page_options() -> dict[str, Any]:
    """Choices the studio pages offer: configured providers, style presets, aspect ratios."""
    return {"providers": ["auto", *current_app.extensions["providers"].configured()],
            "style_presets": style_presets(), "aspect_ratios": aspect_ratios()}
