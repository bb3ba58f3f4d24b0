"""HTTP plumbing shared by every provider client: one session factory, one poller.

Retries live in urllib3 (so `Retry-After` and backoff behave the same for every vendor),
every call carries an explicit `(connect, read)` timeout, and transport failures become a
`ProviderError` whose message never contains a URL, a header or a key.

A POST creates paid work, so it is sent again only when the provider provably did none:
the connection never opened, or the answer is a status that provider documents as
unbilled (429 everywhere; Stability bills only successful calls; Hugging Face's 503 "model
loading"). A read timeout or a dropped connection after a POST is final for that provider.
Every GET (polls, result downloads) is retried.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from app.bounded import CHUNK, gather
from app.config import DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_PROVIDER_REPLY_MB, MIB

from .base import CheckResult, ImageResult, ProviderError
from .media import sniff_image

T = TypeVar("T")

RETRY_STATUSES = (429, 500, 502, 503, 504)
CONNECT_TIMEOUT = 10.0
CHECK_TIMEOUT = 10.0  # a live check reads a small JSON reply: it never waits like a generation


class SubmissionRetry(Retry):
    """urllib3's Retry, except that a POST is retried only after `unbilled` statuses.

    Connection failures are retried for every method by urllib3 itself (nothing was sent);
    read errors are retried only for the idempotent methods in `allowed_methods`.
    """

    def __init__(self, *args: Any, unbilled: frozenset[int] = frozenset({429}),
                 max_discard: int = DEFAULT_MAX_PROVIDER_REPLY_MB * MIB, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.unbilled = frozenset(unbilled)
        self.max_discard = max_discard

    def new(self, **kwargs: Any) -> SubmissionRetry:
        retry = super().new(**kwargs)
        retry.unbilled = self.unbilled
        retry.max_discard = self.max_discard
        return retry

    def increment(self, method: str | None = None, url: str | None = None,
                  response: BaseHTTPResponse | None = None, **kwargs: Any) -> SubmissionRetry:
        """Before a retry urllib3 reads the failed reply to its end, however long: here at most
        `max_discard` bytes are dropped, and a reply longer than that ends the retries with its
        connection closed (the client reports the status alone). A last try keeps its body,
        which holds the provider's reason."""
        retry = super().increment(method, url, response=response, **kwargs)
        if response is not None and not _discarded(response, self.max_discard):
            response.close()
            raise MaxRetryError(kwargs.get("_pool"), url or "", ResponseError("reply too long to discard"))
        return retry

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            return bool(self.total) and status_code in self.unbilled
        return super().is_retry(method, status_code, has_retry_after)


def _discarded(response: BaseHTTPResponse, limit: int) -> bool:
    """Read and drop up to `limit` bytes of the body; whether it ended within them."""
    dropped = 0
    for chunk in response.stream(CHUNK, decode_content=False):  # as requests reads it after
        dropped += len(chunk)
        if dropped > limit:
            return False
    return True


class ProviderSession(requests.Session):
    """A `requests.Session` whose calls always carry the configured timeout."""

    def __init__(self, timeout: tuple[float, float]):
        super().__init__()
        self.timeout = timeout

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def reply_limit(config: Mapping[str, Any]) -> int:
    """The most bytes read from one provider reply (MAX_PROVIDER_REPLY_MB)."""
    return int(float(config.get("MAX_PROVIDER_REPLY_MB") or DEFAULT_MAX_PROVIDER_REPLY_MB) * MIB)


