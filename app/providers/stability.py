"""Stability AI v2beta client: multipart POSTs, raw image replies, async jobs for two endpoints.

The endpoint and fields per operation live in `stability_ops`; this module only sends
calls, reads image replies (raw `image/*` or the JSON form) and maps errors.
"""
from __future__ import annotations

import requests

from .base import (
    ControlRequest,
    EditRequest,
    GenerateRequest,
    ImageResult,
    Provider,
    ProviderError,
    UpscaleRequest,
)
from .media import decode_base64_image, masked_result
from .replies import member, text
from .session import HttpProvider, poll
from .stability_ops import MASKED, Call, control_call, edit_call, generate_call, upscale_call

REFUSAL_NAMES = {"content_moderation", "public_figure"}


class StabilityProvider(HttpProvider, Provider):
    name = "stability"
    label = "Stability AI"

    def error_message(self, response: requests.Response) -> str | None:
        body = response.json()
        return text(member(body, "errors")) or text(member(body, "message")) or text(member(body, "name"))

    def is_refusal(self, response: requests.Response, message: str) -> bool:
        try:
            name = member(response.json(), "name")
        except ValueError:
            return False
        return isinstance(name, str) and name in REFUSAL_NAMES

    def probe(self) -> tuple[set[str] | None, str]:
        """Stability publishes no model list; the account balance (`GET /v1/user/balance`)
        proves the key and costs nothing."""
        body = self.json_body(self.send("GET", "/v1/user/balance", timeout=self.check_timeout,
                                        headers={"Accept": "application/json"}))
        credits = member(body, "credits")
        if not isinstance(credits, int | float):
            raise self.malformed("a balance without credits")
        return None, f"key accepted; balance {credits:.2f} credits"

    def generate(self, request: GenerateRequest) -> ImageResult:
        model = request.model or self.default_model("generate")
        return self._run(generate_call(request, model), model)

    def edit(self, request: EditRequest) -> ImageResult:
        result = self._run(edit_call(request), None)
        if request.operation in MASKED:
            return result
        return masked_result(result, request.image, request.mask)

    def upscale(self, request: UpscaleRequest) -> ImageResult:
        return self._run(upscale_call(request), None)

    def control(self, request: ControlRequest) -> ImageResult:
        return self._run(control_call(request), None)

    def _run(self, call: Call, model: str | None) -> ImageResult:
        """Send `call`; async endpoints answer `{id}`, then `/v2beta/results/{id}` is polled."""
        # requests only builds multipart when there is a file; the vendor samples do the same.
        files = call.files or {"none": ""}
        accept = "application/json" if call.is_async else "image/*"
        response = self.send("POST", call.path, data=call.data, files=files,
                             headers={"Accept": accept})
        if call.is_async:
            job = self.json_body(response)
            job_id = member(job, "id")
            if not job_id:
                raise self.malformed("no job id for an asynchronous request")
            response = poll(lambda: self._fetch_result(job_id), self.poll_interval,
                            self.poll_timeout, provider=self.name, label=self.label)
        return self._image(response, model, {**call.notes, "endpoint": call.path})

    def _fetch_result(self, job_id: str) -> requests.Response | None:
        """One poll: only 202 means "still running"; 200 is the image, anything else an error."""
        response = self.send("GET", f"/v2beta/results/{job_id}", headers={"Accept": "*/*"})
        return None if response.status_code == 202 else response

    def _image(self, response: requests.Response, model: str | None, notes: dict) -> ImageResult:
        if response.headers.get("Content-Type", "").startswith("application/json"):
            body = self.json_body(response)
            if not isinstance(body, dict) or not body.get("image"):
                raise self.malformed("a reply without an image")
            data = decode_base64_image(body["image"], self.name, self.label)
            finish, seed = body.get("finish_reason"), body.get("seed")
        else:
            data = response.content
            finish, seed = response.headers.get("finish-reason"), response.headers.get("seed")
        if finish == "CONTENT_FILTERED":
            raise ProviderError(self.name, "Stability AI filtered the image for content "
                                "(finish reason CONTENT_FILTERED)", status=response.status_code,
                                refused=True)
        try:
            seed_value = int(float(seed)) if seed is not None else None
        except ValueError:
            seed_value = None
        return self.result(data, model, seed_value, {**notes, "finish_reason": finish or "SUCCESS"})
