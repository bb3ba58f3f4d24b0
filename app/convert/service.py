"""Convert Studio: one upload written in another format, its pixels and size unchanged.

Transparency goes where the target can hold it (unless the request says not to) and is
flattened onto `background` where it cannot; an animated GIF gives its first frame, and
says so; CMYK, palette and 16-bit inputs arrive as 8-bit sRGB (codec.normalize).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from app.imaging import codec, compression
from app.imaging.codec import ALLOWED_FORMATS
from app.imaging.formats import BY_PILLOW, FORMATS, OutputFormat, output_format
from app.imaging.geometry import parse_colour
from app.studio import delivery, runner
from app.studio.inputs import lineage, resolve_assets

CONVERT_FORMATS = ("png", "jpeg", "webp", "avif", "gif", "bmp", "tiff")


@dataclass
class Conversion(runner.Delivered):
    """The converted file and what happened to its transparency and metadata."""

    original_format: str = ""
    target_format: str = ""
    original_size_kb: float = 0.0
    transparency_preserved: bool = False
    metadata_preserved: bool = False
    success = True

    @property
    def image_base64(self) -> str:
        return self.data_url

    @property
    def converted_size_kb(self) -> float:
        return delivery.kb(len(self.data))


def convert(user_id: int, args: MutableMapping[str, Any]) -> Conversion:
    """Convert and keep the result. Raises ValidationFailed (bad image or background) and
    PayloadTooLarge (413)."""
    output = output_format(args["target_format"], CONVERT_FORMATS, field="target_format")
    background = parse_colour(args.get("background") or "white")
    keep_alpha = args.get("preserve_transparency", True) and output.alpha
    strip = args.get("strip_metadata", False)
    params = resolve_assets(user_id, args)
    upload = delivery.open_upload(params.pop("image_base64", None), as_result=True)   # its text goes once decoded

    def work() -> tuple[bytes, dict[str, Any]]:
        picture = delivery.decode(upload)
        image, notes = picture.image, list(picture.notes)
        if picture.had_alpha and not keep_alpha:
            image = codec.flatten(image, background)
            notes.append(f"Transparency flattened onto {args.get('background') or 'white'}"
                         + ("" if output.alpha else f": {output.name.upper()} has none"))
        exif = None if strip or output.name not in delivery.EXIF_FORMATS else picture.exif
        encode = compression.encoder(output, background=background,
                                     extra=delivery.save_options(output, upload.mark, exif))
        return encode(image, args.get("quality")), {
            "notes": notes, "width": image.width, "height": image.height,
            "quality_used": args.get("quality") if output.lossy else None,
            "transparency_preserved": picture.had_alpha and keep_alpha, "metadata_preserved": exif is not None}

    delivered = delivery.deliver(user_id, "convert", output, upload.mark, work, lineage(params))
    return Conversion(**vars(delivered), original_format=upload.format, target_format=output.name,
                      original_size_kb=upload.size_kb,
                      transparency_preserved=delivered.metadata["transparency_preserved"],
                      metadata_preserved=delivered.metadata["metadata_preserved"])


def convert_batch(user_id: int, entries: list) -> dict[str, Any]:
    """`POST /convert-format/batch`: each image converted on its own (delivery.run_batch)."""
    return delivery.run_batch(entries, lambda args: convert(user_id, args))


def supported() -> dict[str, Any]:
    """`GET /convert-format/supported`: what is read and what is written."""
    inputs = sorted({BY_PILLOW[name].name for name in ALLOWED_FORMATS if name in BY_PILLOW})
    return {"input_formats": inputs,
            "output_formats": [_described(FORMATS[name]) for name in CONVERT_FORMATS],
            "aliases": {"jpg": "jpeg", "tif": "tiff"}}


def _described(fmt: OutputFormat) -> dict[str, Any]:
    return {"format": fmt.name, "mime_type": fmt.mime_type, "extension": fmt.extension,
            "transparency": fmt.alpha, "lossy": fmt.lossy, "metadata": fmt.name in delivery.EXIF_FORMATS,
            "ai_mark": fmt.xmp, "animation": False}


def page_context() -> dict[str, Any]:
    return {"formats": supported()["output_formats"], "limits": delivery.upload_limits(keeps_size=True)}
