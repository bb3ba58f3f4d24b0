"""Bodies read whole, but never past a bound: what the server takes in from a client's
chunked upload and from a provider's reply, where the sender decides how much comes."""
from __future__ import annotations

import io
from collections.abc import Iterable

CHUNK = 256 * 1024


def gather(chunks: Iterable[bytes], limit: int) -> bytes | None:
    """The chunks as one bytes object, or None as soon as they pass `limit` bytes (nothing
    more is read). One buffer whose value is taken without a copy, unlike a join or a
    bytearray: a 30 MiB body peaks at ~31 MiB, not 60."""
    body = io.BytesIO()
    for chunk in chunks:
        body.write(chunk)
        if body.tell() > limit:
            return None
    return body.getvalue()
