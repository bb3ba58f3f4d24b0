"""the library: favourites, the call each result came from, and named collections of assets

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("favorite", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("group_id", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_assets_group_id", ["group_id"], unique=False)
        batch_op.create_index("ix_assets_parent_asset_id", ["parent_asset_id"], unique=False)
    op.create_table(
        "collections",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name", name="uq_collections_user_name"),
    )
    op.create_table(
        "collection_assets",
        sa.Column("collection_id", sa.String(length=32), nullable=False),
        sa.Column("asset_id", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["collections.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("collection_id", "asset_id"),
    )
    op.create_index("ix_collection_assets_asset_id", "collection_assets", ["asset_id"])


def downgrade():
    op.drop_index("ix_collection_assets_asset_id", table_name="collection_assets")
    op.drop_table("collection_assets")
    op.drop_table("collections")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index("ix_assets_parent_asset_id")
        batch_op.drop_index("ix_assets_group_id")
        batch_op.drop_column("group_id")
        batch_op.drop_column("favorite")
