"""Events indexed by where they happened: readPoint and bizLocation

``EQ_``/``WD_readPoint`` and ``EQ_``/``WD_bizLocation`` ask for the events at a few places
among all of them; without these indexes every such query read the events in their order
until it had a page.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 04:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_epcis_events_read_point", "epcis_events", ["read_point"])
    op.create_index("ix_epcis_events_biz_location", "epcis_events", ["biz_location"])


def downgrade() -> None:
    op.drop_index("ix_epcis_events_biz_location", table_name="epcis_events")
    op.drop_index("ix_epcis_events_read_point", table_name="epcis_events")
