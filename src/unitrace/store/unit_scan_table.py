"""The table of units' scan summaries (:mod:`unitrace.store.unit_scans` keeps and reads it),
on the schema's metadata. Import it from :mod:`unitrace.store.schema`, as every table: that
module loads this one once its metadata is made.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Table

from unitrace.store.schema import Timestamp, metadata

# A unit's scans as its answers count them (those not answered counterfeit): how many, and the
# first of them by (at, id), so that a verification reads one row, not the unit's whole log,
# however many times the unit was scanned. A row per unit scanned at least once, keyed as the
# unit is; kept in the transaction that logs the scan. Apart from the units table: a unit's
# row changes when it moves, this one with every scan, and so the two are never locked, written
# or cached together.
unit_scan_summaries = Table(
    "unit_scan_summaries",
    metadata,
    Column("product_id", Integer, primary_key=True, autoincrement=False),
    Column(
        "serial",
        String(20).with_variant(String(20, collation="C"), "postgresql"),
        primary_key=True,
    ),
    Column("scans", BigInteger, nullable=False),
    Column("first_at", Timestamp, nullable=False),
    # the first scan's row in the log (the log is append-only)
    Column("first_scan_id", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
