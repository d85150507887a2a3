"""What a capture job tells its partner besides errors (``capture_jobs.notes``): the events
it found captured already (a document sent again), the EPCs an XML list named twice and were
kept once. Jobs finished before have none.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("capture_jobs") as table:
        table.add_column(sa.Column("notes", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("capture_jobs") as table:
        table.drop_column("notes")
