"""account and ledger ids are never reused (SQLite AUTOINCREMENT)

Without AUTOINCREMENT SQLite hands a deleted row's id to the next insert, so a deleted
account's token or session would sign in as the next account made. PostgreSQL sequences
never reuse ids, so there is nothing to do there. env.py turns SQLite's foreign keys off
while migrating: recreating `users` must not cascade into its children.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:15:00

"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ("users", "ledger")


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade():
    _recreate(True)


def downgrade():
    _recreate(False)
