"""Container EPCs compare in byte order on PostgreSQL, as the event index's EPCs do

The view of a distributor joins the event index to the containers in its custody by EPC. With
the two columns in different collations PostgreSQL compares them in the index's ("C") and
cannot use the containers' unique index, which it then scans once per event.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "containers",
            "epc",
            existing_type=sa.Text(),
            type_=sa.Text(collation="C"),
            existing_nullable=False,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "containers",
            "epc",
            existing_type=sa.Text(collation="C"),
            type_=sa.Text(),
            existing_nullable=False,
        )
