"""Errors the services raise; the API turns each into `{"detail": ...}` with its status.

Services never call `abort()`: raising one of these keeps them independent of Flask
requests and lets the JSON API and the HTML pages render the same sentence.
"""
from __future__ import annotations

from typing import Any


class Sentence(str):
    """A validation message that is already the whole error sentence: when a field fails
    with one, it becomes the `detail` as written (the contract fixes some of these).

    marshmallow fills `{input}`, `{min}`... with `str.format`, so formatting keeps the type.
    """

    def format(self, *args: Any, **kwargs: Any) -> Sentence:
        return Sentence(super().format(*args, **kwargs))


def field_errors(messages: Any) -> dict[str, list[str]]:
    """Per-field messages in one shape, `{field: [message, ...]}`, keyed by the request's own
    field names; where the fault lies deeper, the message starts with its path
    (`grow_mask: ...`, `item 2: ...`, `instagram: ...`)."""
    if not isinstance(messages, dict):
        return {"_schema": [_text(m) for m in _listed(messages)]}
    return {str(field): [text if isinstance(text, Sentence) or not path else f"{path}: {text}"
                         for path, text in _paths(value)]
            for field, value in messages.items()}


def _paths(messages: Any, path: str = "") -> list[tuple[str, str]]:
    """(where, message) pairs below one field; marshmallow's Dict `key`/`value` levels and
    list indexes (as 1-based item numbers) are folded into `where`."""
    if not isinstance(messages, dict):
        return [(path, _text(m)) for m in _listed(messages)]
    found = []
    for key, value in messages.items():
        step = f"item {key + 1}" if isinstance(key, int) else "" if key in ("key", "value", "_schema") else str(key)
        found += _paths(value, ".".join(part for part in (path, step) if part))
    return found


def _listed(messages: Any) -> list[Any]:
    return list(messages) if isinstance(messages, (list, tuple)) else [messages]


def _text(message: Any) -> str:
    return message if isinstance(message, str) else str(message)


class AppError(Exception):
    """A failure with a message that is safe to show to the client."""

    status: int = 400

    def __init__(self, detail: str, *, status: int | None = None,
                 errors: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        self.errors = field_errors(errors) if errors else None
        self.headers = headers or {}

    @classmethod
    def for_field(cls, field: str, message: str) -> AppError:
        """The error of one field, with the message as both the detail and the field's."""
        return cls(message, errors={field: [message]})


class ValidationFailed(AppError):
    status = 400


class Unauthorized(AppError):
    status = 401

    def __init__(self, detail: str = "Authenticated user required for image operations."):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class InsufficientCredits(AppError):
    status = 402


class NotFound(AppError):
    status = 404


class PayloadTooLarge(AppError):
    status = 413


class ServiceUnavailable(AppError):
    status = 503


class OperationFailed(AppError):
    """A provider failed after its retries (and failover): 500 with the provider's reason."""

    status = 500


class Conflict(AppError):
    """The request is well formed but the resource's state forbids it (a finished job)."""

    status = 409
