"""`Prefer: respond-async` (RFC 7240) on a studio endpoint: 202 and a job instead of the wait.

The route's own schema has parsed the body already, so validation is the synchronous
call's; the jobs extension (app/jobs) reserves and queues. Looked up on the app rather than
imported, so the studios stay below the jobs package that calls them.
"""
from __future__ import annotations

import functools
import re
from typing import Any

import marshmallow as ma
from flask import current_app, jsonify, request

from app.auth.identity import require_user
from app.errors import ValidationFailed
from app.http.blueprint import parsed_body, release_body

RESPOND_ASYNC = re.compile(r"(?:^|,)\s*respond-async\s*(?:[;,]|$)", re.IGNORECASE)
PREFER = {"in": "header", "name": "Prefer", "required": False, "schema": {"type": "string"},
          "description": "`respond-async`: answer 202 with a job to poll (GET /jobs/{id}); "
                         "the body may then carry `webhook_url`"}
NEEDS_PREFER = "webhook_url needs the header Prefer: respond-async (a webhook is sent when a job ends)"


class AcceptedSchema(ma.Schema):
    """The 202 body: where to follow the job."""

    job_id = ma.fields.String()
    status = ma.fields.String()
    status_url = ma.fields.String()


def prefers_async() -> bool:
    return any(RESPOND_ASYNC.search(value) for value in request.headers.getlist("Prefer"))


def _body() -> dict[str, Any]:
    """The parsed body (already parsed for the route's schema: not parsed again)."""
    body = parsed_body()
    return body if isinstance(body, dict) else {}


def asynchronous(blp, operation: str):
    """Decorate a studio view (below `blp.arguments`) so it can answer with a job."""
    def wrap(view):
        @functools.wraps(view)
        def answer(args: Any, *rest, **kwargs):
            webhook_url = _body().get("webhook_url")
            if not prefers_async():
                if webhook_url is not None:
                    raise ValidationFailed.for_field("webhook_url", NEEDS_PREFER)
                release_body()   # the view's arguments hold all it needs
                return view(args, *rest, **kwargs)
            if webhook_url is not None and not isinstance(webhook_url, str):
                raise ValidationFailed.for_field("webhook_url", "webhook_url must be an http or https URL")
            accepted = current_app.extensions["jobs_submit"](require_user().id, operation, _body(), args,
                                                             webhook_url)
            response = jsonify(accepted)
            response.status_code = 202
            response.headers["Location"] = accepted["status_url"]
            response.headers["Preference-Applied"] = "respond-async"
            return response
        return blp.doc(parameters=[PREFER])(
            blp.alt_response(202, schema=AcceptedSchema,
                             description="Prefer: respond-async: the job, to poll at Location")(answer))
    return wrap
