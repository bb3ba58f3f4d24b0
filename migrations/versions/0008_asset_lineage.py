"""what made each asset: prompt, platform and format, parent asset, readable file name, content hash

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 19:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prompt", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("platform", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("format", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("parent_asset_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("filename", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_assets_user_content_hash", ["user_id", "content_hash"], unique=False)


def downgrade():
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index("ix_assets_user_content_hash")
        for column in ("content_hash", "filename", "parent_asset_id", "format", "platform", "prompt"):
            batch_op.drop_column(column)
