"""Reads the catalogue's JSON data files once per process."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"


@cache
def load(name: str) -> Any:
    """Parsed `data/<name>.json`; cached because the files never change at run time."""
    with open(DATA_DIR / f"{name}.json", encoding="utf-8") as handle:
        return json.load(handle)
