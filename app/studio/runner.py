"""The one studio runner: every image a studio makes takes this path.

plan (routes chosen, inputs loaded by the studio) → reserve credits for every item → call
the routes with failover (items at once on a bounded pool; a render in this process one
item at a time, admitted as a whole) → fit each result to the size asked for → mark what
AI made (studio/provenance.py) → store it →
charge its slot or refund it → hand back typed results in request order. Create's
variations, Social's platform formats and a single edit are all a `Plan` of one or more
`Item`s. A job's run (execution.py) hears about each item as it is settled.
"""
from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from PIL import Image, UnidentifiedImageError

from app.admission import admission, submit_in_scope
from app.assets.service import store_result
from app.credits import service as credits
from app.errors import AppError, OperationFailed, ValidationFailed
from app.extensions import db
from app.imaging import codec, provenance, saliency
from app.imaging.formats import OutputFormat
from app.imaging.geometry import fit_contain, fit_cover, resample
from app.imaging.provenance import Mark
from app.providers.base import ProviderError, Request
from app.providers.pricing import operation_name, price
from app.providers.registry import Outcome, ProviderRegistry, Route
from app.studio import execution
from app.studio.provenance import marker

MAX_WORKERS = 10  # = the most variations one Create request may ask for
CANCELLED = "The job was cancelled before this image was made"
DROPPED = "The job was cancelled while this image was being made; it was not kept or charged"


@dataclass(frozen=True)
class Fit:
    """How a result of another shape is brought to the exact size asked for: `crop` covers
    it (centred, or on the most salient window when `smart`), `pad` contains it on
    `background`, `stretch` resizes it (the one mode that distorts)."""

    mode: str = "crop"
    smart: bool = False
    background: tuple[int, int, int] = (255, 255, 255)

    def apply(self, image: Image.Image, width: int, height: int) -> Image.Image:
        if self.mode == "pad":
            return fit_contain(image, width, height, self.background)
        if self.mode == "stretch":
            return resample(image, (width, height))
        center = saliency.analyse(image).center_for(width, height) if self.smart else None
        return fit_cover(image, width, height, center)


@dataclass
class Item:
    """One image to make: the provider request, the exact size wanted, what to record."""

    request: Request
    size: tuple[int, int] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    name: str | None = None   # download name without extension; default "<studio>-<asset id>"
    weight: float = 0.0       # heavier items start first when several run at once
    mark: Mark | None = None  # the input's AI mark, kept when a provider adds none of its own
    fit: Fit = Fit()          # how a result of another shape meets `size`


@dataclass
class Plan:
    """A studio request ready to run: where it goes, what it makes, how it is reported."""

    studio: str
    operation: str            # recorded on the ledger row and the asset
    routes: list[Route]
    items: list[Item]
    output: OutputFormat
    failure: str              # the sentence a provider failure is reported under
    workers: int = MAX_WORKERS
    # The Library groups the results of one call by this; random, so it says nothing of
    # other users' activity (a ledger id would count everyone's calls).
    group_id: str = field(default_factory=lambda: secrets.token_hex(16))


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
    file_name: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def data_url(self) -> str:
        return codec.data_url(self.data)

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def run(user_id: int, plan: Plan) -> list[Delivered | ProviderError]:
    """Make every item of `plan`; a failed item is its ProviderError, refunded at once.

    A plan rendered in this process waits for one admission slot before anything is reserved,
    so a busy process answers 503 (ServiceUnavailable) having written nothing and done no work.
    Raises InsufficientCredits (402) before any provider call when the balance is short, and
    Deferred once the credits are reserved when the call is a job's submission (execution.py).
    """
    registry: ProviderRegistry = current_app.extensions["providers"]
    job = execution.current()
    if job is not None and job.defer:
        provider, model = _first_route(registry, plan)
        quote = len(plan.items) * price(provider, operation_name(plan.items[0].request.kind,
                                                                 plan.items[0].request.operation), model)
        reservation = None if job.dry else _reserve(registry, user_id, plan, job.job_id)
        raise execution.Deferred(plan.studio, reservation, len(plan.items), quote)
    with admission.slot() if _in_process(registry, plan) else nullcontext():
        return _run(registry, user_id, plan, job)


def _first_route(registry: ProviderRegistry, plan: Plan) -> tuple[str, str | None]:
    """The provider and model the plan tries first: what it is reserved and quoted at."""
    first, request = plan.routes[0], plan.items[0].request
    return first.provider, first.model or registry.default_model(first.provider, request.kind,
                                                                 request.operation)


def _reserve(registry: ProviderRegistry, user_id: int, plan: Plan,
             job_id: str | None) -> credits.Reservation:
    provider, model = _first_route(registry, plan)
    request = plan.items[0].request
    return credits.reserve(user_id, studio=plan.studio, kind=request.kind,
                           operation=request.operation, provider=provider, model=model,
                           count=len(plan.items), job_id=job_id)


def _run(registry: ProviderRegistry, user_id: int, plan: Plan,
         job: execution.Execution | None) -> list[Delivered | ProviderError]:
    reservation = job.reservation(plan.studio) if job is not None else None
    if reservation is None or len(reservation.entry_ids) != len(plan.items):
        reservation = _reserve(registry, user_id, plan, job.job_id if job else None)
    if job is not None and job.billing is not None and not _in_process(registry, plan):
        job.billing()
    done: dict[int, Delivered | ProviderError] = {}
    try:
        for slot, outcome in produce(registry, plan, job.stop if job else None):
            report = _reporter(job, slot, len(done) + 1, len(plan.items))
            result = _deliver(user_id, plan, slot, outcome, reservation, report)
            if isinstance(result, ProviderError):
                report(result)
                credits.refund(reservation, [slot], note=result.message)  # commits the report too
            done[slot] = result
    except Exception:
        db.session.rollback()
        credits.refund(reservation, note="internal error")
        raise
    return [done[slot] for slot in range(len(plan.items))]


