"""The shared machinery of the fakes: a threaded WSGI server, a request log, a script queue."""
from __future__ import annotations

import io
import json
import re
import struct
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # keep test output clean
        pass


@dataclass
class Recorded:
    """One request as the fake saw it."""

    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    json: Any = None
    at: float = 0.0

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Scripted:
    """A canned answer used instead of the normal behaviour for the next matching request."""

    status: int = 500
    body: bytes | str | dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    path: str | None = None  # regex the path must match; None = any
    content_type: str = "application/json"


def png_bytes(width: int = 64, height: int = 64, color: tuple[int, int, int] = (200, 80, 40),
              fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format=fmt)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose pixel data stops after one row: its size is known, its pixels cannot be read."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    stream = zlib.compressobj()
    row = stream.compress(b"\0" * (1 + 3 * width)) + stream.flush(zlib.Z_SYNC_FLUSH)  # unfinished
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", row)


class Streamed:
    """A reply body sent in chunks with no Content-Length, up to `size` bytes; counts what the
    client took before it hung up (a finite `size`, so a client without a bound fails, not hangs).
    `broken`: the server then drops the connection instead of ending the body."""

    def __init__(self, size: int, chunk: int = 64 * 1024, broken: bool = False):
        self.size, self.chunk, self.sent, self.broken = size, chunk, 0, broken

    def __iter__(self):
        while self.sent < self.size:
            self.sent += self.chunk
            yield b"\0" * self.chunk
        if self.broken:
            raise ConnectionAbortedError("the fake broke off its reply")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {},
                    content_type="application/json")


class FakeServer:
    """Base class: subclasses implement `handle(request) -> Response` and `error(status, msg)`."""

    def __init__(self, key: str):
        self.key = key
        self.requests: list[Recorded] = []
        self.script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True,
                                   request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- scripting -------------------------------------------------------------------------
    def queue(self, times: int = 1, **answer: Any) -> None:
        """Answer the next `times` matching requests with `Scripted(**answer)`."""
        for _ in range(times):
            self.script.append(Scripted(**answer))

    def fail(self, times: int = 1, status: int = 500, message: str = "Simulated failure",
             retry_after: int | None = None, path: str | None = None) -> None:
        """Fail the next `times` requests with the provider's own error body."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.queue(times, status=status, body=self.error_body(status, message),
                   headers=headers, path=path)

    def hang(self, seconds: float, times: int = 1, path: str | None = None) -> None:
        """Delay the next `times` requests by `seconds` before answering with an error."""
        self.queue(times, status=500, body=self.error_body(500, "late"), delay=seconds, path=path)

    def error_body(self, status: int, message: str) -> Any:
        raise NotImplementedError

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    # --- WSGI ------------------------------------------------------------------------------
    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        request = Request(environ)
        request.get_data(cache=True)
        self._record(request)
        scripted = self._take_script(request.path)
        if scripted is not None:
            if scripted.delay:
                time.sleep(scripted.delay)
            response = self._scripted_response(scripted)
        else:
            response = self.handle(request)
        return response(environ, start_response)

    def _record(self, request: Request) -> None:
        recorded = Recorded(request.method, request.path,
                            {k.lower(): v for k, v in request.headers.items()},
                            dict(request.args), at=time.monotonic())
        if request.mimetype == "multipart/form-data":
            recorded.form = dict(request.form)
            recorded.files = {name: storage.read() for name, storage in request.files.items()}
        elif request.mimetype == "application/json":
            recorded.json = request.get_json(silent=True)
        with self._lock:
            self.requests.append(recorded)

    def _take_script(self, path: str) -> Scripted | None:
        with self._lock:
            for item in list(self.script):
                if item.path is None or re.search(item.path, path):
                    self.script.remove(item)
                    return item
        return None

    @staticmethod
    def _scripted_response(item: Scripted) -> Response:
        body = item.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        return Response(body or b"", status=item.status, headers=item.headers,
                        content_type=item.content_type)
