"""a job's request body in a table of its own, so that updating the job does not rewrite it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_requests",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.execute("INSERT INTO job_requests (job_id, body) SELECT id, request FROM jobs")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("request")


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request", sa.JSON(), nullable=True))
    op.execute("UPDATE jobs SET request = (SELECT body FROM job_requests WHERE job_requests.job_id = jobs.id)")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column("request", existing_type=sa.JSON(), nullable=False)
    op.drop_table("job_requests")
