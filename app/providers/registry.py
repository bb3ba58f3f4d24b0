"""Which providers exist, which are configured, and the one place `auto` routing happens.

`plan()` turns a request's provider choice into an ordered list of routes (the first runs,
the rest are failover candidates); `execute()` runs them, moving on only after a transient
failure. Routing tables (quality order, edit preference) live in providers.json.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from app.catalog.operations import operation_kinds
from app.errors import ServiceUnavailable, ValidationFailed
from app.telemetry.metrics import PROVIDER_ERRORS, PROVIDER_LATENCY

from .base import ImageResult, Provider, ProviderError, Request
from .gemini import GeminiProvider
from .huggingface import HuggingFaceProvider
from .local import LocalProvider
from .overrides import apply_overrides
from .pricing import (
    canonical_model,
    cost_range,
    default_model,
    estimate,
    load_table,
    provider_info,
    resolve_alias,
)
from .sandbox import SandboxProvider
from .session import make_session
from .stability import StabilityProvider
from .wavespeed import WaveSpeedProvider

# name -> (client class, key setting, base-URL setting, default base URL)
CLIENTS = {
    "stability": (StabilityProvider, "STABILITY_API_KEY", "STABILITY_API_BASE",
                  "https://api.stability.ai"),
    "wavespeed": (WaveSpeedProvider, "WAVESPEED_API_KEY", "WAVESPEED_API_BASE",
                  "https://api.wavespeed.ai"),
    "huggingface": (HuggingFaceProvider, "HF_TOKEN", "HF_API_BASE",
                    "https://router.huggingface.co"),
    "gemini": (GeminiProvider, "GEMINI_API_KEY", "GEMINI_API_BASE",
               "https://generativelanguage.googleapis.com"),
}


LOCAL = "local"
log = logging.getLogger("image_studio.providers")


class Route(NamedTuple):
    provider: str
    model: str | None


@dataclass
class Outcome:
    result: ImageResult
    provider: str
    model: str | None
    attempts: list[dict[str, Any]] = field(default_factory=list)


def _flag(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


class ProviderRegistry:
    """The provider clients that can run, keyed by provider name (`local` always can), and
    the deployment's provider table (providers.json with its model settings) they share."""

    def __init__(self, providers: dict[str, Provider], allow_sandbox: bool,
                 table: Mapping[str, Any] | None = None):
        self.providers = {**providers, LOCAL: LocalProvider()}
        self.allow_sandbox = allow_sandbox
        self.table = table or load_table()

    def names(self) -> list[str]:
        """The vendors and the sandbox (when allowed): what `GET /providers` lists."""
        return [*CLIENTS, *(["sandbox"] if self.allow_sandbox else [])]

    def configured(self) -> list[str]:
        """Names that can run now: providers with a key, plus the sandbox when allowed."""
        return [name for name in self.names() if name in self.providers]

    def describe(self) -> dict[str, dict[str, Any]]:
        """The `GET /providers` body, one entry per listed provider."""
        described = {}
        for name in self.names():
            info = provider_info(name, self.table)
            described[name] = {"name": info["label"], "models": list(info["models"]),
                               "capabilities": list(info["capabilities"]),
                               "max_resolution": info["max_resolution"],
                               "cost_range": cost_range(name, self.table),
                               "configured": name in self.providers}
        return described

    def get(self, name: str) -> Provider:
        """The client for `name`; ValidationFailed when unknown, 503 when not configured."""
        name, _ = resolve_alias(name, None)
        if name not in (*self.names(), LOCAL):
            choices = ", ".join(["auto", *self.names(), LOCAL, *self.table["aliases"]])
            raise ValidationFailed.for_field("provider", f"Unknown provider '{name}'; choose one of {choices}")
        if name not in self.providers:
            raise ServiceUnavailable(f"Provider '{name}' is not configured")
        return self.providers[name]

    def plan(self, kind: str, operation: str | None = None, provider: str | None = "auto",
             model: str | None = None, quality: str = "standard",
             recommended: str | None = None) -> list[Route]:
        """Routes to try in order. An explicit provider gets exactly one route (no failover).

        `execute()` sends each route's model (None = the provider's default), so pass the
        user's model here rather than in the request. Raises ValidationFailed for an unknown
        provider, model or quality, ServiceUnavailable when nothing configured can run it.
        With no configured vendor able to run it, the routing table's fallbacks are tried:
        `local` (in-process work), then the sandbox.
        """
        if provider and provider != "auto":
            name, model = resolve_alias(provider, model)
            client = self.get(name)
            if not client.supports(kind, operation):
                raise client_unsupported(client, kind, operation)
            return [Route(name, canonical_model(name, model, table=self.table) if model else None)]
        candidates = self._candidates(kind, quality, recommended)
        if model:
            matching = [Route(p, model) for p, _ in candidates if model in self._models(p)]
            candidates = matching or candidates
        routes: list[Route] = []
        for name, route_model in candidates:
            client = self.providers.get(name)
            if client and client.supports(kind, operation) \
                    and name not in {r.provider for r in routes}:
                # Routing and templates name catalogue models a deployment may not serve:
                # those routes run the provider's default instead.
                routes.append(Route(name, route_model if route_model in self._models(name)
                                    else None))
        if routes:
            return routes
        fallback = self._fallback(kind, operation)
        if fallback:
            return [fallback]
        what = f"{kind} '{operation}'" if operation else kind
        raise ServiceUnavailable(f"No configured provider can run {what}")

    def _fallback(self, kind: str, operation: str | None) -> Route | None:
        """When no configured vendor can: in-process work (`local`), else the sandbox."""
        for name in self.table["routing"]["fallbacks"]:
            client = self.providers.get(name)
            if client and client.supports(kind, operation):
                return Route(name, self.default_model(name, kind, operation))
        return None

    def _models(self, name: str) -> list[str]:
        return provider_info(name, self.table)["models"]

    def default_model(self, provider: str, kind: str, operation: str | None = None) -> str | None:
        """The model `provider` runs for `kind`/`operation` when a route names none, as this
        deployment configured it (so a reservation is priced like the call)."""
        return default_model(provider, kind, operation, self.table)

    def _candidates(self, kind: str, quality: str, recommended: str | None) -> list[Route]:
        routing = self.table["routing"]
        if kind != "generate":
            return [Route(name, None) for name in routing.get(kind, [])]
        if quality not in routing["generate"]:
            raise ValidationFailed.for_field("quality", f"Unknown quality: {quality}")
        routes = [Route(p, m) for p, m in routing["generate"][quality]]
        if recommended:
            routes.insert(0, Route(*resolve_alias(recommended, None)))
        return routes

    def execute(self, routes: list[Route], request: Request) -> Outcome:
        """Run routes in order; only a retryable failure moves on to the next one.

        Raises the last ProviderError, with `.attempts` listing every failed route.
        """
        attempts: list[dict[str, Any]] = []
        for route in routes:
            client = self.get(route.provider)
            started = time.perf_counter()
            try:
                result = client.run(replace(request, model=route.model))
            except ProviderError as exc:
                _record_call(route, request, started, exc)
                attempts.append({"provider": route.provider, "model": route.model,
                                 "error": exc.message})
                exc.attempts = list(attempts)
                if not exc.retryable or route is routes[-1]:
                    raise
                continue
            _record_call(route, request, started, None)
            return Outcome(result, route.provider, result.model or route.model, attempts)
        raise ValidationFailed("No provider route to run")

    def estimate(self, provider: str, model: str | None, operation: str, num_images: int,
                 width: int | None, height: int | None, quality: str = "standard") -> dict:
        """`POST /estimate-cost`: `auto` is priced at the provider auto routing would pick first."""
        if provider == "auto":
            kinds = operation_kinds()
            if operation not in kinds:
                raise ValidationFailed.for_field("operation", f"Unknown operation: {operation}")
            kind, sub = kinds[operation]
            route = self.plan(kind, sub if kind != "generate" else None, "auto", model, quality)[0]
            provider, model = route.provider, model or route.model
        return estimate(provider, model, operation, num_images, width, height, self.table)


