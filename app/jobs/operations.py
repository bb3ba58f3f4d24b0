"""The studio calls a job can make: the request schema, the service and the response schema
of each, the same three objects the synchronous route uses, so a job's result is exactly the
synchronous body."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import marshmallow as ma

from app.control.schemas import ControlRequestSchema, ControlResultSchema
from app.control.service import process_control
from app.create.schemas import CreateRequestSchema, CreateResponseSchema
from app.create.service import generate
from app.edit.schemas import EditRequestSchema, EditResultSchema
from app.edit.service import process_edit
from app.errors import ValidationFailed
from app.http.errors import field_sentence
from app.jobs import batch
from app.jobs.schemas import BatchRequestSchema, BatchResultSchema
from app.social.schemas import OptimizeRequestSchema, OptimizeResponseSchema
from app.social.service import optimize
from app.studio import execution
from app.upscale.schemas import UpscaleRequestSchema, UpscaleResultSchema
from app.upscale.service import upscale

Reserved = tuple[list[dict[str, Any]], int]   # the reservations and the images to make


def reserve_one(job_id: str, user_id: int, service: Callable[[int, Any], Any], args: Any) -> Reserved:
    """The studio's own checks and reservation, stopped before any provider call."""
    try:
        with execution.running(execution.Execution(job_id, defer=True)):
            service(user_id, args)
    except execution.Deferred as deferred:
        return [deferred.record()], deferred.total
    return [], 0  # the call needs no image made (a social request whose platforms have none)


@dataclass(frozen=True)
class Operation:
    name: str
    request: type[ma.Schema]
    service: Callable[[int, Any], Any]
    response: type[ma.Schema]
    # A call of several studio calls (a batch) reserves them all itself; one call: reserve_one.
    reserving: Callable[[str, int, Any], Reserved] | None = None

    def reserve(self, job_id: str, user_id: int, args: Any) -> Reserved:
        if self.reserving is not None:
            return self.reserving(job_id, user_id, args)
        return reserve_one(job_id, user_id, self.service, args)

    def load(self, body: dict[str, Any]) -> Any:
        """The body as the route would have parsed it; ValidationFailed with the route's sentence."""
        try:
            return self.request().load(body)
        except ma.ValidationError as error:
            detail, errors = field_sentence(error.messages)
            raise ValidationFailed(detail, errors=errors) from None

    def run(self, user_id: int, args: Any) -> dict[str, Any]:
        """Call the studio and render its answer as the synchronous route does."""
        return self.response().dump(self.service(user_id, args))


OPERATIONS = {op.name: op for op in (
    Operation("create", CreateRequestSchema, generate, CreateResponseSchema),
    Operation("edit", EditRequestSchema, process_edit, EditResultSchema),
    Operation("upscale", UpscaleRequestSchema, upscale, UpscaleResultSchema),
    Operation("control", ControlRequestSchema, process_control, ControlResultSchema),
    Operation("social", OptimizeRequestSchema, optimize, OptimizeResponseSchema),
    Operation("batch", BatchRequestSchema, batch.run, BatchResultSchema, batch.reserve),
)}
