"""Compress Studio: one upload re-encoded at a quality or searched down to a target size.

The picture keeps its pixel size; EXIF orientation is applied; the AI mark survives even
`strip_metadata` (the contract's "AI provenance"). The search itself is
`app/imaging/compression.py`; this module holds the studio's rules and defaults.
"""
from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from app.admission import admission
from app.errors import ValidationFailed
from app.imaging import compression
from app.imaging.formats import FORMATS, OutputFormat, output_format
from app.studio import delivery, runner
from app.studio.inputs import lineage, resolve_assets
from app.studio.provenance import marker

COMPRESS_FORMATS = ("jpeg", "png", "webp", "avif")
DEFAULT_FORMAT = "jpeg"
PRESETS = {
    "web": {"name": "Web", "format": "webp", "quality": 80, "target_size_kb": None,
            "description": "WebP at quality 80: a fraction of a JPEG's size for site images"},
    "email": {"name": "Email", "format": "jpeg", "quality": 70, "target_size_kb": 200,
              "description": "JPEG at quality 70, at most 200 KB: banners mail clients load fast"},
    "social": {"name": "Social", "format": "jpeg", "quality": 85, "target_size_kb": None,
               "description": "JPEG at quality 85: what platforms recompress least visibly"},
    "high_quality": {"name": "High quality", "format": "png", "quality": 100, "target_size_kb": None,
                     "description": "Lossless PNG, compressed hard: graphics, logos, text"},
    "maximum": {"name": "Maximum", "format": "webp", "quality": 60, "target_size_kb": None,
                "description": "WebP at quality 60: the smallest file that still looks right"},
}
DESCRIPTIONS = {
    "jpeg": "Photographs; no transparency (flattened on white). Progressive by default.",
    "png": "Lossless; transparency kept. A target size reduces the palette instead.",
    "webp": "Lossy WebP: about 30% smaller than JPEG at the same quality; transparency kept.",
    "avif": "Lossy AVIF: smallest of all at the same quality; slower to encode; transparency kept.",
}


@dataclass
class Compression(runner.Delivered):
    """The compressed file with the sizes the contract reports."""

    format: str = ""
    original_size_kb: float = 0.0
    quality_used: int | None = None
    metadata_stripped: bool = True
    success = True

    @property
    def image_base64(self) -> str:
        return self.data_url

    @property
    def compressed_size_kb(self) -> float:
        return delivery.kb(len(self.data))

    @property
    def compression_ratio(self) -> float:
        """Original bytes per compressed byte (4.0: a quarter of the size)."""
        return round(self.original_size_kb / max(self.compressed_size_kb, 0.001), 2)

    @property
    def reduction_percent(self) -> float:
        return round(100 * (1 - self.compressed_size_kb / self.original_size_kb), 1)


def compress(user_id: int, args: MutableMapping[str, Any]) -> Compression:
    """Compress and keep the result. Raises ValidationFailed (bad image; a target below the
    smallest reachable size, naming that size) and PayloadTooLarge (413)."""
    params = resolve_assets(user_id, args)
    output = _format(args)
    upload = delivery.open_upload(params.pop("image_base64", None), as_result=True)   # its text goes once decoded
    quality, strip = args.get("quality", 85), args.get("strip_metadata", True)
    target_kb = args.get("target_size_kb")

    def work() -> tuple[bytes, dict[str, Any]]:
        picture = delivery.decode(upload)
        encode = compression.encoder(output, progressive=args.get("progressive", True),
                                     optimize=args.get("optimize", True),
                                     extra=delivery.save_options(output, upload.mark,
                                                                 None if strip else picture.exif))
        done = _compressed(picture, output, quality, target_kb, encode)
        notes = picture.notes + done.notes
        if len(done.data) > len(upload.data):
            notes.append(f"The result is larger than the original ({delivery.kb(len(done.data))} KB "
                         f"against {upload.size_kb} KB): try another format or a target size")
        return done.data, {"quality_used": done.quality, "colors": done.colors, "encodes": done.encodes,
                           "target_size_kb": target_kb, "notes": notes,
                           "width": picture.image.width, "height": picture.image.height}

    delivered = delivery.deliver(user_id, "compress", output, upload.mark, work, lineage(params))
    return Compression(**vars(delivered), format=output.name, original_size_kb=upload.size_kb,
                       quality_used=delivered.metadata.get("quality_used"), metadata_stripped=strip)


def _format(args: Mapping[str, Any]) -> OutputFormat:
    return output_format(args.get("format") or DEFAULT_FORMAT, COMPRESS_FORMATS, field="format")


def _compressed(picture: delivery.Picture, output: OutputFormat, quality: int,
                target_kb: float | None, encode: compression.Encode) -> compression.Compressed:
    """The search to `target_kb`, leaving room for a signed manifest when one is added."""
    room = marker().overhead(output)
    budget = int(target_kb * 1024) - room if target_kb else None
    try:
        return compression.compress(picture.image, output, quality, budget, encode)
    except compression.TargetUnreachable as error:
        smallest = delivery.kb(error.smallest + room)
        lowest = "the fewest colours" if not output.lossy else f"quality {compression.LOWEST_QUALITY}"
        raise ValidationFailed.for_field(
            "target_size_kb", f"target_size_kb {target_kb:g} KB cannot be reached for this image as "
                              f"{output.name.upper()}: the smallest reachable size is {smallest:g} KB "
                              f"(at {lowest})") from None


def compress_batch(user_id: int, entries: list) -> dict[str, Any]:
    """`POST /compress/batch`: each image compressed on its own (see delivery.run_batch)."""
    return delivery.run_batch(entries, lambda args: compress(user_id, args))


def estimate(user_id: int, args: MutableMapping[str, Any]) -> dict[str, Any]:
    """The compressed size, computed (compression.estimate_size) without storing anything."""
    output = _format(args)
    upload = delivery.open_upload(resolve_assets(user_id, args).get("image_base64"), as_result=True)
    quality = args.get("quality", 85)
    with admission.slot():
        picture = delivery.decode(upload)
        encode = compression.encoder(output, extra=delivery.save_options(output, upload.mark, None))
        size = compression.estimate_size(picture.image, output, quality, encode) + marker().overhead(output)
    return {"original_size_kb": upload.size_kb, "estimated_size_kb": delivery.kb(size),
            "estimated_reduction_percent": round(100 * (1 - size / len(upload.data)), 1),
            "width": picture.image.width, "height": picture.image.height, "format": output.name,
            "quality": quality if output.lossy else None}


def formats() -> dict[str, Any]:
    """`GET /compress/formats`."""
    return {"formats": [_described(FORMATS[name]) for name in COMPRESS_FORMATS], "default": DEFAULT_FORMAT}


def _described(fmt: OutputFormat) -> dict[str, Any]:
    return {"format": fmt.name, "mime_type": fmt.mime_type, "extension": fmt.extension, "lossy": fmt.lossy,
            "transparency": fmt.alpha, "quality_range": [1, 100] if fmt.lossy else None,
            "target_size": "quality search" if fmt.lossy else "palette reduction",
            "description": DESCRIPTIONS[fmt.name]}


def presets() -> dict[str, Any]:
    """`GET /compress/presets`."""
    return {"presets": [{"id": key, **preset} for key, preset in PRESETS.items()]}


def page_context() -> dict[str, Any]:
    return {"presets": presets()["presets"], "formats": formats()["formats"],
            "limits": delivery.upload_limits(keeps_size=True)}