def _record_call(route: Route, request: Request, started: float, error: ProviderError | None) -> None:
    """One log line and metric sample per provider call: never the key, the prompt or the image."""
    elapsed = time.perf_counter() - started
    outcome = "ok" if error is None else ("refused" if error.refused else
                                          "retryable" if error.retryable else "failed")
    PROVIDER_LATENCY.labels(route.provider, request.kind, outcome).observe(elapsed)
    if error is not None:
        PROVIDER_ERRORS.labels(route.provider, request.kind, outcome).inc()
    log.info("provider_call", extra={
        "provider": route.provider, "model": route.model, "kind": request.kind,
        "operation": request.operation, "outcome": outcome, "status": error.status if error else 200,
        "latency_ms": round(elapsed * 1000, 1), "error": error.message if error else None})


def client_unsupported(client: Provider, kind: str, operation: str | None) -> ValidationFailed:
    return ValidationFailed.for_field("provider", client.cannot(kind, operation))


def build_registry(config: Mapping[str, Any]) -> ProviderRegistry:
    """Create a client for every provider whose key is set (config keys = env var names),
    all sharing the deployment's models (`overrides`; ConfigError when they cannot work)."""
    table = apply_overrides(load_table(), config)
    providers: dict[str, Provider] = {}
    for name, (cls, key_setting, base_setting, default_base) in CLIENTS.items():
        key = config.get(key_setting)
        if key:
            session = make_session(config, provider_info(name, table)["unbilled_statuses"])
            providers[name] = cls(key, config.get(base_setting) or default_base, session, config,
                                  table)
    allow_sandbox = _flag(config.get("IMAGE_STUDIO_ALLOW_SANDBOX"), True)
    if allow_sandbox:
        providers["sandbox"] = SandboxProvider()
    return ProviderRegistry(providers, allow_sandbox, table)
