"""Errors the services raise; the API turns each into `{"detail": ...}` with its status.

Services never call `abort()`: raising one of these keeps them independent of Flask
requests and lets the JSON API and the HTML pages render the same sentence.
"""
from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A failure with a message that is safe to show to the client."""

    status: int = 400

    def __init__(self, detail: str, *, status: int | None = None,
                 errors: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        self.errors = errors
        self.headers = headers or {}


class ValidationFailed(AppError):
    status = 400


class Unauthorized(AppError):
    status = 401

    def __init__(self, detail: str = "Authenticated user required for image operations."):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class InsufficientCredits(AppError):
    status = 402


class Forbidden(AppError):
    status = 403


class NotFound(AppError):
    status = 404


class PayloadTooLarge(AppError):
    status = 413


class ServiceUnavailable(AppError):
    status = 503


class OperationFailed(AppError):
    """A provider failed after its retries (and failover): 500 with the provider's reason."""

    status = 500
