"""The project's smorest `Api`/`Blueprint` and the one error renderer for every failure.

`/api/...` paths always answer `{"detail": "..."}` (plus optional per-field `errors`);
browser pages get an HTML error page with the same sentence.
"""
from __future__ import annotations

import logging
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import current_app, jsonify, make_response, render_template, request
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from app.errors import AppError

log = logging.getLogger(__name__)

HTTP_SENTENCES = {
    400: "Bad request",
    401: "Authenticated user required for image operations.",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    429: "Rate limit exceeded",
    500: "Internal server error",
}


class ErrorSchema(ma.Schema):
    """Every API error body."""

    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict()


class JsonParser(FlaskParser):
    """Refuses a body that is not JSON instead of treating it as missing."""

    def _raw_load_json(self, req):
        if req.get_data(cache=True) and not req.is_json:
            raise AppError("Request body must be JSON (Content-Type: application/json)")
        return super()._raw_load_json(req)


class Blueprint(flask_smorest.Blueprint):
    """API blueprint: JSON bodies only, validation errors as 400."""

    ARGUMENTS_PARSER = JsonParser()

    def arguments(self, schema, *args, **kwargs):
        kwargs.setdefault("error_status_code", 400)
        return super().arguments(schema, *args, **kwargs)


class Api(flask_smorest.Api):
    """Publishes the error schema and answers HTTP errors in the project's format."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        return handle_http_error(error)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def field_sentence(messages: Any) -> tuple[str, dict]:
    """Flatten webargs/marshmallow messages into one sentence that names each field."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "path", "view_args", "files"}:
        merged: dict = {}
        for part in messages.values():
            if isinstance(part, dict):
                merged.update(part)
            else:
                return "; ".join(str(m) for m in part), {}
        messages = merged
    if not isinstance(messages, dict):
        return "; ".join(str(m) for m in messages), {}
    parts = []
    for field, errs in messages.items():
        text = "; ".join(str(e) for e in errs) if isinstance(errs, list) else str(errs)
        parts.append(f"Invalid value for '{field}': {text}" if field != "_schema" else text)
    return " ".join(parts), messages


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
    from app.extensions import db

    db.session.rollback()


def register_error_handlers(app) -> None:
    app.register_error_handler(AppError, handle_app_error)


def register_docs_assets(app) -> None:
    """Serve Swagger UI from the installed swagger-ui-bundle, so /api/docs works offline."""
    from flask import Blueprint as FlaskBlueprint
    from flask import send_from_directory
    from swagger_ui_bundle import swagger_ui_path

    assets = FlaskBlueprint("api_docs_assets", __name__)

    @assets.route("/api/docs/assets/<path:filename>")
    def swagger_asset(filename):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    app.register_blueprint(assets)
