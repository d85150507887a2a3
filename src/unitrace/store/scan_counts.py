"""Scan counts, kept as scans are logged, so that the console's figures never read the scan log.

Every scan logged in a unit of work is tallied in memory (:meth:`ScanCounts.tally`, called by
:class:`~unitrace.store.scans.ScanLog`); just before the unit of work commits, each count
table gets one upsert per distinct key of the transaction (:meth:`ScanCounts.write`): the scans
of a scan intake batch that share a row (the day's genuine scans of a distributor's units) are
one write, each table is one statement on PostgreSQL, and a transaction rolled back leaves no
count behind. Each scan is counted once per grain: in the row of its UTC
day and in the row of its month (``grain`` ``"day"`` or ``"month"``; ``day`` is the month's
first day for the latter). Every row holds ``scans`` and ``first_scans``: the scans that were
their unit's first (the first not answered counterfeit, as the scan's own answer says).

The dimensions of a scan: its verdict; the custodian of its unit when it was made ('' for the
brand's own units and for codes naming no unit of ours); the product (0 for codes naming no
product of ours); the lot (the unit's, else the lot the code carried, '' for none); the country
and ISO 3166-2 region it was made in ('' where unknown). Five tables hold them at five grains,
each keyed for the questions it answers:

=============================  =====================================  ========================
table                          key (its order)                        answers
=============================  =====================================  ========================
scan_counts                    grain, day, custodian, verdict         scans per day and by
                                                                      verdict, per custodian
scan_counts_by_lot             product, grain, day, lot, custodian,   the same for a product
                               verdict                                or lot; most-scanned
                                                                      products and lots
scan_counts_by_area            grain, day, country, region, verdict   the map, first scans by
                                                                      place
scan_counts_by_custodian_area  custodian, grain, day, country,        the same for a
                               region, verdict                        custodian (a party's
                                                                      user)
scan_counts_by_lot_area        product, grain, day, lot, custodian,   the same for a product
                               country, region, verdict               or lot
=============================  =====================================  ========================

A filter the key leads with is read as ranges of it (``product_id IN (...)`` with every product
where none is asked for), so a question reads only the rows of what it asks for, over its
period: the month rows of the whole months inside it and the day rows of the days around them
(a year is 12 month rows and up to 60 day rows per key, not 366).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from unitrace.store.schema import (
    parties,
    products,
    scan_counts,
    scan_counts_by_area,
    scan_counts_by_custodian_area,
    scan_counts_by_lot,
    scan_counts_by_lot_area,
)

DAY: Final = "day"
MONTH: Final = "month"
#: the custodian of the brand's own units, and of codes naming no unit of ours
BRANDS_OWN: Final = ""
#: the product of codes that name no product of ours
NO_PRODUCT: Final = 0

#: the tables, coarsest first
TABLES: Final = (
    scan_counts,
    scan_counts_by_lot,
    scan_counts_by_area,
    scan_counts_by_custodian_area,
    scan_counts_by_lot_area,
)
_COUNTED: Final = ("scans", "first_scans")
#: the order the tables are written in: one for every writer (no deadlocks), the coarsest last
#: (every writer shares their rows of the day: locked last, they are held for the commit alone)
_WRITTEN: Final = tuple(reversed(TABLES))


@dataclass(frozen=True, slots=True)
class CountedScan:
    """A scan as the counts see it."""

    at: dt.datetime
    verdict: str
    product_id: int | None = None
    lot: str | None = None
    custodian: str | None = None
    country: str | None = None
    region: str | None = None
    first_scan: bool = False

    def keys(self) -> dict[str, Any]:
        """The scan's value of every dimension, as the tables key it (sentinels for none)."""
        return {
            "verdict": self.verdict,
            "product_id": self.product_id or NO_PRODUCT,
            "lot": (self.lot or "")[:20],
            "custodian": self.custodian or BRANDS_OWN,
            "country": self.country or "",
            "region": self.region or "",
        }


@dataclass(frozen=True, slots=True)
class Span:
    """Rows of one grain whose ``day`` is within ``first``..``last`` (both included)."""

    grain: str
    first: dt.date
    last: dt.date


