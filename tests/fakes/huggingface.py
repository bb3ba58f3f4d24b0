"""Fake Hugging Face hf-inference router (providers.md §3): JSON in, raw image bytes out."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .server import FakeServer, json_response, png_bytes


class FakeHuggingFace(FakeServer):
    """Knobs: `loading` (how many requests get 503 "currently loading" before the model is warm;
    the router ignores the deprecated X-wait-for-model header)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.loading = 0

    def error_body(self, status: int, message: str) -> dict:
        return {"error": message}

    def handle(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return json_response({"error": "Invalid credentials in Authorization header"}, 401)
        if request.method != "POST" or not request.path.startswith("/hf-inference/models/"):
            return json_response({"error": "Not Found"}, 404)
        model = request.path.removeprefix("/hf-inference/models/")
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body.get("inputs"):
            return json_response({"error": "inputs is required"}, 422)
        if self.loading > 0:
            self.loading -= 1
            return json_response({"error": f"Model {model} is currently loading",
                                  "estimated_time": 20.0}, 503)
        params = body.get("parameters") or {}
        size = (min(params.get("width", 64), 1024), min(params.get("height", 64), 1024))
        return Response(png_bytes(*size, fmt="JPEG"), content_type="image/jpeg")
