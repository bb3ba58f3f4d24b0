"""Fake Hugging Face hf-inference router (providers.md §3): JSON in, raw image bytes out; and
the Hub's model page with its provider mapping
(`GET /api/models/{id}?expand[]=inferenceProviderMapping`), served from the same address."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .server import FakeServer, json_response, png_bytes


def _live(*providers: str) -> dict:
    return {name: {"status": "live", "providerId": "fake-id", "task": "text-to-image"}
            for name in providers}


MAPPINGS = {"black-forest-labs/FLUX.1-schnell": _live("hf-inference", "fal-ai"),
            "stabilityai/stable-diffusion-xl-base-1.0": _live("hf-inference", "replicate")}


class FakeHuggingFace(FakeServer):
    """Knobs: `loading` (how many requests get 503 "currently loading" before the model is warm;
    the router ignores the deprecated X-wait-for-model header), `mappings` (the Hub's models
    and which providers serve each; a model not there is a 404), `list_form` (answer the
    mapping as a list of entries, as the Hub's model listings do, instead of a dict)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.loading = 0
        self.mappings = {model: dict(mapping) for model, mapping in MAPPINGS.items()}
        self.list_form = False

    def error_body(self, status: int, message: str) -> dict:
        return {"error": message}

    def handle(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return json_response({"error": "Invalid credentials in Authorization header"}, 401)
        if request.method == "GET" and request.path.startswith("/api/models/"):
            return self._model_info(request.path.removeprefix("/api/models/"), request)
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

    def _model_info(self, model: str, request: Request) -> Response:
        if model not in self.mappings:
            return json_response({"error": "Repository not found"}, 404)
        body: dict = {"_id": "fake", "id": model, "pipeline_tag": "text-to-image"}
        if request.args.get("expand[]") == "inferenceProviderMapping":
            mapping = self.mappings[model]
            body["inferenceProviderMapping"] = (
                [{"provider": name, "hfModelId": model, **entry} for name, entry in mapping.items()]
                if self.list_form else mapping)
        return json_response(body)
