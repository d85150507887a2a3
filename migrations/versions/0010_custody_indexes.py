"""Units, containers and events indexed by the party that holds them or that they concern

A distributor holding little has its view of the events found from what it holds: its units,
its containers and its own events, each read by these indexes. They hold only the rows a party
has (most units are the brand's, with no custodian).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_units_custodian_id", "units", "custodian_id"),
    ("ix_containers_custodian_id", "containers", "custodian_id"),
    ("ix_epcis_events_party_id", "epcis_events", "party_id"),
)


def upgrade() -> None:
    for name, table, column in _INDEXES:
        held = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, table, [column], sqlite_where=held, postgresql_where=held)


def downgrade() -> None:
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
