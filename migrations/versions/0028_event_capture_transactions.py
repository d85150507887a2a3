"""Each event's capturing transaction (``epcis_events.capture_xact``), on PostgreSQL: the id
of the transaction that inserted it, which the WebSocket subscriptions compare with a snapshot
of the running transactions to tell the events that have become visible since they last looked
(see :mod:`unitrace.store.epcis_query.event_feed`). A column default fills it, so no insert
names it; events stored before have none, and count as captured before any socket opened. On
SQLite, whose writers take turns, the events' ids give that order and the column stays empty.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("epcis_events", sa.Column("capture_xact", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # the top-level transaction's id, epoch and all (never wraps round), as a number
        op.execute(
            "ALTER TABLE epcis_events ALTER COLUMN capture_xact "
            "SET DEFAULT (pg_current_xact_id()::text::bigint)"
        )
    # only the events that have one: on an events table of millions the index is built by one
    # read of the table, written empty, and SQLite (where no event has one) never writes to it
    op.create_index(
        "ix_epcis_events_capture_xact",
        "epcis_events",
        ["capture_xact"],
        postgresql_where=sa.text("capture_xact IS NOT NULL"),
        sqlite_where=sa.text("capture_xact IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_epcis_events_capture_xact", table_name="epcis_events")
    op.drop_column("epcis_events", "capture_xact")
