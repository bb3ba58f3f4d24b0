"""Reading a provider's JSON reply without trusting its shape.

A vendor's documented shape is what a client reads, but a reply is input: a `null` where an
object belongs, or a string where a list does, must become "malformed reply", never an
AttributeError and a 500; an error's reason must be a sentence, not `[None]`. These
helpers make every step of a walk through a reply check its type.
"""
from __future__ import annotations

from typing import Any


def member(value: Any, *keys: str) -> Any:
    """`value[k1][k2]...`, or None as soon as a step is not an object or lacks the key."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def objects(value: Any) -> list[dict[str, Any]]:
    """The objects in a JSON array; [] for anything that is not an array."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """A provider's sentence: a non-blank string, or a list's strings joined with "; ";
    None for anything else (a number or an object is not a reason to show a user)."""
    if isinstance(value, list):
        value = "; ".join(item.strip() for item in value if isinstance(item, str) and item.strip())
    return value.strip() or None if isinstance(value, str) else None
