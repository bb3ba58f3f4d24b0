"""Raster memory between image steps: while image work runs, Pillow keeps freed raster
blocks for the next raster; once none has run for a moment, it keeps none.

gunicorn.conf.py maps every allocation of 1 MiB or more on its own (so a burst's memory goes
back when it ends), and a fresh map costs a page fault per 4 KiB touched. One Social request
allocates and frees ~200 MB of rasters (the decode, then per format a reduced copy, a
half-resized pass and the output): without a cache, faulting them in cost 50–60 ms of its
~330 ms under gunicorn. app/admission.py calls `keep_freed_rasters` when the process's first
image step starts and `release` once no step has run for IMAGE_MEMORY_LINGER seconds (2), so
a client's next request starts from the rasters its last one freed (its decoded upload, for
one; 12 MP → 7 JPEG through gunicorn, back to back: ~445 → ~405 ms), and a worker idle for
longer holds no raster memory.
"""
from __future__ import annotations

from PIL import Image

CACHED_BLOCKS = 8   # at most 8 of Pillow's 16 MiB blocks (128 MiB) kept while work runs


def keep_freed_rasters(blocks: int = CACHED_BLOCKS) -> None:
    """Let Pillow keep up to `blocks` freed raster blocks for reuse (process-wide)."""
    Image.core.set_blocks_max(blocks)


def release() -> None:
    """Give every cached raster block back to the system, and cache none until asked again."""
    Image.core.set_blocks_max(0)
    Image.core.clear_cache()
