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
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
        handler.addFilter(RequestContextFilter())
        root.handlers = [handler]
    root.setLevel(level)
    app.logger.setLevel(level)


def log_request(response, elapsed: float) -> None:
    """The access line: never a header, a token or a body."""
    user = g.get("_identity")
    access.info("request", extra={
        "method": request.method, "path": request.path, "endpoint": request.endpoint,
        "status": response.status_code, "latency_ms": round(elapsed * 1000, 1),
        "user_id": getattr(user, "id", None), "remote_addr": request.remote_addr, "pid": os.getpid(),
    })
