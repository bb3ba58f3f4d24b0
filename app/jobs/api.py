"""Jobs JSON API: follow, list and cancel the asynchronous calls you submitted."""
from app.auth.guard import auth_required
from app.auth.identity import require_user
from app.http.blueprint import Blueprint
from app.jobs import service
from app.jobs.schemas import JobListQuerySchema, JobListSchema, JobSchema

blp = Blueprint("jobs_api", __name__, url_prefix="/api/image-studio",
                description="Asynchronous jobs: send `Prefer: respond-async` to a studio call")


@blp.route("/jobs")
@auth_required
@blp.arguments(JobListQuerySchema, location="query")
@blp.response(200, JobListSchema)
def list_jobs(args):
    """List your jobs, newest first (without their results)."""
    return service.listing(require_user().id, **args)


@blp.route("/jobs/<job_id>")
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
