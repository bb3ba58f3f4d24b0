"""WaveSpeed AI v3 client: JSON submit, `{code,message,data}` envelope, then polling.

Sync mode is off: WaveSpeed may hold a sync POST for up to 90 s, longer than a read
timeout, and a submission is never sent twice (the task may already exist and be billed),
so the task is created at once and polled. Outputs are base64 (we ask for it) or URLs, and
URLs are fetched only from allowed hosts so a reply cannot make the service download from
anywhere it names.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from app.imaging import codec, ratios

from .base import EditRequest, GenerateRequest, ImageResult, Provider, ProviderError
from .media import decode_base64_image, masked_result, output_format, scaled_size
from .replies import member, text
from .session import HttpProvider, poll

QWEN_SEEDS = 2**31
TERMINAL_FAILURES = ("failed", "cancelled", "timeout")  # end polling at once, not retried
MAX_REDIRECTS = 5  # hops of one result download, each to a trusted host
IDEOGRAM_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4")


def qwen_seed(seed: int | None) -> int | None:
    """Qwen models take seeds up to 2**31 - 1; a larger one is folded into that range (the
    result reports the seed actually sent, so the image can still be reproduced)."""
    return None if seed is None else seed % QWEN_SEEDS


class WaveSpeedProvider(HttpProvider, Provider):
    name = "wavespeed"
    label = "WaveSpeed AI"

    def __init__(self, api_key: str, base_url: str, session: requests.Session,
                 config: Mapping[str, Any], table: Mapping[str, Any] | None = None):
        super().__init__(api_key, base_url, session, config, table)
        extra = [h.strip().lower() for h in str(config.get("PROVIDER_OUTPUT_HOSTS") or "").split(",")]
        own = urlsplit(self.base_url)
        self.allowed_hosts = {own.netloc.lower(), *self.info["output_hosts"],
                              *(h for h in extra if h)}

    def probe(self) -> tuple[set[str] | None, str]:
        """The balance (`GET /api/v3/balance`) proves the key and makes nothing; the models
        are not listed here."""
        balance = self._envelope(self.send("GET", "/api/v3/balance",
                                           timeout=self.check_timeout)).get("balance")
        if not isinstance(balance, int | float):
            raise self.malformed("a balance without an amount")
        return None, f"key accepted; balance {balance:.2f} USD"

    def error_message(self, response: requests.Response) -> str | None:
        body = response.json()
        return text(member(body, "message")) or text(member(body, "error"))

    def generate(self, request: GenerateRequest) -> ImageResult:
        model = self._short_model(request.model or self.default_model("generate"))
        body: dict[str, Any] = {"prompt": request.prompt}
        notes: dict[str, Any] = {}
        if model == "ideogram-v3-turbo":
            body["aspect_ratio"] = ratios.nearest(request.width, request.height,
                                                        IDEOGRAM_RATIOS)
            notes["requested_aspect_ratio"] = body["aspect_ratio"]
        else:
            width, height = scaled_size(request.width, request.height, max_side=1536, min_side=256)
            body.update(size=f"{width}*{height}", seed=qwen_seed(request.seed),
                        output_format=output_format(request.output_format))
            notes["requested_size"] = f"{width}x{height}"
        return self._run(model, body, notes)

    def edit(self, request: EditRequest) -> ImageResult:
        if request.operation != "general_edit":
            raise self.unsupported("edit", request.operation)
        model = self._short_model(request.model or self.default_model("edit"))
        body = {"prompt": request.prompt, "image": codec.data_url(request.image), "seed": qwen_seed(request.seed),
                "output_format": output_format(request.output_format)}
        return masked_result(self._run(model, body, {}), request.image, request.mask)

    def _short_model(self, model: str) -> str:
        ids = self.info["model_ids"]
        for short, full in ids.items():
            if model in (short, full):
                return short
        raise ProviderError(self.name, f"WaveSpeed AI has no model '{model}' here")

    def _run(self, model: str, body: dict[str, Any], notes: dict[str, Any]) -> ImageResult:
        """Submit in sync mode; poll the result while the job is not finished."""
        model_id = self.info["model_ids"][model]
        payload = {k: v for k, v in body.items() if v is not None}
        payload.update(enable_base64_output=True, enable_sync_mode=False)
        data = self._envelope(self.send("POST", f"/api/v3/{model_id}", json=payload))
        if not self._finished(data):
            job_id = data.get("id")
            if not job_id or not isinstance(job_id, str):
                raise self.malformed("an unfinished job without an id")
            data = poll(lambda: self._poll_once(job_id), self.poll_interval, self.poll_timeout,
                        provider=self.name, label=self.label)
        outputs = data.get("outputs")
        if not isinstance(outputs, list) or not outputs or not isinstance(outputs[0], str):
            raise self.malformed("a finished job without outputs")
        image = self._output_bytes(outputs[0])
        nsfw = data.get("has_nsfw_contents")
        return self.result(image, model, body.get("seed"),
                           {**notes, "model_id": model_id, "job_id": data.get("id"),
                            "has_nsfw_contents": isinstance(nsfw, list) and bool(nsfw and nsfw[0])})

    def _poll_once(self, job_id: str) -> dict[str, Any] | None:
        data = self._envelope(self.send("GET", f"/api/v3/predictions/{job_id}/result"))
        return data if self._finished(data) else None

    def _envelope(self, response: requests.Response) -> dict[str, Any]:
        """`data` of a `{code,message,data}` reply; the envelope code can fail an HTTP 200."""
        body = self.json_body(response)
        if not isinstance(body, dict):
            raise self.malformed("a reply that is not an envelope")
        code = body.get("code", 200)
        if not isinstance(code, int):
            raise self.malformed("a reply with a malformed code")
        if code != 200:
            raise ProviderError(self.name, self.redact(text(body.get("message"))
                                                       or f"{self.label} answered code {code}"),
                                status=code, retryable=code == 429 or code >= 500)
        if not isinstance(body.get("data"), dict):
            raise self.malformed("a reply without a data object")
        return body["data"]

    def _finished(self, data: dict[str, Any]) -> bool:
        """True when completed; ProviderError when failed, cancelled or timed out at WaveSpeed;
        any other status keeps polling."""
        status = data.get("status")
        if isinstance(status, str) and status in TERMINAL_FAILURES:
            reason = text(data.get("error")) or f"the job ended {status}"
            raise ProviderError(self.name, self.redact(f"WaveSpeed AI job failed: {reason}"))
        return status == "completed"

    def _output_bytes(self, output: str) -> bytes:
        """The result's bytes, from base64 or a download. A download's redirects are followed
        here, one hop at a time, so every host it reaches is one the deployment trusts."""
        if not output.startswith(("http://", "https://")):
            return decode_base64_image(output, self.name, self.label)
        url = output
        for _ in range(MAX_REDIRECTS + 1):
            self._check_host(url)
            response = self.send("GET", url, auth=False, allow_redirects=False)
            if not response.is_redirect:
                return response.content
            url = urljoin(url, response.headers["Location"])
        raise ProviderError(self.name, f"{self.label} redirected its result download more than "
                                       f"{MAX_REDIRECTS} times")

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        host, netloc = (parts.hostname or "").lower(), parts.netloc.lower()
        if host not in self.allowed_hosts and netloc not in self.allowed_hosts:
            raise ProviderError(self.name, f"WaveSpeed AI output host '{host}' is not allowed; "
                                "add it to PROVIDER_OUTPUT_HOSTS to trust it")
