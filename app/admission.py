"""Admission control for image work: at most IMAGE_CONCURRENCY decodes/renders per process.

Decoding and rendering hold whole rasters in memory and keep a core busy, so a burst of
large uploads queues here instead of growing the worker until it is killed. A request that
cannot start within IMAGE_QUEUE_TIMEOUT seconds gets 503 with Retry-After. When
IMAGE_QUEUE_LENGTH is set (gunicorn.conf.py sets it to leave a worker one free thread), so
does one that finds that many requests waiting already, at once: every waiter holds one of
the worker's few threads, and a request queued behind them (a /healthz probe, a page) would
wait as long as they do. Only the CPU-bound steps take a slot (never a provider wait), and
no thread holds two: a step nested in one that is admitted already (re-encoding an
in-process render) runs in the same slot, so two requests can never each hold one slot
while waiting for a second.

The queue turns work away at the door, not halfway: once a request has been admitted to
its first step, its later steps (the renders after the decode, on its own threads too)
wait for a slot as long as it takes (`Scope`): a 503 then would throw away work done and
results stored. A job's run is admitted from its start: it was accepted with a 202 and no
one would retry it (under a burst of 48 requests, 16 of 24 accepted jobs failed with the
503 meant for those requests), and it waits on a thread of the jobs' pool or an RQ worker.
"""
from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, TypeVar

from app.errors import ServiceUnavailable

BUSY = "The server is busy; retry shortly"
T = TypeVar("T")


class Scope:
    """One request's or job's image work. Threads it hands work to share it when they run in
    a copy of its context (`contextvars.copy_context`)."""

    def __init__(self, admitted: bool = False):
        self.admitted = admitted


_scope: ContextVar[Scope | None] = ContextVar("admission_scope", default=None)


def enter_scope(admitted: bool = False) -> Token:
    """Begin a scope in this context (a request, at its start); `leave_scope` ends it."""
    return _scope.set(Scope(admitted))


def leave_scope(token: Token) -> None:
    _scope.reset(token)


def submit_in_scope(pool: Executor, fn: Callable[..., T], *args: Any) -> Future[T]:
    """`pool.submit(fn, *args)` run in a copy of this context, so the work's admission scope
    goes along to the pool's thread (a later step there waits instead of being refused)."""
    return pool.submit(contextvars.copy_context().run, fn, *args)


@contextmanager
def scope(admitted: bool = False) -> Iterator[Scope]:
    """A scope for the block: `admitted` from the start for a job's run."""
    token = enter_scope(admitted)
    try:
        yield _scope.get()
    finally:
        leave_scope(token)


class Admission:
    def __init__(self, concurrency: int = 2, timeout: float = 30.0, queue: int | None = None):
        self.configure(concurrency, timeout, queue)

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot now."""
        return self._waiting

    def configure(self, concurrency: int, timeout: float, queue: int | None,
                  on_busy: Callable[[], None] | None = None,
                  on_idle: Callable[[], None] | None = None, linger: float = 0.0) -> None:
        """`on_busy` runs when a slot is taken while none was held, `on_idle` once no slot has
        been held for `linger` seconds, one after the other, never at once
        (app/imaging/memory.py keeps freed rasters for reuse between the two). The linger
        spans the moments a request holds no slot between its steps (decoded, not yet
        rendering) and the gap to a client's next request, which would otherwise each start
        from rasters given back to the system and faulted in again."""
        if getattr(self, "_idling", None) is not None:   # the hooks being replaced see their spell end
            self._idling.cancel()
            self._go_idle()
        self.concurrency = max(1, int(concurrency))
        self.timeout = float(timeout)
        self.queue = None if queue is None else int(queue)   # None: no bound but the timeout
        self.on_busy, self.on_idle = on_busy, on_idle
        self.linger = max(0.0, float(linger))
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._held = threading.local()
        self._waiting = 0
        self._active = 0
        self._idling: threading.Timer | None = None   # no slot held, on_idle not yet run
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the block; ServiceUnavailable (503) when none frees up in time
        or the queue is full, unless this work's scope was admitted already (it then waits)."""
        if getattr(self._held, "slot", False):
            yield
            return
        slots, work = self._slots, _scope.get()
        admitted = work is not None and work.admitted
        if not slots.acquire(blocking=False) and not self._wait(slots, patient=admitted):
            raise ServiceUnavailable(BUSY, headers={"Retry-After": str(max(1, round(self.timeout)))})
        if work is not None:
            work.admitted = True
        self._held.slot = True
        with self._lock:
            self._active += 1
            lingering, self._idling = self._idling, None
            if lingering is not None:
                lingering.cancel()
            elif self._active == 1 and self.on_busy is not None:
                self.on_busy()
        try:
            yield
        finally:
            self._held.slot = False
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    self._idle_later()
            slots.release()

    def _idle_later(self) -> None:
        """Run on_idle now (no linger) or once `linger` seconds pass with no slot taken."""
        if self.linger == 0:
            self._go_idle()
            return
        timer = threading.Timer(self.linger, self._idle_if_unused)
        timer.daemon = True
        self._idling = timer
        timer.start()

    def _idle_if_unused(self) -> None:
        with self._lock:
            if self._active == 0 and self._idling is threading.current_thread():
                self._idling = None
                self._go_idle()

    def _go_idle(self) -> None:
        if self.on_idle is not None:
            self.on_idle()

    def _wait(self, slots: threading.BoundedSemaphore, patient: bool) -> bool:
        """Queue for a slot. Admitted work waits as long as it takes and is never refused, but
        it takes a place in the queue while it waits: a new request finding the queue full
        is turned away."""
        with self._lock:
            if self.queue is not None and self._waiting >= self.queue and not patient:
                return False
            self._waiting += 1
        try:
            return slots.acquire() if patient else slots.acquire(timeout=self.timeout)
        finally:
            with self._lock:
                self._waiting -= 1


class Streams:
    """Long streamed answers (ZIP downloads) a process sends at once; one more is refused at
    once with 503, never queued. Each stream holds one of the worker's few threads for as
    long as the client takes to read it: 8 ZIPs landing on one worker of 8 threads left a
    /healthz probe waiting 9 s (bench/overload.py)."""

    def __init__(self, limit: int = 2):
        self.configure(limit)

    def configure(self, limit: int) -> None:
        self._slots = threading.BoundedSemaphore(max(1, int(limit)))

    def open(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """`chunks` holding one stream slot until they end or the response is closed."""
        if not self._slots.acquire(blocking=False):
            raise ServiceUnavailable(BUSY, headers={"Retry-After": "5"})
        return _Held(chunks, self._slots)


class _Held:
    """An iterator that gives its slot back once, when exhausted or closed (WSGI servers
    close every response, even one never read)."""

    def __init__(self, chunks: Iterator[bytes], slots: threading.BoundedSemaphore):
        self._chunks = chunks
        self._slots: threading.BoundedSemaphore | None = slots

    def __iter__(self) -> _Held:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._slots is not None:
            self._slots.release()
            self._slots = None
            close = getattr(self._chunks, "close", None)
            if close:
                close()


# One per process: the limits are on this process's memory, cores and threads, whichever app asks.
admission = Admission()
streams = Streams()