def make_session(config: Mapping[str, Any], unbilled: Iterable[int] = (429,)) -> requests.Session:
    """Build one provider's session: retries with jittered backoff, fixed timeouts.

    `unbilled` are the statuses after which that provider's POSTs may be sent again.
    `raise_on_status=False` hands the final 429/5xx back so the client can report the
    provider's own reason instead of a generic "too many retries".
    """
    read = float(config.get("PROVIDER_TIMEOUT", 60))
    retry = SubmissionRetry(
        total=int(config.get("PROVIDER_MAX_RETRIES", 3)),
        backoff_factor=float(config.get("PROVIDER_BACKOFF_FACTOR", 0.5)),
        backoff_jitter=float(config.get("PROVIDER_BACKOFF_FACTOR", 0.5)) / 2,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
        unbilled=frozenset(unbilled),
        max_discard=reply_limit(config),
    )
    session = ProviderSession((min(CONNECT_TIMEOUT, read), read))
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def poll(fetch: Callable[[], T | None], interval: float, timeout: float, *,
         provider: str, label: str) -> T:
    """Call `fetch` every `interval` seconds until it returns a value or `timeout` passes.

    `fetch` returns None while the provider job is still running and raises ProviderError
    when the job failed. A 429 that outlasted the session's own retries is waited out too:
    the job exists (and is paid for), so only the deadline ends polling. Running out of time
    is retryable: another provider may be faster.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = fetch()
        except ProviderError as error:
            if error.status != 429:
                raise
            value = None
        if value is not None:
            return value
        if time.monotonic() + interval > deadline:
            raise ProviderError(provider, f"Timed out waiting for {label} result",
                                retryable=True)
        time.sleep(interval)


class HttpProvider:
    """Mixin for clients that talk HTTP: sends through the shared session, maps failures.

    Subclasses set `name`/`label`, implement `auth_headers()`, `error_message()` and
    `probe()`, and may override `is_refusal()`; everything else about transport is decided
    here, once.
    """

    name: str
    label: str
    info: dict[str, Any]  # Provider's: the deployment's catalogue entry
    key_statuses: tuple[int, ...] = (401, 403)  # what a provider answers a key it refuses

    def __init__(self, api_key: str, base_url: str, session: requests.Session,
                 config: Mapping[str, Any], table: Mapping[str, Any] | None = None):
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.table = table
        interval = config.get("PROVIDER_POLL_INTERVAL")
        self.poll_interval = float(self.info["poll_interval"] if interval is None else interval)
        self.poll_timeout = float(config.get("PROVIDER_POLL_TIMEOUT", 300))
        read = min(float(config.get("PROVIDER_TIMEOUT", 60)), CHECK_TIMEOUT)
        self.check_timeout = (min(CONNECT_TIMEOUT, read), read)
        self.max_pixels = int(config.get("MAX_IMAGE_PIXELS") or DEFAULT_MAX_IMAGE_PIXELS)
        self.max_reply = reply_limit(config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def error_message(self, response: requests.Response) -> str | None:
        """The provider's own reason from an error body, or None when it has none."""
        raise NotImplementedError

    def is_refusal(self, response: requests.Response, message: str) -> bool:
        return False

    def probe(self) -> tuple[set[str] | None, str]:
        """Ask the provider, with GETs that make nothing and cost nothing, which models it
        serves (None: it publishes no list) and a note for the operator (a balance, a count).
        Raises ProviderError like `send()`."""
        raise NotImplementedError

    def check(self) -> CheckResult:
        """Whether the key works and the deployment's models are served, from `probe()`."""
        try:
            served, note = self.probe()
        except ProviderError as error:
            status = "key_rejected" if error.status in self.key_statuses else "unavailable"
            return CheckResult(status, error.message)
        if served is None:
            return CheckResult("ok", note)
        models = self.info["models"]
        missing = [model for model in models if model not in served]
        return CheckResult("models_missing" if missing else "ok", note,
                           [model for model in models if model in served], missing)

    def send(self, method: str, path_or_url: str, *, auth: bool = True,
             headers: Mapping[str, str] | None = None, **kwargs: Any) -> requests.Response:
        """Send one request (with the session's retries) and return a 2xx response.

        Raises ProviderError for transport failures and non-2xx answers.
        """
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        all_headers = {**(self.auth_headers() if auth else {}), **(headers or {})}
        try:
            response = self.session.request(method, url, headers=all_headers, stream=True, **kwargs)
            self.read_body(response)
        except requests.RequestException as exc:
            raise self.transport_error(exc) from None
        if response.status_code >= 400:
            raise self.http_error(response)
        return response

    def read_body(self, response: requests.Response) -> None:
        """Read the reply into `response.content`, refusing it past `MAX_PROVIDER_REPLY_MB`.

        A reply is bounded like a request body, as it arrives: without a bound, a provider
        (or a proxy in between) that streams without end would hold a worker's memory until
        the process dies. A declared length over the bound is refused before reading; the
        decoded bytes are counted too, since a length can be absent, compressed or false.
        """
        declared = response.headers.get("Content-Length", "")
        with response:
            if declared.isdigit() and int(declared) > self.max_reply:
                raise self.too_long()
            body = gather(response.iter_content(CHUNK), self.max_reply)
            if body is None:
                raise self.too_long()
            # What requests itself does once a streamed body is read: .content/.json() use it.
            response._content = body
            response._content_consumed = True

    def too_long(self) -> ProviderError:
        return ProviderError(self.name, f"{self.label} sent a reply over this server's "
                                        f"{self.max_reply / MIB:g} MB limit", retryable=True)

    def transport_error(self, exc: requests.RequestException) -> ProviderError:
        text = str(exc).lower()
        if isinstance(exc, requests.Timeout) or "timed out" in text or "timeout" in text:
            message = f"{self.label} did not answer in time"
        elif isinstance(exc, requests.exceptions.ChunkedEncodingError):   # dropped mid-body
            message = f"{self.label} broke off its reply"
        else:
            message = f"Could not connect to {self.label}"
        return ProviderError(self.name, message, retryable=True)

    def http_error(self, response: requests.Response) -> ProviderError:
        status = response.status_code
        try:
            reason = self.error_message(response)
        except (ValueError, AttributeError, TypeError):
            reason = None
        message = self.redact(reason or f"{self.label} returned HTTP {status}")
        return ProviderError(self.name, message, status=status,
                             retryable=status == 429 or status >= 500,
                             refused=self.is_refusal(response, message))

    def redact(self, message: str) -> str:
        """Strip the key from a provider message, in case a provider echoes it back."""
        return message.replace(self.api_key, "***") if self.api_key else message

    def malformed(self, what: str) -> ProviderError:
        return ProviderError(self.name, f"{self.label} returned {what}")

    def result(self, data: bytes, model: str | None, seed: int | None = None,
               metadata: dict[str, Any] | None = None) -> ImageResult:
        """Wrap checked image bytes; the real size goes into metadata for the caller's fit."""
        mime, width, height = sniff_image(data, self.name, self.label, self.max_pixels)
        return ImageResult(data, mime, self.name, model, seed,
                           {"width": width, "height": height, **(metadata or {})})

    def json_body(self, response: requests.Response) -> Any:
        """The parsed JSON body of a success reply; ProviderError when it is not JSON."""
        try:
            return response.json()
        except ValueError:
            raise self.malformed("a malformed reply (not JSON)") from None
