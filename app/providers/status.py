"""Live checks of the configured providers: run on demand (`flask providers check`) or
cached for the provider listing's `status`.

A check asks each provider something cheap that makes no image (a model list, a model's
provider mapping, an account balance). The listing must stay fast even when a provider
hangs, so it waits at most `wait` seconds for checks it starts; a check still running is
reported `unchecked` (or by its last result) and lands in the cache when it ends. Results
are kept `ttl` seconds per process.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from typing import Any

from .base import CheckResult
from .registry import ProviderRegistry

NOT_CONFIGURED = CheckResult("not_configured", "no key is set")
UNCHECKED = CheckResult("unchecked", "the check has not finished yet")


@dataclass
class Report:
    """One provider's line of `flask providers check`."""

    provider: str
    configured: bool
    result: CheckResult

    @property
    def failed(self) -> bool:
        return self.configured and self.result.status != "ok"


class StatusBoard:
    """The latest check of every provider the registry lists, at most `ttl` seconds old."""

    def __init__(self, registry: ProviderRegistry, ttl: float, wait: float):
        self.registry = registry
        self.ttl = ttl
        self.wait = wait
        self._lock = threading.Lock()
        self._results: dict[str, tuple[float, CheckResult]] = {}
        self._running: dict[str, Future] = {}
        self._pool: ThreadPoolExecutor | None = None  # made on first use: after a server forks

    def check(self) -> list[Report]:
        """Check every listed provider now and wait for all: the operator asked."""
        futures = {name: self._start(name) for name in self._configured()}
        wait_for(futures.values())
        return [self._report(name, futures[name].result() if name in futures else NOT_CONFIGURED)
                for name in self.registry.names()]

    def statuses(self) -> dict[str, str]:
        """`status` per listed provider: cached results, then checks waited on for at most
        `wait` seconds; a provider whose check is still running is `unchecked`."""
        stale = [name for name in self._configured() if not self._fresh(name)]
        wait_for([self._start(name) for name in stale], timeout=self.wait)
        return {name: self._latest(name).status for name in self.registry.names()}

    def describe(self) -> dict[str, dict[str, Any]]:
        """The `GET /providers` body: the registry's description with each `status`."""
        statuses = self.statuses()
        return {name: {**info, "status": statuses[name]}
                for name, info in self.registry.describe().items()}

    def _configured(self) -> list[str]:
        return [name for name in self.registry.names() if name in self.registry.providers]

    def _report(self, name: str, result: CheckResult) -> Report:
        return Report(name, name in self.registry.providers, result)

    def _fresh(self, name: str) -> bool:
        with self._lock:
            done = self._results.get(name)
        return done is not None and time.monotonic() - done[0] < self.ttl

    def _latest(self, name: str) -> CheckResult:
        if name not in self.registry.providers:
            return NOT_CONFIGURED
        with self._lock:
            done = self._results.get(name)
        return done[1] if done else UNCHECKED

    def _start(self, name: str) -> Future:
        """The running check of `name`, or a new one: one check per provider at a time."""
        with self._lock:
            running = self._running.get(name)
            if running is None:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=len(self.registry.names()),
                                                    thread_name_prefix="provider-check")
                running = self._running[name] = self._pool.submit(self._run, name)
            return running

    def _run(self, name: str) -> CheckResult:
        try:
            result = self.registry.providers[name].check()
        except Exception as exc:  # a check must never take the listing down with it
            result = CheckResult("unavailable", f"the check failed ({type(exc).__name__})")
        with self._lock:
            self._results[name] = (time.monotonic(), result)
            self._running.pop(name, None)
        return result
