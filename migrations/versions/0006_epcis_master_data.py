"""EPCIS master data (vocabulary elements and their children), EPCs in byte order on
PostgreSQL, and the canonical Digital Link of EPCs captured as Digital Links spelled otherwise

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unitrace.store.canonical_epcs import canonical_rows

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_EVENT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_EPC = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
#: Index rows read per round trip while the canonical Digital Links are filled in.
_BATCH = 10_000


def upgrade() -> None:
    op.create_table(
        "vocabulary_elements",
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("type", "id", name="pk_vocabulary_elements"),
    )
    op.create_table(
        "vocabulary_children",
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Text(), nullable=False),
        sa.Column("child_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("type", "parent_id", "child_id", name="pk_vocabulary_children"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # a pattern's prefix is a range of the index only in byte order (rebuilds the index)
        op.alter_column(
            "event_epcs",
            "epc",
            existing_type=sa.Text(),
            type_=sa.Text(collation="C"),
            existing_nullable=False,
        )
    op.create_table(
        "event_canonical_epcs",
        sa.Column("event_pk", _EVENT_PK, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("epc", _EPC, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["epcis_events.id"],
            name="fk_event_canonical_epcs_event_pk_epcis_events",
        ),
    )
    op.create_index("ix_event_canonical_epcs_epc", "event_canonical_epcs", ["epc"])
    op.create_index("ix_event_canonical_epcs_event_pk", "event_canonical_epcs", ["event_pk"])
    _index_canonical_links()


def _index_canonical_links() -> None:
    """The canonical Digital Links of the EPCs stored before, so that queries find the events
    captured before as they find those captured after."""
    connection = op.get_bind()
    epcs = sa.table("event_epcs", sa.column("event_pk"), sa.column("role"), sa.column("epc"))
    canonical = sa.table(
        "event_canonical_epcs", sa.column("event_pk"), sa.column("role"), sa.column("epc")
    )
    # every spelling of the scheme: a Digital Link may be written HTTPS://
    links = sa.select(epcs.c.event_pk, epcs.c.role, epcs.c.epc).where(
        sa.func.lower(sa.func.substr(epcs.c.epc, 1, 4)) == "http"
    )
    streamed = connection.execute(links.execution_options(yield_per=_BATCH))
    for rows in streamed.partitions():
        found = canonical_rows(row._asdict() for row in rows)
        if found:
            connection.execute(sa.insert(canonical), found)


def downgrade() -> None:
    op.drop_index("ix_event_canonical_epcs_event_pk", table_name="event_canonical_epcs")
    op.drop_index("ix_event_canonical_epcs_epc", table_name="event_canonical_epcs")
    op.drop_table("event_canonical_epcs")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "event_epcs",
            "epc",
            existing_type=sa.Text(collation="C"),
            type_=sa.Text(),
            existing_nullable=False,
        )
    op.drop_table("vocabulary_children")
    op.drop_table("vocabulary_elements")
