"""The one error renderer for every failure, API or page.

`/api/...` paths always answer `{"detail": "..."}` (plus optional per-field `errors`);
browser pages get an HTML error page with the same sentence.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import current_app, jsonify, make_response, render_template, request
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import HTTPException

from app.errors import AppError, Sentence, ValidationFailed, field_errors
from app.extensions import db

log = logging.getLogger(__name__)
LOCATIONS = {"json", "query", "form", "path", "view_args", "files", "headers", "cookies"}

HTTP_SENTENCES = {
    400: "Bad request",
    401: "Authenticated user required for image operations.",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    429: "Rate limit exceeded",
    500: "Internal server error",
}


DATABASE_DOWN = "The database is unavailable; retry shortly"
DELETED_MEANWHILE = "Not found: it was deleted while this request was being handled"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def field_sentence(messages: Any) -> tuple[str, dict[str, list[str]]]:
    """One sentence naming each failed field, and the messages per field.

    webargs nests messages under the request location (`json`, `query`, ...); that level
    is dropped. A `Sentence` message stands alone as the whole detail.
    """
    if isinstance(messages, dict) and set(messages) <= LOCATIONS:
        merged: dict[str, Any] = {}
        for part in messages.values():
            merged.update(part if isinstance(part, dict) else {"_schema": part})
        messages = merged
    errors = field_errors(messages)
    for texts in errors.values():
        whole = next((text for text in texts if isinstance(text, Sentence)), None)
        if whole is not None:
            return whole, errors
    parts = [("; ".join(texts) if field == "_schema" else
              f"Invalid value for '{field}': {'; '.join(texts)}") for field, texts in errors.items()]
    return " ".join(parts), errors


def render_error(status: int, detail: str, *, errors: dict | None = None,
                 headers: dict | None = None):
    """One response for every error: JSON on /api paths, an HTML page elsewhere."""
    if wants_json():
        body = {"detail": detail}
        if errors:
            body["errors"] = errors
        response = jsonify(body)
    else:
        response = make_response(render_template("errors/error.html", status=status, detail=detail))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_error(error: HTTPException):
    if error.response is not None:  # a view's own answer, such as the login form's 429
        return error.response
    status = error.code or 500
    headers = {}
    if status in (400, 422):
        data = getattr(error, "data", None) or {}
        exc = data.get("exc")
        if isinstance(exc, AppError):
            return handle_app_error(exc)
        if data.get("messages"):
            detail, errors = field_sentence(data["messages"])
            return render_error(400, detail, errors=errors)
        return render_error(400, error.description or HTTP_SENTENCES[400])
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 405:
        headers["Allow"] = ", ".join(error.valid_methods or [])
    if status == 429:
        detail = f"Rate limit exceeded: {error.description}. Retry later."
    elif status >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
        _rollback()
        detail = HTTP_SENTENCES[500]
    elif status == 413:
        detail = f"Request body too large: the limit is {current_app.config['MAX_REQUEST_MB']:g} MB"
    elif status == 404:
        detail = "Not found: " + request.path if wants_json() else "Page not found"
    else:
        detail = HTTP_SENTENCES.get(status) or error.description or error.name
    return render_error(status, detail, headers=headers)


def handle_app_error(error: AppError):
    if error.status >= 500:
        _rollback()
    return render_error(error.status, error.detail, errors=error.errors, headers=error.headers)


def _rollback() -> None:
    db.session.rollback()


def handle_database_down(error: OperationalError):
    """The database went away (a restart, a failover): a retryable 503, not a 500. Nothing
    is lost: a reservation left pending is refunded by the sweeper."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path,
                type(getattr(error, "orig", error)).__name__)
    _rollback_quietly()
    return render_error(503, DATABASE_DOWN, headers={"Retry-After": "5"})


def handle_deleted_meanwhile(error: StaleDataError | ObjectDeletedError):
    """What the request changes or reads back was deleted by another request while it ran (a
    persona saved in one tab as another tab deletes it): the 404 it would have had a moment
    later, not a 500."""
    _rollback_quietly()
    return render_error(404, DELETED_MEANWHILE)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()


def register_error_handlers(app) -> None:
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(StaleDataError, handle_deleted_meanwhile)
    app.register_error_handler(ObjectDeletedError, handle_deleted_meanwhile)


def load_args(schema: ma.Schema, values: Mapping[str, Any], *,
              blank_is_missing: bool = True) -> dict[str, Any]:
    """Load a page's form or query with the API's schema (a blank choice, such as "All
    studios", counts as left out). Raises ValidationFailed with the API's sentence."""
    if blank_is_missing:
        values = {key: value for key, value in values.items() if value != ""}
    try:
        return schema.load(values)
    except ma.ValidationError as exc:
        detail, errors = field_sentence(exc.messages)
        raise ValidationFailed(detail, errors=errors) from None


def load_each(schema: ma.Schema, bodies: list[Any]) -> list[dict[str, Any] | ValidationFailed]:
    """A batch's entries each loaded with the single request's schema: an entry that fails
    is its ValidationFailed (the API's sentence), so one bad entry does not refuse the rest."""
    loaded: list[dict[str, Any] | ValidationFailed] = []
    for body in bodies:
        try:
            if not isinstance(body, Mapping):
                raise ValidationFailed("Each entry must be an object")
            loaded.append(load_args(schema, body, blank_is_missing=False))
        except ValidationFailed as error:
            loaded.append(error)
    return loaded
