"""Request ids, JSON log lines per request and per provider call, Prometheus metrics."""
import json
import logging
import re

from pythonjsonlogger.json import JsonFormatter

from app.auth.service import create_user
from app.providers.base import GenerateRequest
from app.providers.registry import Route
from tests.fakes.fixtures import KEYS
from tests.studio_helpers import run_one


def _json_lines(caplog):
    """Each captured record as the JSON line the production handler writes."""
    formatter = next(h.formatter for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_request_id_is_generated_or_echoed(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    echoed = client.get("/healthz", headers={"X-Request-ID": "client-id-1234"})
    assert echoed.headers["X-Request-ID"] == "client-id-1234"
    refused = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert refused.headers["X-Request-ID"] != "bad id with spaces"


def test_one_json_line_per_request(client, auth, caplog):
    caplog.set_level(logging.INFO)
    client.get("/api/image-studio/templates", headers={**auth, "X-Request-ID": "trace-abcdef12"})
    lines = [entry for entry in _json_lines(caplog) if entry.get("message") == "request"]
    assert lines, "no request log line"
    line = lines[-1]
    assert line["request_id"] == "trace-abcdef12" and line["status"] == 200
    assert line["endpoint"] == "catalog_api.list_templates" and line["latency_ms"] >= 0
    assert "Bearer" not in json.dumps(line)


def _sample(metrics: str, sample: str) -> float:
    """The value of one sample line of a /metrics scrape (0 when it is not there yet)."""
    match = re.search(re.escape(sample) + r" (\S+)", metrics)
    return float(match.group(1)) if match else 0.0


def test_provider_call_is_logged_and_counted_without_secrets(make_app, provider_config, fake_stability, caplog):
    app = make_app(METRICS_PUBLIC=True, **provider_config)
    caplog.set_level(logging.INFO)
    errors = 'image_studio_provider_errors_total{kind="generate",provider="stability",reason="retryable"}'
    before = _sample(app.test_client().get("/metrics").get_data(as_text=True), errors)
    fake_stability.fail(times=10, status=500, message="boom")
    with app.test_request_context():
        user = create_user("o@example.com", "long-enough-pw")
        try:
            run_one(user.id, "create", "generate", [Route("stability", "core")],
                           GenerateRequest(prompt="secret prompt text"), failure="Image generation failed")
        except Exception:
            pass
    calls = [entry for entry in _json_lines(caplog) if entry.get("message") == "provider_call"]
    assert calls and calls[-1]["provider"] == "stability" and calls[-1]["outcome"] == "retryable"
    assert calls[-1]["status"] == 500
    text = json.dumps(calls)
    assert KEYS["stability"] not in text and "secret prompt text" not in text
    after = _sample(app.test_client().get("/metrics").get_data(as_text=True), errors)
    assert after - before == 1  # one failed call (its retries happen inside it)


def test_metrics_are_closed_unless_a_token_or_public_is_set(make_app):
    """Finding 12: /metrics was public by default."""
    closed = make_app().test_client().get("/metrics")
    assert closed.status_code == 401 and "METRICS_TOKEN" in closed.get_data(as_text=True)
    assert "image_studio_request" not in closed.get_data(as_text=True)


def test_metrics_expose_request_latency_and_can_be_guarded(make_app):
    app = make_app(METRICS_PUBLIC=True)
    client = app.test_client()
    sample = 'image_studio_request_duration_seconds_count{endpoint="health_api.healthz",method="GET",status="200"}'
    before = _sample(client.get("/metrics").get_data(as_text=True), sample)
    client.get("/healthz")
    client.get("/healthz")
    assert _sample(client.get("/metrics").get_data(as_text=True), sample) - before == 2
    guarded = make_app(METRICS_TOKEN="scrape-token").test_client()
    assert guarded.get("/metrics").status_code == 401
    assert guarded.get("/metrics", headers={"Authorization": "Bearer wrong-token"}).status_code == 401
    assert guarded.get("/metrics", headers={"Authorization": "Bearer scrape-token"}).status_code == 200
