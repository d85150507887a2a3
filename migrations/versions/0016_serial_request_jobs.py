"""Serial requests the console issues off the page's request: a job per request, its status
and, once issued, the serial request it made.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "serial_request_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=False),
        sa.Column("lot", sa.String(20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("commission", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=True),
        sa.Column("created_at", timestamp, nullable=False),
        sa.Column("started_at", timestamp, nullable=True),
        sa.Column("finished_at", timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["serial_requests.id"],
            name=op.f("fk_serial_request_jobs_request_id_serial_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serial_request_jobs")),
    )
    op.create_index("ix_serial_request_jobs_status", "serial_request_jobs", ["status"])


def downgrade() -> None:
    op.drop_table("serial_request_jobs")
