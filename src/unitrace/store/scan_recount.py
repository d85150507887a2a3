"""Counting the scans already logged afresh (:func:`recount`): every count table's day rows
summed from the scan log, every ended month closed, the queue of scans to count emptied. For a
database whose counts were lost or are doubted; the counts kept as scans are logged (:mod:`unitrace.store.scan_counts`) equal
what it counts, but for the custodian at scan time, which the log does not keep.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from sqlalchemy import Connection, Table, text

from unitrace.store.scan_count_months import close_months
from unitrace.store.scan_counts import KEYS, TABLES
from unitrace.store.schema import (
    scan_count_months,
    scan_count_queue,
    scan_counts,
    scan_counts_by_area,
    scan_counts_by_custodian_area,
    scan_counts_by_lot,
    scan_counts_by_lot_area,
)

#: a logged scan's UTC day and month: SQLite keeps times as UTC text
_DAY_OF: Final = {
    "sqlite": "substr(s.at, 1, 10)",
    "postgresql": "(s.at AT TIME ZONE 'UTC')::date",
}


def recount(connection: Connection, now: dt.datetime | None = None) -> None:
    """Count every scan of the log afresh: the finest table's day rows from the log (each
    scan's unit, lot and custodian as they are now: the custodian at scan time was not
    logged), every other day row from those, and then the month rows of every month ended
    by ``now`` (the clock's time). A scan's first is its unit's earliest scan not answered
    counterfeit: found unit by unit down the log's (product, serial, at) index, so that the
    log is read once, in no order, and sorted once, by the finest key. Every row is writer
    0's."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # no scan logged, queued or counted meanwhile (SQLite's write lock does the same)
        connection.execute(text("LOCK TABLE scans, scan_count_queue IN EXCLUSIVE MODE"))
    for table in reversed(TABLES):
        connection.execute(table.delete())
    connection.execute(scan_count_months.delete())
    # the scans queued to be counted are in the log: counted here
    connection.execute(scan_count_queue.delete())
    if dialect == "postgresql":
        # the sort by the finest key in memory where it fits, not in many passes on disk
        connection.execute(text("SET LOCAL work_mem = '256MB'"))
    connection.execute(text(f"CREATE TEMPORARY TABLE {_FIRSTS} (id BIGINT PRIMARY KEY)"))
    # the unit's serial in the log's collation, so that its index serves (PostgreSQL)
    serial = 'u.serial COLLATE "default"' if dialect == "postgresql" else "u.serial"
    connection.execute(
        text(
            f"INSERT INTO {_FIRSTS} (id) SELECT id FROM ("
            "  SELECT (SELECT s.id FROM scans s WHERE s.product_id = u.product_id"
            f"   AND s.serial = {serial} AND s.verdict <> 'counterfeit'"
            "   ORDER BY s.at, s.id LIMIT 1) AS id FROM units u"
            ") firsts WHERE id IS NOT NULL"
        )
    )
    connection.execute(
        text(
            f"INSERT INTO {scan_counts_by_lot_area.name} "
            "(product_id, grain, day, lot, custodian, country, region, verdict, writer, scans, "
            "first_scans) SELECT product_id, 'day', day, lot, custodian, country, region, "
            "verdict, 0, count(*), sum(first) FROM ("
            f"  SELECT {_DAY_OF[dialect]} AS day, coalesce(s.product_id, 0) AS product_id,"
            "   coalesce(l.lot, s.lot, '') AS lot, coalesce(u.custodian_id, '') AS custodian,"
            "   coalesce(s.country, '') AS country, coalesce(s.region, '') AS region, s.verdict,"
            "   CASE WHEN f.id IS NULL THEN 0 ELSE 1 END AS first"
            "  FROM scans s"
            "  LEFT JOIN units u ON s.known AND u.product_id = s.product_id"
            "   AND u.serial = s.serial"
            "  LEFT JOIN lots l ON l.id = u.lot_id"
            f"  LEFT JOIN {_FIRSTS} f ON f.id = s.id"
            ") counted GROUP BY product_id, day, lot, custodian, country, region, verdict"
        )
    )
    connection.execute(text(f"DROP TABLE {_FIRSTS}"))
    _derive(connection, scan_counts_by_lot, scan_counts_by_lot_area)
    _derive(connection, scan_counts_by_custodian_area, scan_counts_by_lot_area)
    _derive(connection, scan_counts_by_area, scan_counts_by_custodian_area)
    _derive(connection, scan_counts, scan_counts_by_lot)
    close_months(connection, now)


_FIRSTS: Final = "first_scans_of_units"


def _derive(connection: Connection, table: Table, source: Table) -> None:
    """Fill ``table`` with ``source``'s rows summed by ``table``'s key."""
    names = KEYS[table]
    connection.execute(
        text(
            f"INSERT INTO {table.name} ({', '.join(names)}, writer, scans, first_scans) "
            f"SELECT {', '.join(names)}, 0, sum(scans), sum(first_scans) FROM {source.name} "
            f"GROUP BY {', '.join(names)}"
        )
    )
