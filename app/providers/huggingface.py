"""Hugging Face Inference (hf-inference router) client: text-to-image, JSON in, raw bytes out.

Cold models answer 503 "currently loading", which Hugging Face does not bill: the session
retries it with backoff like any other unbilled status (`X-wait-for-model` is deprecated).
hf-inference serves no image-to-image task (the router runs it on third-party providers
only), so Hugging Face takes no edits here. Sizes are the model family's own buckets of
about one megapixel, each side a multiple of 16; the runner fits the result to the request.
Which providers serve a model is the Hub's to say (`HF_HUB_BASE`), not the router's.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from app.imaging import ratios

from .base import GenerateRequest, ImageResult, Provider, ProviderError
from .replies import member, objects, text
from .session import HttpProvider

HUB_BASE = "https://huggingface.co"
ROUTE = "hf-inference"  # the router provider our calls go to


class HuggingFaceProvider(HttpProvider, Provider):
    name = "huggingface"
    label = "Hugging Face"

    def __init__(self, api_key: str, base_url: str, session: requests.Session,
                 config: Mapping[str, Any], table: Mapping[str, Any] | None = None):
        super().__init__(api_key, base_url, session, config, table)
        self.hub_base = str(config.get("HF_HUB_BASE") or HUB_BASE).rstrip("/")

    def probe(self) -> tuple[set[str] | None, str]:
        """The configured models that `hf-inference` serves live, from each model's provider
        mapping on the Hub (one GET per model; a 404 is a model the Hub does not know)."""
        served = {model for model in self.info["models"] if self._routed(model)}
        return served, f"{ROUTE} serves {len(served)} of {len(self.info['models'])} models"

    def _routed(self, model: str) -> bool:
        try:
            response = self.send("GET", f"{self.hub_base}/api/models/{model}",
                                 params={"expand[]": "inferenceProviderMapping"},
                                 timeout=self.check_timeout)
        except ProviderError as error:
            if error.status == 404:
                return False
            raise
        body = self.json_body(response)
        mapping = member(body, "inferenceProviderMapping")
        # A dict keyed by provider on a model's page, a list of entries in model listings.
        if isinstance(mapping, dict):
            mapping = [{"provider": name, **entry} for name, entry in mapping.items()
                       if isinstance(entry, dict)]
        return any(entry.get("provider") == ROUTE and entry.get("status") == "live"
                   and entry.get("task", "text-to-image") == "text-to-image"
                   for entry in objects(mapping))

    def error_message(self, response: requests.Response) -> str | None:
        header = text(response.headers.get("X-Error-Message"))
        try:
            body = response.json()
        except ValueError:
            return header
        errors = member(body, "errors")
        first = errors[0] if isinstance(errors, list) and errors else None
        error = text(member(body, "error")) or text(member(first, "message")) or text(first)
        description = text(member(body, "error_description"))
        return (f"{error}: {description}" if error and description else error) or header

    def generate(self, request: GenerateRequest) -> ImageResult:
        model = request.model or self.default_model("generate")
        width, height = (int(side) for side in ratios.nearest(
            request.width, request.height, self.info["sizes"]).split(":"))
        parameters = {"guidance_scale": request.guidance_scale,
                      "negative_prompt": request.negative_prompt,
                      "num_inference_steps": request.steps, "width": width, "height": height,
                      "seed": request.seed}
        return self._infer(model, request.prompt, parameters, request.seed,
                           {"requested_size": f"{width}x{height}"})

    def _infer(self, model: str, inputs: str, parameters: dict[str, Any], seed: int | None,
               notes: dict[str, Any]) -> ImageResult:
        path = f"/{ROUTE}/models/{model}"
        body = {"inputs": inputs,
                "parameters": {k: v for k, v in parameters.items() if v is not None}}
        response = self.send("POST", path, json=body, headers={"Accept": "image/png"})
        return self.result(response.content, model, seed, notes)
