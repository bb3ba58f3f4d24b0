"""Raster memory between image steps: Pillow keeps freed raster blocks for the next image,
and gives them back to the system once no image work is running.

gunicorn.conf.py maps every allocation of 1 MiB or more on its own (so a burst's memory goes
back when it ends), and a fresh map costs a page fault per 4 KiB touched. One Social request
allocates and frees ~200 MB of rasters (the decode, then per format a reduced copy, a
half-resized pass and the output): without a cache, faulting them in cost 50–60 ms of its
~330 ms under gunicorn. With CACHED_BLOCKS of Pillow's 16 MiB blocks kept, each freed raster
is reused by the next one, and `release`, called when the process's last admitted image
step ends (app/admission.py), unmaps the cache, so an idle worker holds no raster memory.
"""
from __future__ import annotations

from PIL import Image

CACHED_BLOCKS = 8   # at most 128 MiB of freed rasters kept while image work runs


def keep_freed_rasters(blocks: int = CACHED_BLOCKS) -> None:
    """Let Pillow keep up to `blocks` freed raster blocks for reuse (process-wide)."""
    Image.core.set_blocks_max(blocks)


def release() -> None:
    """Give every cached raster block back to the system."""
    Image.core.clear_cache()
