"""The scan count tables (:mod:`unitrace.store.scan_counts` keeps and reads them), on the
schema's metadata. Import them from :mod:`unitrace.store.schema`, as every table: that module
loads this one once its metadata is made.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, SmallInteger, String, Table

from unitrace.store.schema import metadata

# Scan counts kept as scans are logged (store.scan_counts tells the grains and what each table
# answers): per day and per month, the scans and first scans by verdict and by the unit's
# custodian at scan time ('' for the brand's own), with the product (0: no product of ours),
# the lot (the unit's, else the one the code carried; '' for none) and the place (country and
# ISO 3166-2 region, '' where unknown). Sentinels rather than NULLs: each row is found by its
# whole key, which an upsert needs. WITHOUT ROWID on SQLite: rows are read in key order.
# Each key ends with the writer that counted: the counting threads of the service's processes
# count in rows of their own, so that two never wait for each other's row of the day; the
# figures sum them.


def _key_text(length: int) -> String:
    """A text key column of the count tables: compared byte by byte on PostgreSQL, as on
    SQLite (each upsert compares several along the primary key; a locale's rules cost more
    than the rest of it, and the rows are never ordered for people by SQL)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


_GRAIN = ("grain", _key_text(5))  # "day" or "month"
_DAY = ("day", Date)  # the day, or the month's first day
_CUSTODIAN = ("custodian", _key_text(64))
_VERDICT = ("verdict", _key_text(16))
_LOT = ("lot", _key_text(20))
_COUNTRY = ("country", _key_text(2))
_REGION = ("region", _key_text(6))
_PRODUCT = ("product_id", Integer)
_WRITER = ("writer", SmallInteger)


def _scan_count_table(name: str, *keys: tuple[str, Any]) -> Table:
    return Table(
        name,
        metadata,
        *(
            Column(key, kind, primary_key=True, autoincrement=False)
            for key, kind in (*keys, _WRITER)
        ),
        Column("scans", BigInteger, nullable=False),
        Column("first_scans", BigInteger, nullable=False),
        sqlite_with_rowid=False,
    )


scan_counts = _scan_count_table("scan_counts", _GRAIN, _DAY, _CUSTODIAN, _VERDICT)
scan_counts_by_lot = _scan_count_table(
    "scan_counts_by_lot", _PRODUCT, _GRAIN, _DAY, _LOT, _CUSTODIAN, _VERDICT
)
scan_counts_by_area = _scan_count_table(
    "scan_counts_by_area", _GRAIN, _DAY, _COUNTRY, _REGION, _VERDICT
)
scan_counts_by_custodian_area = _scan_count_table(
    "scan_counts_by_custodian_area", _CUSTODIAN, _GRAIN, _DAY, _COUNTRY, _REGION, _VERDICT
)
scan_counts_by_lot_area = _scan_count_table(
    "scan_counts_by_lot_area",
    _PRODUCT,
    _GRAIN,
    _DAY,
    _LOT,
    _CUSTODIAN,
    _COUNTRY,
    _REGION,
    _VERDICT,
)

# The months whose month rows are kept (store.scan_count_months): a month is closed once it
# has ended, its month rows summed from its day rows; until then its day rows answer for it.
scan_count_months = Table(
    "scan_count_months",
    metadata,
    Column("month", Date, primary_key=True, autoincrement=False),
    Column("closed_at", DateTime(timezone=True), nullable=False),
)

# The scans logged but not counted yet (store.scan_counts): a row per scan with its day and
# dimensions, written in the scan's own transaction, taken (deleted) by the transaction that
# counts it. The figures add these rows to the counts', so they are right before then too.
scan_count_queue = Table(
    "scan_count_queue",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("day", Date, nullable=False),
    Column("verdict", _key_text(16), nullable=False),
    Column("product_id", Integer, nullable=False),
    Column("lot", _key_text(20), nullable=False),
    Column("custodian", _key_text(64), nullable=False),
    Column("country", _key_text(2), nullable=False),
    Column("region", _key_text(6), nullable=False),
    Column("first_scan", SmallInteger, nullable=False),
)
