"""Per-deployment model lists and defaults over providers.json, checked at start-up.

Providers retire models faster than we release (Gemini shut three image models down in
2026), so a deployment names the models it serves in its environment instead of waiting
for a code change: `<PREFIX>_MODELS` (a comma list), `<PREFIX>_DEFAULT_MODEL` (generation)
and `<PREFIX>_DEFAULT_<KIND>_MODEL` for every other kind the catalogue has a default for
(`GEMINI_DEFAULT_EDIT_MODEL`). A provider marked `open_models` in the data speaks the same
wire for every model, so its list may name models the catalogue does not know; the others
only choose among the models their client can run. Every mistake is a ConfigError that
names the setting, raised while the app is built.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from app.config import ConfigError

# provider -> the prefix of its model settings (the same as its key's: HF_TOKEN, HF_MODELS)
PREFIXES = {"stability": "STABILITY", "wavespeed": "WAVESPEED", "huggingface": "HF",
            "gemini": "GEMINI"}


def apply_overrides(table: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """`table` (providers.json) with the deployment's model settings applied: a new table,
    the data file's own stays as read. ConfigError names the first setting that cannot work."""
    merged = copy.deepcopy(dict(table))
    for provider, prefix in PREFIXES.items():
        _apply(merged["providers"][provider], prefix, config)
    return merged


def _apply(entry: dict[str, Any], prefix: str, config: Mapping[str, Any]) -> None:
    label = entry["label"]
    listed = _names(config.get(f"{prefix}_MODELS"))
    if listed is not None:
        if not listed:
            raise ConfigError(f"{prefix}_MODELS is empty: name at least one model {label} serves")
        unknown = [m for m in listed if m not in entry["models"]]
        if unknown and not entry.get("open_models"):
            raise ConfigError(f"{prefix}_MODELS names '{unknown[0]}', which the {label} client "
                              f"cannot run; choose from {', '.join(entry['models'])}")
        entry["models"] = listed
    defaults = entry.setdefault("default_models", {})
    for kind in defaults:
        setting = _default_setting(prefix, kind)
        defaults[kind] = str(config.get(setting) or "").strip() or defaults[kind]
        if defaults[kind] not in entry["models"]:
            raise ConfigError(f"{setting} is '{defaults[kind]}', which is not among the models "
                              f"{label} serves here ({', '.join(entry['models'])}); set "
                              f"{setting} to one of them or add it to {prefix}_MODELS")


def _default_setting(prefix: str, kind: str) -> str:
    return f"{prefix}_DEFAULT_MODEL" if kind == "generate" else f"{prefix}_DEFAULT_{kind.upper()}_MODEL"


def _names(value: Any) -> list[str] | None:
    """A comma list (or a list, from a test config) as names, or None when unset."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    items = value.split(",") if isinstance(value, str) else value
    names = [str(item).strip() for item in items]
    return list(dict.fromkeys(name for name in names if name))
