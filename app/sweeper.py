"""The sweeper: what a worker killed mid-call leaves behind is put right.

A request reserves credits and writes its result's file before its row; a worker that dies
between the two leaves a pending reservation (credits held) or a file without a row. Both
are safe to clear once they are older than any live request can be.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.assets.service import remove_orphans
from app.auth.service import remove_expired_sessions
from app.credits.service import refund_stale
from app.jobs.recovery import recover

GRACE = timedelta(minutes=1)


def stale_after(config: Mapping[str, Any]) -> timedelta:
    """The longest a live request holds a reservation: one provider call, its polling, a minute."""
    return timedelta(seconds=config["PROVIDER_TIMEOUT"] + config["PROVIDER_POLL_TIMEOUT"]) + GRACE


@dataclass(frozen=True)
class Swept:
    refunded: int
    removed: int
    sessions: int = 0
    jobs: int = 0


def sweep(config: Mapping[str, Any], older_than: timedelta | None = None) -> Swept:
    """Refund stale reservations, remove orphan asset files and expired sessions, and fail or
    requeue the jobs of stopped processes (in an app context)."""
    before = datetime.now(UTC) - (stale_after(config) if older_than is None else older_than)
    return Swept(refund_stale(before), remove_orphans(before),
                 remove_expired_sessions(config["PERMANENT_SESSION_LIFETIME"]), recover(config))
