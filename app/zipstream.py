"""ZIP archives written while they are sent: memory holds one entry, not the whole archive.

Entries are stored, not deflated (images are compressed already). zipfile writes to an
unseekable sink with data descriptors, so each entry can go out as soon as it is written.
"""
from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator


class _Sink:
    """A write-only file for zipfile; what it holds is handed out and forgotten."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """zipfile flushes; nothing is buffered here beyond `chunks`."""

    def drain(self) -> Iterator[bytes]:
        chunks, self.chunks = self.chunks, []
        yield from chunks


def stream_zip(entries: Iterable[tuple[str, Callable[[], bytes]]]) -> Iterator[bytes]:
    """The archive of (name, read) entries, as chunks; `read` is called when its turn comes."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:  # type: ignore[arg-type]
        for name, read in entries:
            archive.writestr(name, read())
            yield from sink.drain()
    yield from sink.drain()
