"""A request body read from the socket in one call, when the route first asks for it.

Werkzeug reads a body 64 KiB at a time through its length guard, and gunicorn's reader
answers each of those reads by copying everything it has buffered beyond them: a 4.3 MB
studio body (a 12 MP photo in base64) cost ~40 ms of copying in a gunicorn worker, and for a
27 MP photo's 12.8 MB werkzeug's guard added ~20 ms more. One read of the declared length
costs one copy, and `get_data` then takes the buffer whole without copying it.

The body is read only when something asks for it, as before: a request refused on its
headers (no token, over its rate limit) never has its body read, and one declared larger
than MAX_CONTENT_LENGTH is left to werkzeug, which refuses it (413) without reading it. A
chunked body (no declared length) is read until it passes the limit, and refused there.
Once a JSON body is parsed its bytes are dropped (`drop_body`): a 27 MP photo's 12.8 MB
would otherwise stay alive beside its parsed text until the response is sent.
"""
from __future__ import annotations

import io
from typing import IO

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property

from app.bounded import CHUNK, gather


class BodyRequest(Request):
    """Flask's request, reading a body of known length within the limit in one call."""

    @cached_property
    def stream(self) -> IO[bytes]:
        length, limit = self.content_length, self.max_content_length
        if length is None and limit is not None and not self.shallow and self.environ.get("wsgi.input_terminated"):
            return io.BytesIO(_read_within(self.environ["wsgi.input"], limit))
        if not length or (limit is not None and length > limit) or self.shallow:
            return super().stream
        return io.BytesIO(self.environ["wsgi.input"].read(length))

    def drop_body(self) -> None:
        """Forget the raw body, parsed and kept elsewhere: later reads get no bytes."""
        self._cached_data = b""
        self.__dict__["stream"] = io.BytesIO()


def _read_within(stream: IO[bytes], limit: int) -> bytes:
    """A body of no declared length (chunked), read to its end or refused (413) once past
    `limit`. Werkzeug's own guard stops quietly at the limit, so the first MAX_REQUEST_MB of
    a larger body would be parsed as if it were the whole body."""
    body = gather(iter(lambda: stream.read(CHUNK), b""), limit)
    if body is None:
        raise RequestEntityTooLarge()
    return body
