"""The API rate limiter: its keys (per account by tier, per address for everyone else) and
its stores, in memory or on a Redis that may fail.

Who is calling is told by the auth package (`init_app(app, identify=...)`), so that the
sign-in views can use this limiter for their own limits without an import cycle.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits.storage import MemoryStorage, RedisStorage

log = logging.getLogger(__name__)

EXEMPT_PREFIXES = ("/api/docs", "/api/openapi.json")
# A job's status and the job listing: a page polls them about once a second while a job
# runs, which alone would spend a free account's whole budget. They have their own limit
# (status_limits), outside the one budget; the job's ZIP is not among them.
STATUS_READS = re.compile(r"^/api/image-studio/jobs(?:/[^/]+)?$")
# How often the in-memory storage sweeps expired counters. Counts never depend on it (an
# expired window is dropped when its key is next read); the sweep only frees keys nobody
# reads again, such as one-off client addresses.
MEMORY_SWEEP_SECONDS = 1.0


class ThreadSafeMemoryStorage(MemoryStorage):
    """`memory://` (the default RATELIMIT_STORAGE_URI) fixed for threaded workers.

    limits 5.8's MemoryStorage restarts its expiry sweep from whichever request finds the last
    one finished, without a lock, so two gthread threads can `start()` the same Timer: the
    request fails with "RuntimeError: threads can only be started once", a 500 (with
    bench/catalog_reads.py: about one in 60,000 requests; fixed upstream by
    alisaifee/limits#352, but 5.8.0, installed here, still has it). It also sweeps every
    10 ms, so under load one request in a few pays for starting a thread. Here the timer
    starts under a lock, once per MEMORY_SWEEP_SECONDS. Declaring the scheme makes
    `memory://` build this class.
    """

    STORAGE_SCHEME = ["memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._timer_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_timer_lock", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self._timer_lock = threading.Lock()
        super().__setstate__(state)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the base class's private method
        if self.timer.is_alive():
            return
        with self._timer_lock:
            if not self.timer.is_alive():
                self.timer = threading.Timer(MEMORY_SWEEP_SECONDS, self._MemoryStorage__expire_events)
                self.timer.daemon = True
                self.timer.start()


class FallbackRedisStorage(RedisStorage):
    """`redis://` that never hangs or fails a request: a Redis that refuses, resets or never
    answers costs one call at most STORAGE_TIMEOUT seconds, then the limits are counted in
    this process's memory (a warning in the log, `degraded` for /healthz) and Redis is
    tried again every RETRY_SECONDS.

    Flask-Limiter's own in-memory fallback swaps every limit for one fixed list while
    Redis is down; this keeps each limit (tiers, anonymous, sign-in) and only changes where
    it is counted. redis-py's default of three retries with backoff per call is turned off:
    one timeout is the whole bound.
    """

    STORAGE_SCHEME = ["redis", "rediss", "redis+unix"]
    STORAGE_TIMEOUT = 0.5
    RETRY_SECONDS = 5.0
    GUARDED = ("incr", "get", "get_expiry", "clear", "acquire_entry", "get_moving_window",
               "acquire_sliding_window_entry", "get_sliding_window", "clear_sliding_window")

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any):
        # Imported here, where a Redis store is configured: a worker without one never loads redis.
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        options.setdefault("socket_timeout", self.STORAGE_TIMEOUT)
        options.setdefault("socket_connect_timeout", self.STORAGE_TIMEOUT)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.fallback = ThreadSafeMemoryStorage()
        self.degraded = False
        self._retry_at = 0.0

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.degraded and time.monotonic() < self._retry_at:
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            result = getattr(RedisStorage, name)(self, *args, **kwargs)
        except self.base_exceptions as exc:
            self._failed(exc)
            return getattr(self.fallback, name)(*args, **kwargs)
        if self.degraded:
            self._recovered()
        return result

    def _recovered(self) -> None:
        self.degraded = False
        log.warning("rate-limit store reachable again; limits are shared again")

    def _failed(self, exc: Exception) -> None:
        if not self.degraded:
            log.warning("rate-limit store unreachable (%s); counting limits in this process's "
                        "memory and retrying every %g s", type(exc).__name__, self.RETRY_SECONDS)
        self.degraded = True
        self._retry_at = time.monotonic() + self.RETRY_SECONDS

    def state(self) -> str:
        """"ok" or "degraded"; while degraded, Redis is pinged again once the retry time is due."""
        if self.degraded and time.monotonic() >= self._retry_at:
            self.check()
        return "degraded" if self.degraded else "ok"

    def check(self) -> bool:
        """Ping Redis (within the timeout) and update `degraded`."""
        try:
            self.get_connection().ping()
        except self.base_exceptions as exc:
            self._failed(exc)
            return False
        if self.degraded:
            self._recovered()
        return True


def _guarded(name: str) -> Callable[..., Any]:
    def method(self: FallbackRedisStorage, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


# Assigned after the class is built, so limits' own error wrapper (added to subclasses'
# methods) does not wrap these: they never raise a storage error.
for _name in FallbackRedisStorage.GUARDED:
    setattr(FallbackRedisStorage, _name, _guarded(_name))


Caller = tuple[int, str] | None
"""(account id, tier) of the caller, or None for an anonymous request."""


def _caller() -> Caller:
    return current_app.extensions["ratelimit_identify"]()


def rate_limit_key() -> str:
    caller = _caller()
    return f"user:{caller[0]}" if caller else f"addr:{client_address()}"


def rate_limit_value() -> str:
    caller = _caller()
    if caller is None:
        return current_app.config["RATELIMIT_ANONYMOUS"]
    return current_app.config[f"RATELIMIT_{caller[1].upper()}"]


def client_address() -> str:
    return request.remote_addr or "unknown"


def is_exempt() -> bool:
    """Only the JSON API is limited; pages, static files and the API docs are not, and job
    status reads count against their own limit instead."""
    path = request.path
    if request.method == "GET" and STATUS_READS.match(path):
        return True
    return not path.startswith("/api/") or path.startswith(EXEMPT_PREFIXES)


def status_limits(view: Callable) -> Callable:
    """Decorate a job status read: RATELIMIT_JOB_STATUS per account (or address), one
    budget for every such read."""
    return limiter.shared_limit(lambda: current_app.config["RATELIMIT_JOB_STATUS"],
                                scope="job-status", key_func=rate_limit_key, methods=["GET"])(view)


def store_state() -> str:
    """"ok", or "degraded" while limits are counted per process because Redis failed."""
    storage = limiter.storage
    return storage.state() if isinstance(storage, FallbackRedisStorage) else "ok"


# One budget per account (or address) across the whole API, not one per endpoint.
limiter = Limiter(key_func=rate_limit_key, application_limits=[rate_limit_value],
                  application_limits_exempt_when=is_exempt, headers_enabled=True)


def init_app(app: Flask, identify: Callable[[], Caller]) -> None:
    app.extensions["ratelimit_identify"] = identify
    limiter.init_app(app)
