"""The project's smorest `Api` and `Blueprint`: JSON bodies only, every error as `{"detail"}`."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import flask_smorest
import marshmallow as ma
import orjson
from flask import g, request
from marshmallow import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException

from app.errors import AppError
from app.http import text
from app.http.errors import handle_http_error


class ErrorSchema(ma.Schema):
    """Every API error body."""

    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                            metadata={"description": "Messages per field"})


MAX_DEPTH = 64
MAX_DIGITS = 30
TOO_DEEP = f"JSON nested deeper than {MAX_DEPTH} levels is not accepted"
NOT_UTF8 = "The request body is not UTF-8 text: send JSON encoded as UTF-8"


def _bounded_int(digits: str) -> int:
    """No request field needs more digits; Python would spend time (or refuse) on millions."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise AppError(f"Integers of more than {MAX_DIGITS} digits are not accepted")
    return int(digits)


def _too_deep(value: Any) -> bool:
    """True when containers nest deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def load_json(data: bytes) -> Any:
    """Parse a request body within the limits above and with only plain text (app/http/text.py);
    JSONDecodeError for what is not JSON.

    orjson reads it first (a 27 MP photo's 12.8 MB body: ~5 ms, against ~25 ms for the
    standard parser). What orjson refuses or reads differently goes to the standard parser,
    so every body is answered as before: a syntax error gets its message, NaN is read, and
    an integer over 64 bits (which orjson turns into a float) meets the digit bound.
    """
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = _standard(data)
    else:
        if _has_huge_float(value):
            value = _standard(data)
    if isinstance(value, dict | list) and _too_deep(value):
        raise AppError(TOO_DEEP)
    text.check_body(value)
    return value


def _standard(data: bytes) -> Any:
    try:
        return json.loads(data, parse_int=_bounded_int)
    except RecursionError:
        raise AppError(TOO_DEEP) from None
    except UnicodeDecodeError:   # JSON is UTF-8 (RFC 8259), whatever charset the header names
        raise AppError(NOT_UTF8) from None


def _has_huge_float(value: Any) -> bool:
    """True when a number is a float of 2⁶³ or more: perhaps an integer orjson could not hold."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if abs(item) >= 2.0 ** 63:
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def parsed_body() -> Any:
    """The request's JSON body, parsed once per request and shared by the route's schema and
    whatever else reads it (a job stores it, sign-in limits read the email): a studio body
    holds megabytes of base64, so its raw bytes are dropped once parsed. `missing` when the
    request sent no body or no JSON: a reader after the schema (the `Prefer: respond-async`
    check on a route whose fields are all optional) then finds nothing, not a parse error."""
    if "json_body" not in g:
        data = request.get_data(cache=True)
        g.json_body = load_json(data) if data and is_json_request(request) else missing
        request.drop_body()
    return g.json_body


def release_body() -> None:
    """Forget the parsed body once its last reader before the view is done: the view's
    arguments are then the only holder of an upload's text, which a studio lets go once it is
    decoded (a 27 MP photo's 13 MB of base64 would otherwise stay until the answer is sent)."""
    g.pop("json_body", None)


def releases_body(view: Callable) -> Callable:
    """For a view below `blp.arguments` whose arguments hold all it needs: the parsed body is
    forgotten before it runs (`release_body`), so an upload's text has the one holder a
    studio lets go once it is decoded."""
    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        release_body()
        return view(*args, **kwargs)
    return run


class JsonParser(FlaskParser):
    """Refuses a body that is not JSON instead of treating it as missing, and bounds what a
    body may hold before any field is read."""

    def _raw_load_json(self, req):
        if req.get_data(cache=True) and not req.is_json:
            raise AppError("Request body must be JSON (Content-Type: application/json)")
        return parsed_body()


class Blueprint(flask_smorest.Blueprint):
    """API blueprint: JSON bodies only, validation errors as 400. `tag` is the heading its
    operations get in the API docs (default: the name without `_api`, capitalised), so readers
    see "Library" rather than the endpoint prefix `assets_api`."""

    ARGUMENTS_PARSER = JsonParser()

    def __init__(self, name: str, *args, tag: str | None = None, **kwargs):
        super().__init__(name, *args, **kwargs)
        self.tag = tag or name.removesuffix("_api").replace("_", " ").capitalize()

    def route(self, rule, *, parameters=None, tags=None, **options):
        return super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)

    def arguments(self, schema, *args, **kwargs):
        kwargs.setdefault("error_status_code", 400)
        return super().arguments(schema, *args, **kwargs)


class Api(flask_smorest.Api):
    """Publishes the error schema and answers HTTP errors in the project's format."""

    ERROR_SCHEMA = ErrorSchema

    def register_blueprint(self, blp, *, parameters=None, **options):
        """flask-smorest's registration with one change: the docs list the blueprint under its
        readable `tag` (its routes carry it), while Flask keeps its name for endpoints
        (url_for("assets_api.…"))."""
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp.name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name, parameters=parameters)
        self.spec.tag({"name": getattr(blp, "tag", blp.name), "description": blp.description})

    def handle_http_exception(self, error: HTTPException):
        return handle_http_error(error)
