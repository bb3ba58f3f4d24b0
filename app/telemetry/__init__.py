"""Telemetry: a request id and a timer per request, one JSON log line and one metric sample.

`init_app` registers the one `before_request` hook that starts the clock and the one
`after_request` hook that reports it, so logs and metrics measure the same interval.
"""
from __future__ import annotations

import re
import time
import uuid

from flask import Flask, g, request

from app.telemetry import endpoint, logs

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _start() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-ID"] = g.get("request_id", "-")
    started = g.get("started")
    name = request.endpoint
    if started is not None and name != "static":
        elapsed = time.perf_counter() - started
        logs.log_request(response, elapsed, name)
        endpoint.observe_request(response, elapsed, name)
    return response


def init_app(app: Flask) -> None:
    logs.configure_logging(app)
    app.before_request(_start)
    app.after_request(_finish)
    endpoint.init_app(app)
