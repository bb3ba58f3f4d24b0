"""`/metrics` in Prometheus text format, correct under several gunicorn workers.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it), every worker writes its samples
to that directory and `/metrics` aggregates them all, whichever worker answers the scrape.
"""
from __future__ import annotations

import hmac
import os

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from app.errors import Unauthorized
from app.telemetry.metrics import REQUEST_LATENCY

bp = Blueprint("metrics", __name__)
UNOBSERVED = (None, "static", "metrics.metrics")


def _registry() -> CollectorRegistry | None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return None


@bp.route("/metrics")
def metrics():
    """Prometheus text format: needs `Authorization: Bearer <METRICS_TOKEN>`, unless
    METRICS_PUBLIC=1 opens it (request paths and counts tell an outsider a lot)."""
    if not current_app.config.get("METRICS_PUBLIC"):
        token = current_app.config.get("METRICS_TOKEN") or ""
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized("Metrics token required: send Authorization: Bearer <METRICS_TOKEN> "
                               "(or set METRICS_PUBLIC=1)")
    registry = _registry()
    body = generate_latest(registry) if registry else generate_latest()
    return Response(body + generate_latest(_app_registry()), mimetype=CONTENT_TYPE_LATEST)


def _app_registry() -> CollectorRegistry:
    """Figures read at scrape time rather than counted in a process (job queue depth from the
    database, true across hosts): collectors that packages add to `metrics_collectors`."""
    registry = CollectorRegistry(auto_describe=False)
    for collector in current_app.extensions.get("metrics_collectors", []):
        registry.register(collector)
    return registry


# (endpoint, method, status) -> its histogram child: `labels()` validates and locks on every
# call; the children never change, and the keys are bounded by the routes, methods and statuses.
_children: dict[tuple[str, str, int], object] = {}


def observe_request(response, elapsed: float, endpoint: str | None) -> None:
    if endpoint in UNOBSERVED:
        return
    key = (endpoint, request.method, response.status_code)
    child = _children.get(key)
    if child is None:
        child = _children.setdefault(key, REQUEST_LATENCY.labels(key[0], key[1], str(key[2])))
    child.observe(elapsed)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
