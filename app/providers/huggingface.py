"""Hugging Face Inference (hf-inference router) client: JSON in, raw image bytes out.

Cold models answer 503 "currently loading", which Hugging Face does not bill: the session
retries it with backoff like any other unbilled status (`X-wait-for-model` is deprecated).
"""
from __future__ import annotations

import base64
from typing import Any

import requests

from .base import EditRequest, GenerateRequest, ImageResult, Provider
from .media import masked_result, scaled_size
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
        width, height = scaled_size(request.width, request.height, max_side=1024,
                                    min_side=256, multiple=8)
        parameters = {"guidance_scale": request.guidance_scale,
                      "negative_prompt": request.negative_prompt,
                      "num_inference_steps": request.steps, "width": width, "height": height,
                      "seed": request.seed}
        return self._infer(model, request.prompt, parameters, request.seed,
                           {"requested_size": f"{width}x{height}"})

    def edit(self, request: EditRequest) -> ImageResult:
        """Instruction edit through image-to-image; a mask is applied afterwards."""
        if request.operation != "general_edit":
            raise self.unsupported("edit", request.operation)
        model = request.model or self.default_model("edit")
        parameters = {"prompt": request.prompt, "negative_prompt": request.negative_prompt,
                      "guidance_scale": request.guidance_scale,
                      "num_inference_steps": request.steps, "seed": request.seed}
        inputs = base64.b64encode(request.image).decode("ascii")
        result = self._infer(model, inputs, parameters, request.seed, {})
        return masked_result(result, request.image, request.mask)

    def _infer(self, model: str, inputs: str, parameters: dict[str, Any], seed: int | None,
               notes: dict[str, Any]) -> ImageResult:
        path = f"/hf-inference/models/{model}"
        body = {"inputs": inputs,
                "parameters": {k: v for k, v in parameters.items() if v is not None}}
        response = self.send("POST", path, json=body, headers={"Accept": "image/png"})
        return self.result(response.content, model, seed, notes)
