"""Fake WaveSpeed AI v3 (providers.md §2): JSON submit, `{code,message,data}` envelopes, polling,
and the account balance (`GET /api/v3/balance`, `data.balance` in USD)."""
from __future__ import annotations

import base64
import re
import secrets

from werkzeug.wrappers import Request, Response

from .server import FakeServer, json_response, png_bytes

MODELS = {"ideogram-ai/ideogram-v3-turbo", "wavespeed-ai/qwen-image/text-to-image",
          "wavespeed-ai/qwen-image/edit"}


class FakeWaveSpeed(FakeServer):
    """Knobs: `pending` (polls answered "processing" before completion), `honour_sync`,
    `output` ("base64", "data_url" or "url"), `output_host` (base URL for output links),
    `fail_task` (job ends `end_status` — "failed", "cancelled" or "timeout", WaveSpeed's
    terminal failures — with this error), `interim_status`, `balance`."""

    def __init__(self, key: str):
        super().__init__(key)
        self.pending = 0
        self.honour_sync = True
        self.output = "base64"
        self.output_host: str | None = None
        self.fail_task: str | None = None
        self.end_status = "failed"
        self.interim_status = "processing"
        self.balance = 42.0
        self.jobs: dict[str, dict] = {}

    def error_body(self, status: int, message: str) -> dict:
        return {"code": status, "message": message, "data": None}

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/outputs/"):
            return Response(png_bytes(96, 96), content_type="image/png")
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return json_response(self.error_body(401, "Unauthorized"), 401)
        if request.method == "GET" and request.path == "/api/v3/balance":
            return json_response(self._envelope({"balance": self.balance}))
        poll = re.fullmatch(r"/api/v3/predictions/([^/]+)(/result)?", request.path)
        if request.method == "GET" and poll:
            return self._poll(poll.group(1))
        model = request.path.removeprefix("/api/v3/")
        if request.method != "POST" or model not in MODELS:
            return json_response(self.error_body(400, f"unknown model {model}"), 400)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body.get("prompt"):
            return json_response(self.error_body(400, "prompt is required"), 400)
        job_id = secrets.token_hex(8)
        self.jobs[job_id] = {"model": model, "left": self.pending, "body": body}
        if body.get("enable_sync_mode") and self.honour_sync and self.pending == 0:
            return self._poll(job_id)
        return json_response(self._envelope(self._data(job_id, "created")))

    def _poll(self, job_id: str) -> Response:
        job = self.jobs.get(job_id)
        if job is None:
            return json_response(self.error_body(404, "prediction not found"), 404)
        if job["left"] > 0:
            job["left"] -= 1
            return json_response(self._envelope(self._data(job_id, self.interim_status)))
        if self.fail_task:
            data = self._data(job_id, self.end_status)
            data["error"] = self.fail_task
            return json_response(self._envelope(data))
        data = self._data(job_id, "completed")
        data["outputs"] = [self._output(job_id, job["body"])]
        data["has_nsfw_contents"] = [False]
        return json_response(self._envelope(data))

    def _output(self, job_id: str, body: dict) -> str:
        if self.output == "url" or not body.get("enable_base64_output"):
            return f"{self.output_host or self.url}/outputs/{job_id}.png"
        encoded = base64.b64encode(png_bytes(96, 96)).decode()
        return f"data:image/png;base64,{encoded}" if self.output == "data_url" else encoded

    def _data(self, job_id: str, status: str) -> dict:
        return {"id": job_id, "model": self.jobs[job_id]["model"], "status": status,
                "outputs": [], "urls": {"get": f"{self.url}/api/v3/predictions/{job_id}/result"},
                "has_nsfw_contents": [], "created_at": "2026-01-01T00:00:00Z", "error": "",
                "timings": {"inference": 1}}

    @staticmethod
    def _envelope(data: dict) -> dict:
        return {"code": 200, "message": "success", "data": data}
