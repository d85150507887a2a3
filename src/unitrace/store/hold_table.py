"""The table of holds (:mod:`unitrace.store.holds` keeps and reads it), on the schema's
metadata. Import it from :mod:`unitrace.store.schema`, as every table: that module loads this
one once its metadata is made.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from unitrace.store.schema import Timestamp, metadata

# A hold keeps units from being shipped, dispensed or assembled while it is open: a row per
# unit (a unit or a container held: the units inside it when the hold was placed), or one row
# for a whole lot (its units now and later, however many: never a row per unit of a lot).
# ``cause`` says why (``inspection``; a cold chain breach is another cause), ``scope`` what
# the placing event named that covers the unit (``unit``, ``container`` or ``lot``); the
# events that placed and released it are in the event index under their eventIDs.
holds = Table(
    "holds",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("cause", String(16), nullable=False),
    Column("scope", Text, nullable=False),
    Column("product_id", Integer),
    Column("serial", String(20).with_variant(String(20, collation="C"), "postgresql")),
    Column("lot_id", Integer),
    Column("event_id", Text, nullable=False),
    Column("placed_at", Timestamp, nullable=False),
    Column("released_at", Timestamp),
    Column("released_by_event_id", Text),
    CheckConstraint(
        "(lot_id IS NULL) = (product_id IS NOT NULL AND serial IS NOT NULL)", name="unit_or_lot"
    ),
    # the open holds of a unit and of a lot: what a shipment, a dispense and a scan look for
    Index(
        "ix_holds_open_unit",
        "product_id",
        "serial",
        sqlite_where=text("released_at IS NULL AND product_id IS NOT NULL"),
        postgresql_where=text("released_at IS NULL AND product_id IS NOT NULL"),
    ),
    Index(
        "ix_holds_open_lot",
        "lot_id",
        sqlite_where=text("released_at IS NULL AND lot_id IS NOT NULL"),
        postgresql_where=text("released_at IS NULL AND lot_id IS NOT NULL"),
    ),
)
