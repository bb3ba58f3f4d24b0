"""Prometheus metrics, correct under several gunicorn workers.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it), every worker writes its samples
to that directory and `/metrics` aggregates them all, whichever worker answers the scrape.
"""
from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from app.errors import Unauthorized
from app.instruments import REQUEST_LATENCY

bp = Blueprint("metrics", __name__)


def _registry() -> CollectorRegistry | None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return None


@bp.route("/metrics")
def metrics():
    """Prometheus text format; guarded by METRICS_TOKEN when that is set."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized("Metrics token required")
    registry = _registry()
    body = generate_latest(registry) if registry else generate_latest()
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def _observe(response):
    started = g.get("started")
    if started is not None and request.endpoint not in (None, "static", "metrics.metrics"):
        REQUEST_LATENCY.labels(request.endpoint, request.method, str(response.status_code)).observe(
            time.perf_counter() - started)
    return response


def init_app(app: Flask, api) -> None:
    app.register_blueprint(bp)
    app.after_request(_observe)