def spans(first: dt.date, last: dt.date) -> list[Span]:
    """The rows that add up to the days ``first``..``last``: the whole months inside them, by
    their month rows, and the days before and after those, by their day rows.

    >>> [(s.grain, str(s.first), str(s.last)) for s in spans(dt.date(2026, 1, 20),
    ...                                                        dt.date(2026, 4, 2))]
    [('day', '2026-01-20', '2026-01-31'), ('month', '2026-02-01', '2026-03-01'), ('day', '2026-04-01', '2026-04-02')]
    >>> [(s.grain, str(s.first), str(s.last)) for s in spans(dt.date(2026, 3, 1),
    ...                                                        dt.date(2026, 3, 31))]
    [('month', '2026-03-01', '2026-03-01')]
    """
    head = first if first.day == 1 else _next_month(first)
    # the first day of the month after the last whole month
    tail = _next_month(last) if _next_month(last) - dt.timedelta(days=1) == last else last
    tail = tail.replace(day=1)
    if head >= tail:
        return [Span(DAY, first, last)]
    found = []
    if first < head:
        found.append(Span(DAY, first, head - dt.timedelta(days=1)))
    found.append(Span(MONTH, head, _previous_month(tail)))
    if tail <= last:
        found.append(Span(DAY, tail, last))
    return found


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class ScanCounts:
    """The count tables of one unit of work: the scans it logged, tallied until it commits;
    and the counts, summed."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._pending: dict[Table, dict[tuple[Any, ...], list[int]]] = {t: {} for t in TABLES}

    def tally(self, scan: CountedScan) -> None:
        """Count ``scan`` (written with the others when the unit of work commits)."""
        keys = scan.keys()
        day = scan.at.astimezone(dt.UTC).date()
        first = 1 if scan.first_scan else 0
        for grain, start in ((DAY, day), (MONTH, day.replace(day=1))):
            keys["grain"], keys["day"] = grain, start
            for table, names in _KEYS.items():
                key = tuple(keys[name] for name in names)
                counted = self._pending[table].get(key)
                if counted is None:
                    self._pending[table][key] = [1, first]
                else:
                    counted[0] += 1
                    counted[1] += first

    @property
    def pending(self) -> int:
        """How many rows :meth:`write` would write."""
        return sum(len(rows) for rows in self._pending.values())

    def write(self) -> None:
        """Add what was tallied to the tables, one upsert per distinct key, in key order (so
        that two writers lock shared rows in the same order): on PostgreSQL one statement per
        table, its rows sent as arrays, all of them in one round trip; on SQLite one prepared
        statement run per row."""
        tables = [table for table in _WRITTEN if self._pending[table]]
        if not tables:
            return
        driver = self.connection.connection.driver_connection
        assert driver is not None
        postgres = self.connection.dialect.name == "postgresql"
        with contextlib.ExitStack() as stack:
            cursor = stack.enter_context(contextlib.closing(driver.cursor()))
            if postgres:
                # the statements are sent together and answered together
                stack.enter_context(driver.pipeline())
            for table in tables:
                rows = self._pending[table]
                ordered = [[*key, *counted] for key, counted in sorted(rows.items())]
                if postgres:
                    columns = [list(column) for column in zip(*ordered, strict=True)]
                    cursor.execute(_UPSERT_ARRAYS[table], columns)
                else:
                    day = _KEYS[table].index("day")
                    for row in ordered:
                        row[day] = row[day].isoformat()  # as SQLAlchemy keeps dates on SQLite
                    cursor.executemany(_UPSERT_ROW[table], ordered)
                rows.clear()

    def forget(self) -> None:
        """Drop what was tallied (the transaction was rolled back)."""
        for rows in self._pending.values():
            rows.clear()

    def summed(
        self,
        table: Table,
        by: Sequence[str],
        periods: Iterable[Span],
        where: Mapping[str, Sequence[Any]],
    ) -> dict[tuple[Any, ...], tuple[int, int]]:
        """Scans and first scans of ``table`` summed by the columns ``by`` over ``periods``,
        of the rows whose column is one of the values ``where`` gives for it."""
        totals: dict[tuple[Any, ...], tuple[int, int]] = {}
        group = [table.c[name] for name in by]
        for span in periods:
            conditions: list[ColumnElement[bool]] = [
                table.c.grain == span.grain,
                table.c.day.between(span.first, span.last),
            ]
            for name, values in where.items():
                if not values:
                    return {}
                column = table.c[name]
                conditions.append(
                    column == values[0] if len(values) == 1 else column.in_(list(values))
                )
            query = (
                select(*group, func.sum(table.c.scans), func.sum(table.c.first_scans))
                .where(*conditions)
                .group_by(*group)
            )
            for *key, scans, firsts in self.connection.execute(query):
                before = totals.get(tuple(key), (0, 0))
                totals[tuple(key)] = (before[0] + int(scans), before[1] + int(firsts))
        return totals

    def products(self) -> dict[int, tuple[str, str]]:
        """Every product's GTIN and name, by id."""
        query = select(products.c.id, products.c.gtin, products.c.name)
        return {id: (gtin, name) for id, gtin, name in self.connection.execute(query)}

    def parties(self) -> dict[str, str]:
        """Every party's name, by id."""
        query = select(parties.c.id, parties.c.name)
        return {str(id): str(name) for id, name in self.connection.execute(query)}


