"""Admission control for image work: at most IMAGE_CONCURRENCY decodes/renders per process.

Decoding and rendering hold whole rasters in memory and keep a core busy, so a burst of
large uploads queues here instead of growing the worker until it is killed. A request that
cannot start within IMAGE_QUEUE_TIMEOUT seconds gets 503 with Retry-After. Only the
CPU-bound steps take a slot (never a provider wait), and no step holds two.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from app.errors import ServiceUnavailable

BUSY = "The server is busy; retry shortly"


class Admission:
    def __init__(self, concurrency: int = 2, timeout: float = 30.0):
        self.configure(concurrency, timeout)

    def configure(self, concurrency: int, timeout: float) -> None:
        self.concurrency = max(1, int(concurrency))
        self.timeout = float(timeout)
        self._slots = threading.BoundedSemaphore(self.concurrency)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the block; ServiceUnavailable (503) when none frees up in time."""
        slots = self._slots
        if not slots.acquire(timeout=self.timeout):
            raise ServiceUnavailable(BUSY, headers={"Retry-After": str(max(1, round(self.timeout)))})
        try:
            yield
        finally:
            slots.release()


# One per process: the limit is on this process's memory and cores, whichever app asks.
admission = Admission()
