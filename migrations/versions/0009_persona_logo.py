"""a persona's logo: one of its owner's assets

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo_asset_id", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.drop_column("logo_asset_id")
