"""The one price table (credits) and provider facts, from `catalog/data/providers.json`.

`POST /estimate-cost`, `GET /providers`' `cost_range` and the charge recorded for each result
all call `price()`, so they cannot disagree. One credit is 0.01 USD.

Operation names accepted by `price()` / `estimate()`:
- `generate`: priced per model (the provider's default model when none is given);
- edit operations by name: `remove_background`, `inpaint`, `outpaint`, `search_replace`,
  `search_recolor`, `relight`, `general_edit`, `erase` (priced per model where the table
  keys a provider's edits by model);
- upscale modes: `upscale_fast`, `upscale_conservative`, `upscale_creative`, the bare mode
  names `fast` / `conservative` / `creative`, and `upscale` (= `upscale_fast`);
- control operations by name: `sketch`, `structure`, `style`, `style_transfer`;
- `optimize` (the in-process social optimizer, provider `local`).
Providers `local` and `sandbox` cost 0 for everything; `ideogram` is WaveSpeed ideogram-v3-turbo.
Width and height do not change a price (every provider bills per image); they are echoed
in the breakdown.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.catalog.loader import load
from app.catalog.operations import operation_kinds
from app.errors import ValidationFailed


def load_table() -> dict[str, Any]:
    """The parsed providers data file (read once per process by the catalogue loader)."""
    return load("providers")


def provider_info(name: str, table: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Provider `name`'s entry in `table` (default: the data file; a registry passes its
    deployment's table, see `overrides`); ValidationFailed naming it when unknown."""
    providers = (table or load_table())["providers"]
    if name not in providers:
        raise ValidationFailed.for_field("provider", f"Unknown provider: {name}")
    return providers[name]


def resolve_alias(provider: str, model: str | None) -> tuple[str, str | None]:
    """Map an alias such as `ideogram` to its (provider, model)."""
    alias = load_table()["aliases"].get(provider)
    if alias:
        return alias["provider"], model or alias["model"]
    return provider, model


def default_model(provider: str, kind: str, operation: str | None = None,
                  table: Mapping[str, Any] | None = None) -> str | None:
    """The model a provider uses for `kind`/`operation` when the request names none."""
    defaults = provider_info(provider, table).get("default_models", {})
    return defaults.get(f"{kind}:{operation}") or defaults.get(kind)


def canonical_model(provider: str, model: str | None, kind: str = "generate",
                    operation: str | None = None,
                    table: Mapping[str, Any] | None = None) -> str | None:
    """The short model name the table knows (`ideogram-ai/ideogram-v3-turbo` -> `ideogram-v3-turbo`);
    ValidationFailed naming `model` when the provider does not serve it."""
    info = provider_info(provider, table)
    if model is None:
        return default_model(provider, kind, operation, table)
    short = _short_name(info, model)
    if short in info["models"] or info.get("any_model"):
        return short
    raise ValidationFailed.for_field("model", f"Unknown model '{model}' for provider '{provider}'")


def _short_name(info: Mapping[str, Any], model: str) -> str:
    for short, full in info.get("model_ids", {}).items():
        if model == full:
            return short
    return model


def operation_name(kind: str, operation: str | None) -> str:
    """The price-table name of a request's kind and operation (upscale modes are
    `upscale_<mode>`): the inverse of `operation_kinds()`."""
    if kind == "generate":
        return "generate"
    if kind == "upscale":
        return f"upscale_{operation}"
    return operation or kind


def _kind_of(operation: str) -> tuple[str, str | None]:
    kinds = operation_kinds()
    if operation not in kinds:
        raise ValidationFailed.for_field("operation", f"Unknown operation: {operation}")
    return kinds[operation]


def price(provider: str, operation: str, model: str | None = None) -> float:
    """Credits for one image of `operation` at `provider` (see the module docstring)."""
    provider, model = resolve_alias(provider, model)
    kind, sub = _kind_of(operation)
    info = provider_info(provider)
    if kind not in info["operations"] or (sub and info["operations"][kind]
                                          and sub not in info["operations"][kind]):
        raise ValidationFailed.for_field("operation",
                                         f"Provider '{provider}' does not support {operation}")
    table = info["prices"].get(kind, info["prices"].get("*"))
    if not isinstance(table, dict):
        return float(table)
    # A price, not a check: whether the model is served is the registry's question, asked of
    # the deployment's models (which may name models this file does not list). An edit is
    # priced by its operation, or by its model where the provider bills per model (Gemini).
    by_model = _short_name(info, model) if model else default_model(provider, kind, sub)
    for key in ((by_model,) if kind == "generate" else (sub, by_model)):
        if key in table:
            return float(table[key])
    if "*" in table:
        return float(table["*"])
    raise ValidationFailed.for_field("model", f"No price for model '{by_model}' at provider '{provider}'")


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def estimate(provider: str, model: str | None, operation: str = "generate",
             num_images: int = 1, width: int | None = None, height: int | None = None,
             table: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The `POST /estimate-cost` answer: unit price × `num_images`, with a breakdown;
    the model is checked against `table`'s (the deployment's) models."""
    if num_images < 1:
        raise ValidationFailed.for_field("num_images", "num_images must be at least 1")
    real_provider, real_model = resolve_alias(provider, model)
    kind, sub = _kind_of(operation)
    shown_model = canonical_model(real_provider, real_model, kind, sub, table)
    unit = price(real_provider, operation, shown_model)
    breakdown: dict[str, Any] = {"unit_price": _number(unit), "num_images": num_images}
    if width and height:
        breakdown["size"] = f"{width}x{height}"
    return {"estimated_cost": _number(unit * num_images), "currency": "credits",
            "provider": real_provider, "model": shown_model, "operation": operation,
            "num_images": num_images, "breakdown": breakdown}


def cost_range(provider: str, table: Mapping[str, Any] | None = None) -> str:
    """Like "3-8 credits": the spread of the prices of the models `table` serves (all prices
    when the provider cannot generate)."""
    info = provider_info(provider, table)
    prices = info["prices"]
    if "generate" in prices:
        tables = [{k: v for k, v in prices["generate"].items() if k == "*" or k in info["models"]}]
    else:
        tables = list(prices.values())
    values = sorted({float(v) for t in tables for v in (t.values() if isinstance(t, dict) else [t])})
    low, high = _number(values[0]), _number(values[-1])
    if low == high:
        return f"{low} credit" if low == 1 else f"{low} credits"
    return f"{low}-{high} credits"
