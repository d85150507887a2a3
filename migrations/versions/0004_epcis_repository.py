"""EPCIS repository: capture jobs, the values events are queried by, error declarations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_EVENT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("epcis_events") as table:
        table.add_column(sa.Column("error_declaration_time", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("capture_job_id", sa.Integer()))
        table.create_index("ix_epcis_events_record_time", ["record_time"])
    with op.batch_alter_table("event_epcs") as table:
        # quantity classes and contained units have longer role names
        table.alter_column(
            "role", existing_type=sa.String(length=8), type_=sa.String(length=16), nullable=False
        )
    op.create_table(
        "event_values",
        sa.Column("event_pk", _EVENT_PK, nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_events.id"],
            name="fk_event_values_event_pk_epcis_events",
        ),
    )
    op.create_index("ix_event_values_field_value", "event_values", ["field", "value"])
    op.create_index("ix_event_values_event_pk", "event_values", ["event_pk"])
    op.create_table(
        "capture_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_behaviour", sa.String(length=8), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("captured", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=True),
        sa.Column("party_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_capture_jobs"),
    )


def downgrade() -> None:
    op.drop_table("capture_jobs")
    op.drop_index("ix_event_values_event_pk", table_name="event_values")
    op.drop_index("ix_event_values_field_value", table_name="event_values")
    op.drop_table("event_values")
    with op.batch_alter_table("event_epcs") as table:
        table.alter_column(
            "role", existing_type=sa.String(length=16), type_=sa.String(length=8), nullable=False
        )
    with op.batch_alter_table("epcis_events") as table:
        table.drop_index("ix_epcis_events_record_time")
        table.drop_column("capture_job_id")
        table.drop_column("error_declaration_time")
