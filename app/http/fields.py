"""Marshmallow pieces every API schema may use, so each enum and bound is published in the
OpenAPI document exactly as the server enforces it."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate


def optional(field: type[ma.fields.Field], description: str | None = None,
             **kwargs: Any) -> ma.fields.Field:
    """A field that may be left out or null (loads as None)."""
    if description:
        kwargs["metadata"] = {**kwargs.get("metadata", {}), "description": description}
    return field(load_default=None, allow_none=True, **kwargs)


def optional_text(description: str, **kwargs: Any) -> ma.fields.String:
    return optional(ma.fields.String, description, **kwargs)


class Choice(ma.fields.String):
    """A case-insensitive choice (`PNG`, ` Smart `): trimmed and lower-cased, then checked."""

    def __init__(self, choices: Any, *, error: str | None = None, **kwargs: Any):
        super().__init__(validate=validate.OneOf(choices, error=error), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class UtcDateTime(ma.fields.AwareDateTime):
    """ISO 8601 with its UTC offset always written: SQLite hands back naive datetimes for
    columns the service stored in UTC."""

    def __init__(self, **kwargs: Any):
        super().__init__(default_timezone=UTC, **kwargs)

    def _serialize(self, value: datetime | None, attr, obj, **kwargs) -> str | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
