"""The tables of recalls (:mod:`unitrace.store.recalls` keeps and reads them), on the schema's
metadata. Import them from :mod:`unitrace.store.schema`, as every table: that module loads this
one once its metadata is made.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from unitrace.store.schema import EpcText, Timestamp, metadata

# A recall: what it covers as asked (``scope``, the request's lots, units and component lots),
# why, what partners and consumers are told to do, and when and by whom it was opened and
# closed. ``event_pk`` is the event index's key of the event that blocked the units: the
# events recorded after it (returns received, units destroyed) count towards recovery.
recalls = Table(
    "recalls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(8), nullable=False),
    Column("reason", Text, nullable=False),
    Column("instructions", Text, nullable=False),
    Column("classification", String(3)),
    Column("markets", JSON, nullable=False),
    Column("scope", JSON, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("event_pk", BigInteger, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("respond_by", Timestamp, nullable=False),
    Column("closed_at", Timestamp),
    Column("closed_by", Text),
    Column("close_reason", Text),
)

# Every unit a recall reached, written once by one INSERT … SELECT when it is opened: its EPC
# as the event index writes it (returns are found by it), its lot, the party that held it
# then (NULL: the brand) and the state it was in.
recall_units = Table(
    "recall_units",
    metadata,
    Column("recall_id", Integer, primary_key=True),
    Column("product_id", Integer, primary_key=True),
    Column(
        "serial",
        String(20).with_variant(String(20, collation="C"), "postgresql"),
        primary_key=True,
    ),
    Column("lot_id", Integer, nullable=False),
    Column("epc", EpcText, nullable=False),
    Column("party_id", String(64)),
    Column("state_before", String(16), nullable=False),
    # what a scan and the linkset look for: the recalls of a unit, of a lot
    Index("ix_recall_units_unit", "product_id", "serial"),
    Index("ix_recall_units_lot", "lot_id"),
    Index("ix_recall_units_epc", "epc"),
    sqlite_with_rowid=False,
)

# A task per party holding affected units when the recall was opened: how many it held, its
# latest answer, and the notice sent to its endpoint.
recall_tasks = Table(
    "recall_tasks",
    metadata,
    Column("recall_id", Integer, primary_key=True),
    Column("party_id", String(64), primary_key=True),
    Column("units", BigInteger, nullable=False),
    Column("acknowledged", Boolean, nullable=False),
    Column("on_hand", BigInteger, nullable=False),
    Column("returned", BigInteger, nullable=False),
    Column("destroyed", BigInteger, nullable=False),
    Column("completed", Boolean, nullable=False),
    Column("note", Text),
    Column("answered_at", Timestamp),
    Column("notice_status", String(16), nullable=False),
    Column("notice_detail", Text),
    Column("notified_at", Timestamp),
)

# Every answer a party gave, in order: the recall's timeline and the regulator's file.
recall_responses = Table(
    "recall_responses",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("recall_id", Integer, nullable=False),
    Column("party_id", String(64), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("by", Text, nullable=False),
    Column("acknowledged", Boolean, nullable=False),
    Column("on_hand", BigInteger, nullable=False),
    Column("returned", BigInteger, nullable=False),
    Column("destroyed", BigInteger, nullable=False),
    Column("completed", Boolean, nullable=False),
    Column("note", Text),
    Index("ix_recall_responses_recall", "recall_id", "at"),
)
