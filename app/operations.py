"""The one path every provider-backed image operation takes.

Create, edit, upscale and control all: check the input images, call the planned provider
routes (with failover), fit the result to the size the user expects, store it for the
user, and describe it. Each studio's service keeps only its own rules and defaults.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from PIL import Image, UnidentifiedImageError

from app.assets.service import store_result
from app.credits import service as credits
from app.errors import AppError, OperationFailed, ValidationFailed
from app.extensions import db
from app.imaging import codec
from app.imaging.geometry import fit_cover
from app.providers.base import ProviderError, Request
from app.providers.registry import Outcome, Route

MIB = 1024 * 1024
OUTPUT_MIME = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp"}


@dataclass(frozen=True)
class InputImage:
    data: bytes
    width: int
    height: int
    mime_type: str


@dataclass
class Delivered:
    """A finished result: the bytes the client gets and where they are kept."""

    data: bytes
    mime_type: str
    width: int
    height: int
    provider: str
    model: str | None
    seed: int | None
    asset_id: str
    url: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def data_url(self) -> str:
        return codec.data_url(self.data)


def load_input(payload: str | None, *, missing: str = "Primary image payload is required") -> InputImage:
    """Decode a base64/data-URL image within the size and pixel limits, upright.

    Raises ValidationFailed (missing, undecodable, truncated) or PayloadTooLarge (413).
    The pixels are decoded here so a truncated file is refused before any provider call.
    """
    config = current_app.config
    data = codec.decode_base64(payload, max_bytes=int(config["MAX_IMAGE_MB"] * MIB), missing_message=missing)
    image = codec.open_image(data, max_pixels=config["MAX_IMAGE_PIXELS"])
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):
        raise ValidationFailed(codec.TRUNCATED) from None
    if codec.orientation(image) != 1:
        image = codec.normalize(image)
        data = codec.encode(image, "png")
    return InputImage(data, image.width, image.height, codec.sniff_mime(data))


def load_optional_input(payload: str | None) -> InputImage | None:
    return load_input(payload) if payload else None


def output_mime(output_format: str | None) -> str:
    fmt = (output_format or "png").lower()
    if fmt not in OUTPUT_MIME:
        raise ValidationFailed(f"Unsupported output format: {output_format} (choose png, jpeg or webp)",
                               errors={"output_format": ["Must be one of: png, jpeg, webp."]})
    return OUTPUT_MIME[fmt]


def provider_failure(error: ProviderError, failure: str) -> AppError:
    """A refusal is the user's to fix (400 with the provider's reason); anything else is a 500."""
    if error.refused:
        return ValidationFailed(error.message)
    return OperationFailed(f"{failure}: {error.message}")


def produce(routes: list[Route], request: Request) -> Outcome:
    """Call the provider routes in order; safe to run in worker threads (no database work)."""
    return current_app.extensions["providers"].execute(routes, request)


def conform(data: bytes, size: tuple[int, int] | None, mime_type: str) -> tuple[bytes, int, int]:
    """Bring provider bytes to the exact size and format asked for, re-encoding only when needed."""
    try:
        image = Image.open(io.BytesIO(data))
        resize = size is not None and image.size != tuple(size)
        if not resize and codec.sniff_mime(data) == mime_type:
            # Already right: the provider client decoded these bytes fully (media.sniff_image),
            # so decoding them again would only cost time (~13 ms for 1 MP).
            return data, image.width, image.height
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ProviderError("provider", "The provider returned an unreadable image", retryable=True) from None
    if resize:
        image = fit_cover(image, *size)
    return codec.encode(image, mime_type.split("/")[1]), image.width, image.height


def reserve(user_id: int, studio: str, routes: list[Route], request: Request,
            count: int = 1) -> credits.Reservation:
    """Hold the first route's price for `count` results (402 when the balance is short)."""
    first = routes[0]
    return credits.reserve(user_id, studio=studio, kind=request.kind, operation=request.operation,
                           provider=first.provider, model=first.model, count=count)


def deliver(user_id: int, studio: str, operation: str, outcome: Outcome, *, mime_type: str,
            size: tuple[int, int] | None = None, metadata: dict[str, Any] | None = None,
            reservation: credits.Reservation | None = None, slot: int = 0) -> Delivered:
    """Fit, store, charge and describe one provider result, in one transaction."""
    data, width, height = conform(outcome.result.data, size, mime_type)
    details = {**(metadata or {}), **outcome.result.metadata}
    if outcome.attempts:
        details["failover"] = outcome.attempts
    stored = store_result(user_id, studio=studio, operation=operation, data=data, mime_type=mime_type,
                          width=width, height=height, provider=outcome.provider, model=outcome.model,
                          details=details, commit=False)
    if reservation is not None:
        credits.settle(reservation, slot, kind=studio_kind(studio), operation=operation,
                       provider=outcome.provider,
                       model=outcome.model, asset_id=stored.asset_id)
    db.session.commit()
    return Delivered(data, mime_type, width, height, outcome.provider, outcome.model,
                     outcome.result.seed, stored.asset_id, stored.url, details)


def studio_kind(studio: str) -> str:
    """The provider request kind behind a studio ("create" generates; the others share their name)."""
    return "generate" if studio == "create" else studio


def run(user_id: int, studio: str, operation: str, routes: list[Route], request: Request, *,
        failure: str, output_format: str | None = "png", size: tuple[int, int] | None = None,
        metadata: dict[str, Any] | None = None) -> Delivered:
    """The whole path for a single image; provider failures become the studio's error sentence."""
    mime_type = output_mime(output_format)
    reservation = reserve(user_id, studio, routes, request)
    try:
        return deliver(user_id, studio, operation, produce(routes, request), mime_type=mime_type,
                       size=size, metadata=metadata, reservation=reservation)
    except ProviderError as error:
        credits.refund(reservation, note=error.message)
        raise provider_failure(error, failure) from None
    except Exception:
        db.session.rollback()
        credits.refund(reservation, note="internal error")
        raise
