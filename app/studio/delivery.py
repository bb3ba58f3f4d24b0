"""What the delivery studios (compress, convert) share: the upload as a picture to
re-encode, one in-process item through the studio runner, and batches that fail per image.

The re-encode runs inside the `local` provider's call (a `DeliverRequest`), so it is
planned, recorded, stored and marked exactly like any other studio's result; the decode
and encode hold one admission slot, as every in-process render does.
"""
from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from PIL import Image

from app.admission import admission
from app.errors import AppError
from app.imaging import codec, provenance
from app.imaging.formats import BY_PILLOW, OutputFormat
from app.imaging.provenance import Mark
from app.providers.base import DeliverRequest
from app.providers.pricing import price
from app.studio import runner
from app.studio.inputs import Payload, image_bytes
from app.studio.limits import MAX_OUTPUT_SIDE, check_output_size
from app.studio.options import plan_routes
from app.studio.provenance import marker

MISSING_IMAGE = "image_base64 is required: send the image as base64 or a data URL"
ORIENTATION = 0x0112
EXIF_FORMATS = ("jpeg", "png", "webp", "avif", "tiff")   # the outputs Pillow writes EXIF into


@dataclass
class Upload:
    """An upload identified from its header: its bytes, format, frames and AI mark."""

    data: bytes
    image: Image.Image
    format: str               # the request's name for it: png, jpeg, gif, ...
    frames: int
    mark: Mark | None

    @property
    def size_kb(self) -> float:
        return kb(len(self.data))


@dataclass
class Picture:
    """The decoded upload, upright, in RGB or RGBA, with the notes of what decoding did."""

    image: Image.Image
    exif: bytes | None        # the upload's EXIF with the orientation reset (already applied)
    had_alpha: bool
    notes: list[str] = field(default_factory=list)


def open_upload(payload: Payload, *, as_result: bool = False) -> Upload:
    """Decode the base64 (or take an asset's bytes) and read the header within the size and
    pixel limits (400/413); `as_result`: the upload becomes a result of its own size, so it
    must be within the output limits too (a 9000 px wide image: 400 before a pixel is decoded)."""
    upload = identify(image_bytes(payload, missing=MISSING_IMAGE))
    if as_result:
        check_output_size(*upload.image.size)
    return upload


def identify(data: bytes) -> Upload:
    """open_upload for bytes that no upload limit bounds (a stored result: a 4× upscale may
    be 28 MB), read within the pixel limit all the same."""
    image = codec.open_image(data, max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
    fmt = BY_PILLOW[image.format].name if image.format in BY_PILLOW else (image.format or "").lower()
    return Upload(data, image, fmt, getattr(image, "n_frames", 1), provenance.read(data))


def decode(upload: Upload) -> Picture:
    """Every pixel of the first frame, upright, in sRGB RGB(A); CMYK, palette and 16-bit
    inputs included. Run inside an admission slot."""
    notes = []
    if upload.frames > 1:
        notes.append(f"Animated {upload.format.upper()}: only the first of its {upload.frames} "
                     "frames was kept")
    exif = _exif(upload.image)
    image = codec.normalize(upload.image)
    return Picture(image, exif, image.mode == "RGBA", notes)


def _exif(image: Image.Image) -> bytes | None:
    """The EXIF block to keep, its orientation set to 1 since the turn is applied."""
    if "exif" not in image.info:
        return None
    exif = Image.Exif()     # a copy: the image's own is what codec.normalize reads the turn from
    try:
        exif.load(image.info["exif"])
        if ORIENTATION in exif:
            exif[ORIENTATION] = 1
        return exif.tobytes()
    except Exception:  # noqa: BLE001 (any fault of a malformed block): the block is dropped, not the image
        return None


def save_options(output: OutputFormat, mark: Mark | None, exif: bytes | None) -> dict[str, Any]:
    """Pillow options that write the AI mark (unless marking is off) and, if kept, the EXIF."""
    options = provenance.save_options(output.pillow, mark if marker().enabled else None)
    if exif and output.name in EXIF_FORMATS:
        options["exif"] = exif
    return options


def deliver(user_id: int, studio: str, output: OutputFormat, mark: Mark | None,
            work: Callable[[], tuple[bytes, dict[str, Any]]], details: dict[str, Any]) -> runner.Delivered:
    """Run `work` as the `local` provider's call, then store and mark its file as every
    studio's result is (0 credits), with `details` (its lineage) recorded. An AppError
    raised by `work` reaches the caller."""
    started = time.monotonic()

    def admitted() -> tuple[bytes, dict[str, Any]]:
        with admission.slot():
            return work()
    item = runner.Item(DeliverRequest(studio, admitted), None, {"operation": studio, **details}, mark=mark)
    plan = runner.Plan(studio, studio, plan_routes("deliver", studio, "local", None), [item], output,
                       f"Image {studio} failed")
    delivered = runner.run_one(user_id, plan)
    delivered.metadata.update(cost=price(delivered.provider, studio),
                              processing_time=round(time.monotonic() - started, 3))
    return delivered


def run_batch(entries: Sequence[MutableMapping[str, Any] | AppError],
              one: Callable[[MutableMapping[str, Any]], Any]) -> dict[str, Any]:
    """Each image on its own: an entry refused when parsed, or refused or failed when run,
    is that image's `{"success": false, "error"}`, and the others still run."""
    results: list[Any] = []
    for entry in entries:
        try:
            if isinstance(entry, AppError):
                raise entry
            results.append(one(entry))
        except AppError as error:
            results.append({"success": False, "error": error.detail})
    successful = sum(1 for result in results if not isinstance(result, dict))
    return {"success": successful == len(results), "results": results, "total_images": len(results),
            "successful": successful, "failed": len(results) - successful}


def kb(n_bytes: int) -> float:
    return round(n_bytes / 1024, 2)


def upload_limits(*, keeps_size: bool = False) -> dict[str, Any]:
    """The limits a page checks before it sends a file; `keeps_size`: the studio's result has
    the upload's own size, so its longest side is bounded as a result's is."""
    config = current_app.config
    limits = {"max_mb": config["MAX_IMAGE_MB"], "max_pixels": config["MAX_IMAGE_PIXELS"]}
    return {**limits, "max_side": MAX_OUTPUT_SIDE} if keeps_size else limits
