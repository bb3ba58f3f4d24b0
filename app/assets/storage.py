"""Where asset bytes live, behind a small interface (filesystem by default).

Writes are atomic (temporary file, fsync, rename), so a crash never leaves a half-written
file under a key a database row points at.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Protocol

from app.errors import NotFound


class Storage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...
    def load(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class FileStorage:
    """Keys are relative paths below `root`; they come from our own ids, never from users."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("Asset not found") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def from_config(config: Mapping[str, Any]) -> Storage:
    return FileStorage(config["IMAGE_STUDIO_STORAGE_DIR"])
