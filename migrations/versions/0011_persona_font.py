"""a persona's font: the id of one of the available fonts, for its headline and call to action

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("font", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("personas", schema=None) as batch_op:
        batch_op.drop_column("font")
