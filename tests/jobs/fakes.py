"""Slow answers from the fake Stability server, through its existing script queue.

Each scripted answer is taken by the next request to arrive, so `delays` are handed out in
arrival order: with images made at once, the first two to arrive get the first two delays.
"""
from __future__ import annotations

from collections.abc import Iterable

from tests.fakes.server import png_bytes
from tests.fakes.stability import FakeStability

GENERATE = r"^/v2beta/stable-image/generate/"


def slow_images(fake: FakeStability, delays: Iterable[float], size: tuple[int, int] = (64, 64)) -> None:
    """Answer the next generate requests with a PNG, each after its delay (seconds)."""
    for delay in delays:
        fake.queue(1, status=200, body=png_bytes(*size), delay=delay, content_type="image/png",
                   path=GENERATE)


def generate_calls(fake: FakeStability) -> int:
    return sum(1 for request in fake.requests if request.path.startswith("/v2beta/stable-image/generate/"))
