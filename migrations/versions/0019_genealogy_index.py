"""The EPCs transformations take in and give out, indexed apart

Trace walks genealogy forward from a lot by reading every input of every TransformationEvent
and keeping those that are units of the lot: inputs are few beside the units of a lot (a lot
of 100,000 units is otherwise 100,000 look-ups in the index of every EPC). The index holds
only the rows of inputs and outputs, so the bulk paths that index a million units per event
write nothing more.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
# 0017 and 0018 are written on other branches; the merge chains this one after them
down_revision = "0018"
branch_labels = None
depends_on = None

_GENEALOGY = sa.text("role IN ('input', 'input_quantity', 'output', 'output_quantity')")


def upgrade() -> None:
    op.create_index(
        "ix_event_epcs_genealogy",
        "event_epcs",
        ["epc"],
        sqlite_where=_GENEALOGY,
        postgresql_where=_GENEALOGY,
    )


def downgrade() -> None:
    op.drop_index("ix_event_epcs_genealogy", table_name="event_epcs")
