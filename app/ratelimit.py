"""The API rate limiter and its keys: per account by tier, per address for everyone else."""
from __future__ import annotations

import threading

from flask import current_app, request
from flask_limiter import Limiter
from limits.storage import MemoryStorage

from app.auth.identity import current_user
from app.errors import AppError

EXEMPT_PREFIXES = ("/api/docs", "/api/openapi.json")
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


def _user():
    try:
        return current_user()
    except AppError:
        return None


def rate_limit_key() -> str:
    user = _user()
    return f"user:{user.id}" if user else f"addr:{request.remote_addr or 'unknown'}"


def rate_limit_value() -> str:
    user = _user()
    if user is None:
        return current_app.config["RATELIMIT_ANONYMOUS"]
    return current_app.config[f"RATELIMIT_{user.tier.upper()}"]


def is_exempt() -> bool:
    """Only the JSON API is limited; pages, static files and the API docs are not."""
    path = request.path
    return not path.startswith("/api/") or path.startswith(EXEMPT_PREFIXES)


# One budget per account (or address) across the whole API, not one per endpoint.
limiter = Limiter(key_func=rate_limit_key, application_limits=[rate_limit_value],
                  application_limits_exempt_when=is_exempt, headers_enabled=True)
