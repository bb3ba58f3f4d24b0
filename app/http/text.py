"""Text a request may carry: no NUL character and no lone surrogate, anywhere.

JSON allows both (`"\\u0000"`, `"\\ud800"`), and each broke a request deep inside: PostgreSQL
refuses a NUL in a text column (a persona's name, a job's id, a collection), and a lone
surrogate is not a character, so the first attempt to write it as UTF-8 (the error message
that quotes an unknown `output_format`, a log line) failed. No field needs either, so they
are refused where a request is read, with a sentence naming the field.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, request

from app.errors import ValidationFailed

NUL = "\x00"
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_body(value: Any) -> None:
    """Raise ValidationFailed (400) when a string or a key anywhere in a parsed JSON body
    holds a NUL or a lone surrogate, naming the top-level field it is under."""
    if not isinstance(value, dict):
        _check(value, None)
        return
    for name, item in value.items():
        _check(name, None)
        _check(item, name)


def _check(value: Any, field: str | None) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                _refuse(field, "a NUL character (\\u0000), which no text here may contain")
            if not item.isascii() and _SURROGATE.search(item):   # isascii is O(1): a base64 upload is skipped
                _refuse(field, "a lone surrogate (\\ud800–\\udfff), which is not a character")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _refuse(field: str | None, what: str) -> None:
    if field is None:
        raise ValidationFailed(f"The JSON body holds {what}")
    raise ValidationFailed.for_field(field, f"Invalid value for '{field[:64]}': it holds {what}")


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _plain_request() -> None:
    """A NUL in the path, a query parameter (`%00`) or a form field (the sign-in page's
    email): refused before any view looks it up."""
    fields = [request.args]
    if request.mimetype in FORMS:
        fields.append(request.form)
    if NUL in request.path or any(NUL in key or NUL in value
                                  for multi in fields for key, value in multi.items(multi=True)):
        raise ValidationFailed("The request holds a NUL character (%00) in its URL or a form field, "
                               "which no text here may contain")


def init_app(app: Flask) -> None:
    app.before_request(_plain_request)
