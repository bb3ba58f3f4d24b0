"""Request bodies read from the socket in one call, and handed to the request without a copy.

Werkzeug reads a body 64 KiB at a time, and gunicorn's reader answers each of those reads by
copying everything it has buffered beyond them: a 4.3 MB studio body (a 12 MP photo in
base64) cost ~40 ms of copying in a gunicorn worker, and one read of the declared length
costs one copy. Werkzeug then reads it again through its own length guard, 64 KiB at a
time into a growing buffer (~20 ms for a 27 MP photo's 12.8 MB); `BodyRequest` gives it the
buffered body instead, which `get_data` takes whole without copying. Bodies over
MAX_CONTENT_LENGTH are not read here: Flask refuses them with 413 without reading them.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import IO, Any

from flask import Request
from werkzeug.utils import cached_property

WSGIApp = Callable[[dict[str, Any], Callable], Iterable[bytes]]
BUFFERED = "image_studio.whole_body"   # environ key: the body is in memory, within the limit


class WholeBody:
    """WSGI middleware: a body of known length within `limit` becomes an in-memory stream."""

    def __init__(self, app: WSGIApp, limit: int | None):
        self.app, self.limit = app, limit

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0   # werkzeug answers a malformed length itself
        if 0 < length and (self.limit is None or length <= self.limit):
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))
            environ[BUFFERED] = True
        return self.app(environ, start_response)


class BodyRequest(Request):
    """Flask's request, reading a body WholeBody buffered straight from memory."""

    @cached_property
    def stream(self) -> IO[bytes]:
        if self.environ.get(BUFFERED):
            return self.environ["wsgi.input"]   # already read whole and within the limit
        return super().stream
