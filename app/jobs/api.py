"""Jobs JSON API: follow, list and cancel asynchronous calls; start and download campaigns."""
from flask import Response, stream_with_context

from app.admission import streams
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.http.blueprint import Blueprint, parsed_body
from app.jobs import service
from app.jobs.batch import estimate
from app.jobs.schemas import (
    BatchEstimateSchema,
    BatchRequestSchema,
    JobListQuerySchema,
    JobListSchema,
    JobSchema,
)
from app.ratelimit import status_limits
from app.studio.asynchronous import AcceptedSchema

ZIP = "application/zip"

blp = Blueprint("jobs_api", __name__, url_prefix="/api/image-studio",
                description="Asynchronous jobs: send `Prefer: respond-async` to a studio call")


@blp.route("/jobs")
@status_limits
@auth_required
@blp.arguments(JobListQuerySchema, location="query")
@blp.response(200, JobListSchema)
def list_jobs(args):
    """List your jobs, newest first (without their results)."""
    return service.listing(require_user().id, **args)


@blp.route("/jobs/<job_id>")
@status_limits
@auth_required
@blp.response(200, JobSchema)
@blp.alt_response(404, description="Unknown job, or another user's")
def get_job(job_id):
    """One job: its status, progress and, once it succeeded, the synchronous body."""
    return service.get(require_user().id, job_id)


@blp.route("/jobs/<job_id>", methods=["DELETE"])
@auth_required
@blp.response(200, JobSchema)
@blp.alt_response(404, description="Unknown job, or another user's")
@blp.alt_response(409, description="The job has already finished")
def cancel_job(job_id):
    """Cancel a queued or running job; its unused credits are refunded."""
    return service.cancel(require_user().id, job_id)


@blp.route("/jobs/<job_id>/zip")
@auth_required
@blp.response(200, content_type=ZIP, description="Every image of the job (a campaign: one folder per item)")
@blp.alt_response(404, description="Unknown job, another user's, or no image made yet")
def job_zip(job_id):
    """Download every image a job has made as one ZIP, streamed."""
    chunks = streams.open(service.archive(require_user().id, job_id))
    return Response(stream_with_context(chunks), mimetype=ZIP,
                    headers={"Content-Disposition": f'attachment; filename="job-{job_id[:12]}.zip"'})


@blp.route("/batch", methods=["POST"])
@auth_required
@blp.arguments(BatchRequestSchema)
@blp.response(202, AcceptedSchema, description="Always a job: follow it at Location")
@blp.alt_response(400, description="An invalid item (named by its number) or social option")
@blp.alt_response(402, description="The whole campaign needs more credits than remain")
def batch(args):
    """Start a campaign: up to 100 Create requests, each image also sized for social."""
    body = parsed_body()
    accepted = service.submit(require_user().id, "batch", body, args, body.get("webhook_url"))
    return accepted, 202, {"Location": accepted["status_url"]}


@blp.route("/batch/estimate", methods=["POST"])
@auth_required
@blp.arguments(BatchRequestSchema)
@blp.response(200, BatchEstimateSchema)
def batch_estimate(args):
    """Price a campaign exactly as submitting it would reserve, without spending anything."""
    return estimate(require_user().id, args)
