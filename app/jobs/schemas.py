"""The job document, the job listing and the 202 answer, as the contract names them."""
import marshmallow as ma
from marshmallow import validate

from app.create.schemas import CreateRequestSchema
from app.social.schemas import OptimizeRequestSchema

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class ProgressSchema(ma.Schema):
    done = ma.fields.Integer()
    total = ma.fields.Integer(metadata={"description": "Images the job will make"})


class JobErrorSchema(ma.Schema):
    status = ma.fields.Integer(metadata={"description": "The status the synchronous call would return"})
    detail = ma.fields.String()


class JobSchema(ma.Schema):
    job_id = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    operation = ma.fields.String(metadata={"enum": ["create", "edit", "upscale", "control", "social"]})
    progress = ma.fields.Nested(ProgressSchema)
    created_at = ma.fields.String(metadata={"description": "ISO 8601 with a UTC offset"})
    started_at = ma.fields.String(allow_none=True)
    finished_at = ma.fields.String(allow_none=True)
    result = ma.fields.Raw(allow_none=True, metadata={
        "description": "When succeeded: exactly the body the synchronous call returns"})
    error = ma.fields.Nested(JobErrorSchema, allow_none=True)
    items = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "Each image as it is stored (asset_id, url, width, height), or its error"})
    status_url = ma.fields.String()
    credits = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(), metadata={
        "description": "Credits still reserved, charged and refunded"})
    duration = ma.fields.Float(allow_none=True, metadata={"description": "Seconds run so far"})
    webhook = ma.fields.Dict(allow_none=True, metadata={
        "description": "Webhook delivery: attempts, last status, delivered"})
    refunded_credits = ma.fields.Float(metadata={"description": "Only in a DELETE's answer"})


class JobSummarySchema(JobSchema):
    """A job in the listing: everything but the result."""

    class Meta:
        exclude = ("result",)


class JobListSchema(ma.Schema):
    jobs = ma.fields.List(ma.fields.Nested(JobSummarySchema))
    total = ma.fields.Integer()


# The largest OFFSET SQLite and PostgreSQL take (a signed 64-bit integer); past it the driver
# raises instead of the list being empty.
MAX_OFFSET = 2**63 - 1


class JobListQuerySchema(ma.Schema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(1, 200))
    offset = ma.fields.Integer(load_default=0, validate=validate.Range(0, MAX_OFFSET))



class CampaignSocialSchema(OptimizeRequestSchema):
    """The Social Optimizer's options for every image of a campaign (the image is generated)."""

    class Meta:
        exclude = ("image_base64",)
        unknown = ma.EXCLUDE


class BatchRequestSchema(ma.Schema):
    """A campaign: Create bodies, and optionally the social formats for every image."""

    class Meta:
        unknown = ma.EXCLUDE

    items = ma.fields.List(ma.fields.Nested(CreateRequestSchema), required=True,
                           validate=validate.Length(1, 100),
                           metadata={"description": "1–100 Create request bodies"})
    social = ma.fields.Nested(CampaignSocialSchema, load_default=None,
                              allow_none=True, metadata={
                                  "description": "A Social Optimizer body without the image: every "
                                                 "generated image is also rendered into its formats"})


class BatchEstimateSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "Per item: index, images, renditions, credits"})
    total_images = ma.fields.Integer()
    total_credits = ma.fields.Float()


class BatchResultSchema(ma.Schema):
    """A finished campaign: each item with its images (URLs, no base64) and renditions."""

    success = ma.fields.Boolean()
    items = ma.fields.List(ma.fields.Dict())
    images = ma.fields.List(ma.fields.Dict(), metadata={"description": "Every image with its item index"})
    total_images = ma.fields.Integer()
    total_renditions = ma.fields.Integer()
    total_failed = ma.fields.Integer()
