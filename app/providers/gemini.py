"""Google Gemini image client: `generateContent` with the served image models.

Gemini refuses with HTTP 200 and no image, so the reply itself decides between a refusal
(`promptFeedback.blockReason`, a safety `finishReason`) and a malformed answer. A retired
or unknown model answers 404 NOT_FOUND: a configuration error that names the model, never
retried at Gemini, while `auto` moves on to the next provider. (Imagen's `:predict` models
were all retired in 2026, so there is no Imagen path.)
"""
from __future__ import annotations

from typing import Any

import pybase64
import requests

from app.imaging import codec, ratios

from .base import EditRequest, GenerateRequest, ImageResult, Provider, ProviderError
from .media import decode_base64_image, masked_result
from .replies import member, objects, text
from .session import HttpProvider

MAX_MODEL_PAGES = 10  # at 1000 models a page: far more than Gemini lists
# Google's ImageConfig.aspectRatio values (providers.md §4.2 lists eight; 4:5 and 5:4 since).
GEMINI_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
REFUSAL_FINISH = {"IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER",
                  "NO_IMAGE", "SAFETY", "PROHIBITED_CONTENT", "RECITATION", "OTHER",
                  "BLOCKLIST", "SPII"}


class GeminiProvider(HttpProvider, Provider):
    name = "gemini"
    label = "Google Gemini"
    key_statuses = (400, 401, 403)  # an invalid key is a 400 API_KEY_INVALID

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key}

    def probe(self) -> tuple[set[str] | None, str]:
        """The models this key may call with generateContent (`GET /v1beta/models`, paged)."""
        served: set[str] = set()
        params: dict[str, Any] = {"pageSize": 1000}
        for _ in range(MAX_MODEL_PAGES):
            page = self.json_body(self.send("GET", "/v1beta/models", params=params,
                                            timeout=self.check_timeout))
            if not isinstance(page, dict):
                raise self.malformed("a malformed model list")
            for model in objects(page.get("models")):
                methods = model.get("supportedGenerationMethods", ["generateContent"])
                if isinstance(methods, list) and "generateContent" in methods:
                    served.add(str(model.get("name", "")).removeprefix("models/"))
            if not page.get("nextPageToken"):
                break
            params["pageToken"] = page["nextPageToken"]
        return served, f"{len(served)} models offer generateContent"

    def error_message(self, response: requests.Response) -> str | None:
        error = member(response.json(), "error")
        return text(member(error, "message")) or text(member(error, "status")) or text(error)

    def generate(self, request: GenerateRequest) -> ImageResult:
        model = request.model or self.default_model("generate")
        text = request.prompt
        if request.negative_prompt:
            text += f"\nAvoid: {request.negative_prompt}"
        ratio = ratios.nearest(request.width, request.height, GEMINI_RATIOS)
        return self._generate_content(model, [{"text": text}], ratio)

    def edit(self, request: EditRequest) -> ImageResult:
        """Edit by sending the image as an inlineData part after the instruction."""
        if request.operation != "general_edit":
            raise self.unsupported("edit", request.operation)
        model = request.model or self.default_model("edit")
        image_part = {"inlineData": {"mimeType": codec.sniff_mime(request.image),
                                     "data": pybase64.b64encode_as_string(request.image)}}
        result = self._generate_content(model, [{"text": request.prompt or ""}, image_part], None)
        return masked_result(result, request.image, request.mask)

    def _generate_content(self, model: str, parts: list[dict[str, Any]],
                          ratio: str | None) -> ImageResult:
        config: dict[str, Any] = {"responseModalities": ["TEXT", "IMAGE"]}
        if ratio:
            config["imageConfig"] = {"aspectRatio": ratio}
        body = {"contents": [{"role": "user", "parts": parts}], "generationConfig": config}
        try:
            response = self.send("POST", f"/v1beta/models/{model}:generateContent", json=body)
        except ProviderError as error:
            if error.status == 404:
                raise ProviderError(self.name, f"Google Gemini does not serve the model '{model}' "
                                    "(retired or unknown): configure a current model",
                                    status=404, retryable=True) from None
            raise
        reply = self.json_body(response)
        if not isinstance(reply, dict):
            raise self.malformed("a malformed reply")
        block = text(member(reply, "promptFeedback", "blockReason"))
        if block:
            raise self._refused(f"the prompt was blocked ({block})")
        candidates = objects(reply.get("candidates"))
        for candidate in candidates:
            for part in objects(member(candidate, "content", "parts")):
                inline = member(part, "inlineData") or member(part, "inline_data")
                if not part.get("thought") and member(inline, "data"):
                    data = decode_base64_image(inline["data"], self.name, self.label)
                    notes = {"requested_aspect_ratio": ratio} if ratio else {}
                    return self.result(data, model, None, notes)
        finish = candidates[0].get("finishReason") if candidates else None
        if isinstance(finish, str) and finish in REFUSAL_FINISH:
            raise self._refused(f"no image was produced (finish reason {finish})")
        said = _spoken(candidates)
        if said:
            # "The model might only create text and no image if the prompt is ambiguous"
            # (Google): the user reads what it said, and another provider may draw it.
            raise ProviderError(self.name, f'{self.label} answered with text and no image: "{said}"',
                                retryable=True)
        raise self.malformed("no image in its reply")

    def _refused(self, reason: str) -> ProviderError:
        return ProviderError(self.name, f"Google Gemini refused the request: {reason}",
                             status=200, refused=True)


def _spoken(candidates: list[dict[str, Any]], limit: int = 200) -> str:
    """The text a reply holds instead of an image, on one line and cut at `limit` characters."""
    said = " ".join(" ".join(str(part.get("text") or "").split())
                    for candidate in candidates
                    for part in objects(member(candidate, "content", "parts"))
                    if not part.get("thought")).strip()
    return said if len(said) <= limit else said[:limit].rstrip() + "…"
