"""The one small interface every image provider implements, and the values it exchanges.

Studios build a request dataclass, the registry picks a `Provider`, and the provider returns
an `ImageResult` or raises `ProviderError`. Nothing here knows about Flask or HTTP.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .pricing import default_model, provider_info


@dataclass
class GenerateRequest:
    prompt: str
    negative_prompt: str | None = None
    width: int = 1024
    height: int = 1024
    style_preset: str | None = None
    guidance_scale: float | None = None
    steps: int | None = None
    seed: int | None = None
    model: str | None = None
    output_format: str = "png"

    kind = "generate"

    @property
    def operation(self) -> None:
        """Generation has no sub-operation; present so every request reads alike."""
        return None


@dataclass
class EditRequest:
    operation: str
    image: bytes
    mask: bytes | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    search_prompt: str | None = None
    select_prompt: str | None = None
    background: bytes | None = None
    lighting: bytes | None = None
    left: int = 0
    right: int = 0
    up: int = 0
    down: int = 0
    style_preset: str | None = None
    guidance_scale: float | None = None
    steps: int | None = None
    seed: int | None = None
    model: str | None = None
    output_format: str = "png"
    options: dict[str, Any] = field(default_factory=dict)

    kind = "edit"


@dataclass
class UpscaleRequest:
    mode: str
    image: bytes
    prompt: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    creativity: float | None = None
    style_preset: str | None = None
    output_format: str = "png"
    model: str | None = None
    target: tuple[int, int] | None = None  # the size the result is fitted to, when one is asked

    kind = "upscale"

    @property
    def operation(self) -> str:
        return self.mode


@dataclass
class ControlRequest:
    operation: str
    image: bytes
    prompt: str
    style_image: bytes | None = None
    negative_prompt: str | None = None
    control_strength: float | None = None
    fidelity: float | None = None
    style_strength: float | None = None
    composition_fidelity: float | None = None
    change_strength: float | None = None
    aspect_ratio: str | None = None
    style_preset: str | None = None
    seed: int | None = None
    output_format: str = "png"
    model: str | None = None

    kind = "control"


class Renderer(Protocol):
    """An upload decoded once that renders any target from it (the social pipeline's)."""

    def render(self, target: Any) -> tuple[bytes, dict[str, Any]]: ...   # (bytes, metadata)


@dataclass
class RenderRequest:
    """One rendition of an already-decoded upload: in-process work for the `local` provider."""

    source: Renderer
    target: Any
    model: str | None = None

    kind = "social"
    operation = "optimize"


@dataclass
class DeliverRequest:
    """An upload re-encoded in this process (compress, convert) for the `local` provider:
    `work` decodes and encodes it, returning the file and what it did."""

    operation: str
    work: Callable[[], tuple[bytes, dict[str, Any]]]
    model: str | None = None

    kind = "deliver"


Request = (GenerateRequest | EditRequest | UpscaleRequest | ControlRequest | RenderRequest
           | DeliverRequest)


@dataclass
class ImageResult:
    data: bytes
    mime_type: str
    provider: str
    model: str | None
    seed: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


# What a live check found (`ok`, `models_missing`, `key_rejected`, `unavailable`), and what
# the listing says of a provider it did not ask (`not_configured`) or not yet (`unchecked`).
CHECK_STATUSES = ("ok", "models_missing", "key_rejected", "unavailable", "not_configured",
                  "unchecked")


@dataclass
class CheckResult:
    """A provider's answer to "does our key work, and does it serve our models?", got
    without making an image. `served` is None when the provider publishes no model list."""

    status: str
    message: str
    served: list[str] | None = None
    missing: list[str] = field(default_factory=list)


class ProviderError(Exception):
    """A provider call that failed; `message` is safe to show (never a key or traceback).

    `retryable` marks transient failures (5xx, 429, timeout, connection) that may succeed at
    another provider; `refused` marks content-moderation refusals, which must not fail over.
    """

    def __init__(self, provider: str, message: str, *, status: int | None = None,
                 retryable: bool = False, refused: bool = False):
        super().__init__(message)
        self.provider = provider
        self.message = message
        self.status = status
        self.retryable = retryable
        self.refused = refused
        self.attempts: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return (f"ProviderError(provider={self.provider!r}, message={self.message!r}, "
                f"status={self.status!r}, retryable={self.retryable}, refused={self.refused})")

    def __str__(self) -> str:
        return self.message


class Provider:
    """One provider behind the common interface; capabilities come from providers.json.

    Operations a provider lacks raise ProviderError (not retryable) via `unsupported()`.
    """

    name: str = ""
    label: str = ""
    # True for a provider whose calls are CPU work in this process without an admission slot
    # of their own (the runner admits its plans as a whole); a wait on the network is not.
    renders_here: bool = False
    table: Mapping[str, Any] | None = None  # the deployment's provider table; None: the data file

    @property
    def info(self) -> dict[str, Any]:
        """This provider's catalogue entry, with the deployment's models (see `overrides`)."""
        return provider_info(self.name, self.table)

    def supports(self, kind: str, operation: str | None = None) -> bool:
        """True when this provider can run `kind` (and `operation`, if given)."""
        ops = self.info["operations"].get(kind)
        if ops is None:
            return False
        return operation is None or operation in ops

    def default_model(self, kind: str, operation: str | None = None) -> str | None:
        """The model used when the request names none."""
        return default_model(self.name, kind, operation, self.table)

    def check(self) -> CheckResult:
        """Whether this provider can work now; in-process providers need no key and no network."""
        return CheckResult("ok", f"{self.label or self.name} runs in this process",
                           list(self.info["models"]))

    def generate(self, request: GenerateRequest) -> ImageResult:
        raise self.unsupported("generate")

    def edit(self, request: EditRequest) -> ImageResult:
        raise self.unsupported("edit", request.operation)

    def upscale(self, request: UpscaleRequest) -> ImageResult:
        raise self.unsupported("upscale", request.mode)

    def control(self, request: ControlRequest) -> ImageResult:
        raise self.unsupported("control", request.operation)

    def social(self, request: RenderRequest) -> ImageResult:
        raise self.unsupported("social", request.operation)

    def deliver(self, request: DeliverRequest) -> ImageResult:
        raise self.unsupported("deliver", request.operation)

    def cannot(self, kind: str, operation: str | None = None) -> str:
        """The sentence a request naming this provider gets for work it cannot do."""
        what = f"{kind} operation '{operation}'" if operation else kind
        return f"Provider '{self.name}' does not support {what}"

    def unsupported(self, kind: str, operation: str | None = None) -> ProviderError:
        what = f"{kind} '{operation}'" if operation else kind
        return ProviderError(self.name, f"{self.label or self.name} does not support {what}")

    def run(self, request: Request) -> ImageResult:
        """Dispatch a request to the method for its kind."""
        if not self.supports(request.kind, request.operation):
            raise self.unsupported(request.kind, request.operation)
        return getattr(self, request.kind)(request)