def run_one(user_id: int, plan: Plan) -> Delivered:
    """The whole path for a single image; a provider failure becomes the studio's sentence."""
    result = run(user_id, plan)[0]
    if isinstance(result, ProviderError):
        raise provider_failure(result, plan.failure)
    return result


def provider_failure(error: ProviderError, failure: str) -> AppError:
    """A refusal is the user's to fix (400 with the provider's reason); anything else is a 500."""
    if error.refused:
        return ValidationFailed(error.message)
    return OperationFailed(f"{failure}: {error.message}")


def first_failure(errors: list[ProviderError], failure: str) -> AppError:
    """When every item failed: a refusal explains the most, so it is reported first."""
    return provider_failure(next((e for e in errors if e.refused), errors[0]), failure)


def produce(registry: ProviderRegistry, plan: Plan,
            stop: threading.Event | None = None) -> Iterator[tuple[int, Outcome | ProviderError]]:
    """Yield (slot, outcome or error) as each item finishes, so early results are stored
    while later ones still run. Pool threads make provider calls only: no database, no app.
    Once `stop` is set (a cancelled job), items not yet started fail without a call."""
    def attempt(item: Item) -> Outcome | ProviderError:
        if stop is not None and stop.is_set():
            return ProviderError(plan.studio, CANCELLED)
        try:
            return registry.execute(plan.routes, item.request)
        except ProviderError as error:
            return error

    if len(plan.items) == 1 or _in_process(registry, plan):
        # In-process renders share the plan's one slot: at once they would hold a raster each.
        for slot, item in enumerate(plan.items):
            yield slot, attempt(item)
        return
    order = sorted(range(len(plan.items)), key=lambda slot: -plan.items[slot].weight)
    with ThreadPoolExecutor(max_workers=min(len(plan.items), plan.workers),
                            thread_name_prefix=plan.studio) as pool:
        slots = {submit_in_scope(pool, attempt, plan.items[slot]): slot for slot in order}
        for future in as_completed(slots):
            yield slots[future], future.result()


def _reporter(job: execution.Execution | None, slot: int, done: int,
              total: int) -> Callable[[Delivered | ProviderError], None]:
    """Tell the job about one settled item, inside the transaction that settles it: a worker
    killed at any moment leaves no charged image off its job's list."""
    def report(result: Delivered | ProviderError) -> None:
        if job is not None and job.report is not None:
            job.report(slot, result, done, total)
    return report


def _in_process(registry: ProviderRegistry, plan: Plan) -> bool:
    """True when the plan's renders are CPU work here rather than a wait on a provider."""
    return any(getattr(registry.providers.get(route.provider), "renders_here", False)
               for route in plan.routes)


def _deliver(user_id: int, plan: Plan, slot: int, outcome: Outcome | ProviderError,
             reservation: credits.Reservation,
             report: Callable[[Delivered | ProviderError], None]) -> Delivered | ProviderError:
    """Fit, store, charge and report one result, in one transaction; an unreadable image
    fails it."""
    if isinstance(outcome, ProviderError):
        return outcome
    item = plan.items[slot]
    try:
        data, width, height = conform(outcome.result.data, item.size, plan.output, item.fit)
    except ProviderError as error:
        return error
    details = {**item.metadata, **outcome.result.metadata}
    if outcome.attempts:
        details["failover"] = outcome.attempts
    mark = provenance.for_request(item.request.kind, outcome.provider, outcome.model) or item.mark
    data, details["provenance"] = marker().apply(data, plan.output, mark)
    stored = store_result(user_id, studio=plan.studio, operation=plan.operation, data=data,
                          mime_type=plan.output.mime_type, width=width, height=height,
                          provider=outcome.provider, model=outcome.model, details=details,
                          name=item.name, commit=False,
                          group_id=plan.group_id if len(plan.items) > 1 else None)
    if not credits.settle(reservation, slot, kind=item.request.kind, operation=item.request.operation,
                          provider=outcome.provider, model=outcome.model, asset_id=stored.asset_id):
        db.session.rollback()  # the job was cancelled and this slot refunded: keep nothing
        return ProviderError(plan.studio, DROPPED)
    delivered = Delivered(data, plan.output.mime_type, width, height, outcome.provider, outcome.model,
                          outcome.result.seed, stored.asset_id, stored.url, stored.file_name, details)
    report(delivered)
    db.session.commit()
    return delivered


def conform(data: bytes, size: tuple[int, int] | None, output: OutputFormat,
            fit: Fit = Fit()) -> tuple[bytes, int, int]:
    """Bring provider bytes to the exact size and format asked for, re-encoding only when needed."""
    try:
        image = Image.open(io.BytesIO(data))
        resize = size is not None and image.size != tuple(size)
        if not resize and codec.sniff_mime(data) == output.mime_type:
            # Already right: the provider client decoded these bytes fully (media.sniff_image),
            # so decoding them again would only cost time (~13 ms for 1 MP).
            return data, image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ProviderError("provider", "The provider returned an unreadable image", retryable=True) from None
    with admission.slot():
        if resize:
            codec.draft_cover(image, *size)
        try:
            image = codec.normalize(image)   # CMYK, 16-bit, palette: what every encoder takes
        except ValidationFailed:
            raise ProviderError("provider", "The provider returned an unreadable image",
                                retryable=True) from None
        if resize:
            image = fit.apply(image, *size)
        return codec.encode(image, output.name), image.width, image.height
