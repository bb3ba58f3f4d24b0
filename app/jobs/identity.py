"""Which process holds a job: `host:pid:nonce`, and whether such a holder can still be alive.

The nonce tells this process from an earlier one that had the same pid (containers restart
with the same small pids), so a job left by a stopped process is known at once on its host;
on other hosts only the heartbeat's age tells.
"""
from __future__ import annotations

import os
import secrets
import socket

_nonce = secrets.token_hex(4)


def _reset_after_fork() -> None:
    global _nonce
    _nonce = secrets.token_hex(4)


os.register_at_fork(after_in_child=_reset_after_fork)


def holder() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{_nonce}"


def gone(name: str | None) -> bool:
    """True when `name` is a process of this host that no longer runs (or an earlier one with
    this process's pid); False when it may be alive, or runs elsewhere."""
    parts = (name or "").rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname()[:80] or not parts[1].isdigit():
        return False
    pid, nonce = int(parts[1]), parts[2]
    if pid == os.getpid():
        return nonce != _nonce
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
