"""Fake Google Gemini API: generateContent with the served image models only, and the
model list (`GET /v1beta/models`, paged with pageSize/pageToken/nextPageToken).

A retired or unknown model answers 404 NOT_FOUND, as the real API does; Imagen's
`:predict` models are all retired.
"""
from __future__ import annotations

import base64
import re

from werkzeug.wrappers import Request, Response

from .server import FakeServer, json_response, png_bytes

INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"}
SERVED = {"gemini-3.1-flash-image", "gemini-3-pro-image"}
OTHERS = {"gemini-3-flash": ["generateContent", "countTokens"],  # listed, but not image models
          "gemini-embedding-001": ["embedContent"]}
# ImageConfig.aspectRatio as Google's API reference lists it.
RATIOS = {"1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"}
STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


class FakeGemini(FakeServer):
    """Knobs: `block_reason`, `finish_reason` (set a refusal reason to send no image),
    `text_only` (a STOP reply of that text and no image, as an ambiguous prompt may get),
    `thought_image` (a thought part carrying an image comes first), `served` (the image
    models it serves and lists; remove one to retire it), `page_limit` (the most models a
    list page holds, whatever pageSize asks: small, so paging is always exercised)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.block_reason: str | None = None
        self.finish_reason = "STOP"
        self.text_only: str | None = None
        self.thought_image = False
        self.served = set(SERVED)
        self.page_limit = 2

    def error_body(self, status: int, message: str) -> dict:
        return {"error": {"code": status, "message": message,
                          "status": STATUS.get(status, "UNKNOWN"), "details": []}}

    def handle(self, request: Request) -> Response:
        if request.headers.get("x-goog-api-key") != self.key:
            body = self.error_body(400, "API key not valid. Please pass a valid API key.")
            body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                         "reason": "API_KEY_INVALID"}]
            return json_response(body, 400)
        if request.method == "GET" and request.path == "/v1beta/models":
            return self._list(request)
        match = re.fullmatch(r"/v1beta/models/([^:/]+):generateContent", request.path)
        if request.method != "POST" or not match:
            return json_response(self.error_body(404, "Not found"), 404)
        if match.group(1) not in self.served:
            message = (f"models/{match.group(1)} is not found for API version v1beta, or is not "
                       "supported for generateContent. Call ListModels to see the list of "
                       "available models and their supported methods.")
            return json_response(self.error_body(404, message), 404)
        body = request.get_json(silent=True) or {}
        unreadable = [part["inlineData"].get("mimeType") for content in body.get("contents") or []
                      for part in content.get("parts") or [] if "inlineData" in part
                      and part["inlineData"].get("mimeType") not in INLINE_IMAGE_TYPES]
        if unreadable:   # the image types Gemini documents for inline data
            return json_response(self.error_body(400, f"Unsupported MIME type: {unreadable[0]}"), 400)
        ratio = ((body.get("generationConfig") or {}).get("imageConfig") or {}).get("aspectRatio")
        if ratio is not None and ratio not in RATIOS:
            return json_response(self.error_body(400, f"Unsupported aspect ratio: {ratio}"), 400)
        return self._generate(body)

    def _list(self, request: Request) -> Response:
        methods = {**{name: ["generateContent", "countTokens"] for name in sorted(self.served)},
                   **OTHERS}
        models = [{"name": f"models/{name}", "displayName": name, "supportedGenerationMethods": m}
                  for name, m in methods.items()]
        start = int(request.args.get("pageToken") or 0)
        size = min(int(request.args.get("pageSize") or 50), self.page_limit)
        body: dict = {"models": models[start:start + size]}
        if start + size < len(models):
            body["nextPageToken"] = str(start + size)
        return json_response(body)

    def _generate(self, body: dict) -> Response:
        if self.block_reason:
            return json_response({"promptFeedback": {"blockReason": self.block_reason}})
        image = {"inlineData": {"mimeType": "image/png",
                                "data": base64.b64encode(png_bytes(80, 60)).decode()}}
        parts = [{"text": self.text_only or "Here is your image"}]
        if self.finish_reason == "STOP" and self.text_only is None:
            parts.append(image)
        if self.thought_image:
            thought = {"inlineData": {"mimeType": "image/png",
                                      "data": base64.b64encode(png_bytes(10, 10)).decode()},
                       "thought": True}
            parts.insert(0, thought)
        return json_response({"candidates": [{"content": {"role": "model", "parts": parts},
                                              "finishReason": self.finish_reason, "index": 0}],
                              "usageMetadata": {"totalTokenCount": 10},
                              "modelVersion": "fake"})