#: each table's key, in its primary key's order
_KEYS: Final[dict[Table, tuple[str, ...]]] = {
    table: tuple(column.name for column in table.primary_key.columns) for table in TABLES
}


def _upsert(table: Table, rows: str) -> str:
    names = ", ".join(column.name for column in table.columns)
    added = ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in _COUNTED)
    return (
        f"INSERT INTO {table.name} ({names}) {rows} "
        f"ON CONFLICT ({', '.join(_KEYS[table])}) DO UPDATE SET {added}"
    )


_SQL_TYPES: Final = {
    "day": "date",
    "product_id": "integer",
    "scans": "bigint",
    "first_scans": "bigint",
}
#: each table's upsert: of one row (SQLite), of rows given column by column as arrays (PostgreSQL)
_UPSERT_ROW: Final = {
    table: _upsert(table, f"VALUES ({', '.join('?' for _ in table.columns)})") for table in TABLES
}
_UPSERT_ARRAYS: Final = {
    table: _upsert(
        table,
        "SELECT * FROM unnest("
        + ", ".join(f"%s::{_SQL_TYPES.get(column.name, 'text')}[]" for column in table.columns)
        + ")",
    )
    for table in TABLES
}


# --- counting the scans already logged --------------------------------------------------------

#: a logged scan's UTC day and month: SQLite keeps times as UTC text
_DAY_OF: Final = {
    "sqlite": "substr(s.at, 1, 10)",
    "postgresql": "(s.at AT TIME ZONE 'UTC')::date",
}
_MONTH_OF: Final = {
    "sqlite": "substr(day, 1, 7) || '-01'",
    "postgresql": "date_trunc('month', day)::date",
}


def recount(connection: Connection) -> None:
    """Count every scan of the log afresh: the finest table's day rows from the log (each
    scan's unit, lot and custodian as they are now: the custodian at scan time was not
    logged), and every other row from those. The 0015 migration runs it on the scans logged
    before counts were kept. A scan's first is its unit's earliest scan not answered
    counterfeit: found unit by unit down the log's (product, serial, at) index, so that the
    log is read once, in no order, and sorted once, by the finest key."""
    dialect = connection.dialect.name
    for table in reversed(TABLES):
        connection.execute(table.delete())
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
            "(product_id, grain, day, lot, custodian, country, region, verdict, scans, first_scans) "
            "SELECT product_id, 'day', day, lot, custodian, country, region, verdict, "
            "count(*), sum(first) FROM ("
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
    _derive(connection, scan_counts_by_lot_area, scan_counts_by_lot_area, month=True)
    _derive(connection, scan_counts_by_lot, scan_counts_by_lot_area)
    _derive(connection, scan_counts_by_custodian_area, scan_counts_by_lot_area)
    _derive(connection, scan_counts_by_area, scan_counts_by_custodian_area)
    _derive(connection, scan_counts, scan_counts_by_lot)


_FIRSTS: Final = "first_scans_of_units"


def _derive(connection: Connection, table: Table, source: Table, *, month: bool = False) -> None:
    """Fill ``table`` with ``source``'s rows summed by ``table``'s key; or, with ``month``,
    add to ``source`` the month rows of its day rows."""
    names = _KEYS[table]
    picked = [
        (
            f"{_MONTH_OF[connection.dialect.name]}"
            if month and name == "day"
            else "'month'"
            if month and name == "grain"
            else name
        )
        for name in names
    ]
    connection.execute(
        text(
            f"INSERT INTO {table.name} ({', '.join(names)}, scans, first_scans) "
            f"SELECT {', '.join(picked)}, sum(scans), sum(first_scans) FROM {source.name} "
            + ("WHERE grain = 'day' " if month else "")
            # by position: a constant is no GROUP BY term on PostgreSQL
            + f"GROUP BY {', '.join(str(n) for n in range(1, len(names) + 1))}"
        )
    )
