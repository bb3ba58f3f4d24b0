"""Hugging Face Inference (hf-inference router) client: text-to-image, JSON in, raw bytes out.

Cold models answer 503 "currently loading", which Hugging Face does not bill: the session
retries it with backoff like any other unbilled status (`X-wait-for-model` is deprecated).
hf-inference serves no image-to-image task (the router runs it on third-party providers
only), so Hugging Face takes no edits here. Sizes are the model family's own buckets of
about one megapixel, each side a multiple of 16; the runner fits the result to the request.
"""
from __future__ import annotations

from typing import Any

import requests

from app.imaging import ratios

from .base import GenerateRequest, ImageResult, Provider
from .pricing import provider_info
from .session import HttpProvider


class HuggingFaceProvider(HttpProvider, Provider):
    name = "huggingface"
    label = "Hugging Face"

    def error_message(self, response: requests.Response) -> str | None:
        header = response.headers.get("X-Error-Message")
        try:
            body = response.json()
        except ValueError:
            return header
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, list):
                error = "; ".join(str(e) for e in error)
            if not error and isinstance(body.get("errors"), list) and body["errors"]:
                first = body["errors"][0]
                error = first.get("message") if isinstance(first, dict) else str(first)
            if error and body.get("error_description"):
                error = f"{error}: {body['error_description']}"
            return str(error) if error else header
        return header

    def generate(self, request: GenerateRequest) -> ImageResult:
        model = request.model or self.default_model("generate")
        width, height = (int(side) for side in ratios.nearest(
            request.width, request.height, provider_info(self.name)["sizes"]).split(":"))
        parameters = {"guidance_scale": request.guidance_scale,
                      "negative_prompt": request.negative_prompt,
                      "num_inference_steps": request.steps, "width": width, "height": height,
                      "seed": request.seed}
        return self._infer(model, request.prompt, parameters, request.seed,
                           {"requested_size": f"{width}x{height}"})

    def _infer(self, model: str, inputs: str, parameters: dict[str, Any], seed: int | None,
               notes: dict[str, Any]) -> ImageResult:
        path = f"/hf-inference/models/{model}"
        body = {"inputs": inputs,
                "parameters": {k: v for k, v in parameters.items() if v is not None}}
        response = self.send("POST", path, json=body, headers={"Accept": "image/png"})
        return self.result(response.content, model, seed, notes)
