"""The project's smorest `Api` and `Blueprint`: JSON bodies only, every error as `{"detail"}`."""
from __future__ import annotations

import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from app.errors import AppError
from app.http.errors import handle_http_error


class ErrorSchema(ma.Schema):
    """Every API error body."""

    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                            metadata={"description": "Messages per field"})


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
