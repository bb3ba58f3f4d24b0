"""How the studio runner runs when it runs for a job, rather than for a waiting request.

A job goes through the studio services twice: at submission the service validates its
request and plans as usual, and the runner reserves the credits and stops there
(`Deferred`), before any provider call; later a worker calls the same service again and
the runner spends that reservation instead of making a new one, reports each item as it
is settled and stops starting items once the job is cancelled. One code path serves the
synchronous call, the submission and the worker; a service asks `deferring()` only to skip
work whose sole use is the run (Social checks its upload decodes, not decoding it for the
renders), never to check less.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from app.credits.service import Reservation

Report = Callable[[int, Any, int, int], None]   # (slot, Delivered or ProviderError, done, total)


class Deferred(Exception):
    """Raised by the runner at submission, once the credits are reserved: nothing runs now.
    `total` is the number of images the call will make."""

    def __init__(self, studio: str, reservation: Reservation | None, total: int, credits: float):
        super().__init__("deferred to a job")
        self.studio = studio
        self.reservation = reservation   # None for a `dry` run: priced, nothing reserved
        self.total = total
        self.credits = credits

    def record(self) -> dict[str, Any]:
        """How the job keeps this reservation until a worker spends it."""
        return {"studio": self.studio, "ids": self.reservation.entry_ids}


@dataclass
class Execution:
    """A job's side of the runner: `defer` at submission; else a worker's resumed run."""

    job_id: str
    defer: bool = False
    dry: bool = False        # with defer: only price the call (a campaign's estimate)
    reservations: list[dict[str, Any]] = field(default_factory=list)   # Deferred.record()s
    report: Report | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    billing: Callable[[], None] | None = None    # before the first call to a paid provider

    def reservation(self, studio: str) -> Reservation | None:
        """The oldest unspent reservation made at submission for `studio`, or None (a batch
        reserves its creates up front; the social renditions of their images reserve as
        they run)."""
        for index, record in enumerate(self.reservations):
            if record["studio"] == studio:
                return Reservation(list(self.reservations.pop(index)["ids"]))
        return None


_current: ContextVar[Execution | None] = ContextVar("studio_execution", default=None)


def current() -> Execution | None:
    return _current.get()


def deferring() -> bool:
    """True while a job's submission runs: the runner will stop at the reservation."""
    job = _current.get()
    return job is not None and job.defer


@contextmanager
def running(execution: Execution) -> Iterator[Execution]:
    """Make `execution` the runner's context for the block (this thread and context only)."""
    token = _current.set(execution)
    try:
        yield execution
    finally:
        _current.reset(token)
