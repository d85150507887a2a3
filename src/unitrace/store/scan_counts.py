"""Scan counts, kept as scans are logged, so that the console's figures never read the scan log.

Every scan logged in a unit of work is tallied in memory (:meth:`ScanCounts.tally`, called by
:class:`~unitrace.store.scans.ScanLog`) and, when the unit of work commits, queued: one row of
``scan_count_queue`` per scan, with its day and dimensions, all in one statement
(:meth:`ScanCounts.write`). That is all a scan's own transaction pays for its counts. The
service's counting thread (:mod:`unitrace.services.scan_counting`) takes the queued scans
every second, thousands at a time, and adds them to the count tables
(:meth:`ScanCounts.count_queued`): one upsert per distinct key of the lot, in the transaction
that deletes them from the queue, so that a scan is counted exactly once even if that
transaction fails. The figures add the queued scans to the counts as they read them
(:meth:`ScanCounts.summed`, one statement and so one snapshot per period), so they are right
before the scans are counted too; the queue is the last second's scans.

Each scan is counted in the row of its UTC day (``grain`` ``"day"``). Once a
month has ended, :mod:`unitrace.store.scan_count_months` closes it: its month rows (``grain``
``"month"``, ``day`` the month's first) are summed from its day rows, and a scan made in a
closed month (an upload of scans made offline) is counted in both. Every row holds ``scans``
and ``first_scans``: the scans that were their unit's first (the first not answered
counterfeit, as the scan's own answer says).

Each row's key ends with ``writer``: the counting threads of the service's processes count in
rows of their own (:data:`COUNTING_WRITER`), so that two never wait for each other's lock on
the day's shared rows (the brand's genuine scans of the day) until they commit; every other
writer counts as writer 0. The figures sum them.

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
period: the month rows of the closed months inside it and the day rows of the other days
(a year is 11 or 12 month rows and up to 61 day rows per key, not 366).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Table, delete, func, literal, select, text, union_all
from sqlalchemy.sql.elements import ColumnElement

from unitrace.store.schema import (
    parties,
    products,
    scan_count_months,
    scan_count_queue,
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
#: the counting thread's writer number: its counts go to rows of its own (every other writer,
#: and the closing of months, counts as 0)
COUNTING_WRITER: ContextVar[int] = ContextVar("counting_writer", default=0)
#: the lock a month's closing takes alone and a writer counting scans of an ended month shares
#: (PostgreSQL: a transaction-level advisory lock)
MONTHS_LOCK: Final = 0x756E6974_6D6F6E74  # "unitmont"
#: the order the tables are written in: one for every writer (no deadlocks), the coarsest last
#: (every writer shares their rows of the day: locked last, they are held for the commit alone)
_WRITTEN: Final = tuple(reversed(TABLES))
#: queued scans counted in one transaction at most
COUNTING_CHUNK: Final = 10_000
#: a queued scan's columns, in the order :meth:`CountedScan.queued` gives them
_QUEUED: Final = (
    "day",
    "verdict",
    "product_id",
    "lot",
    "custodian",
    "country",
    "region",
    "first_scan",
)


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

    def queued(self) -> tuple[Any, ...]:
        """The scan as its queue row holds it (the columns of :data:`_QUEUED`)."""
        keys = self.keys()
        return (
            self.at.astimezone(dt.UTC).date(),
            keys["verdict"],
            keys["product_id"],
            keys["lot"],
            keys["custodian"],
            keys["country"],
            keys["region"],
            1 if self.first_scan else 0,
        )


@dataclass(frozen=True, slots=True)
class Span:
    """Rows of one grain whose ``day`` is within ``first``..``last`` (both included)."""

    grain: str
    first: dt.date
    last: dt.date


def spans(first: dt.date, last: dt.date, closed: Collection[dt.date] = ()) -> list[Span]:
    """The rows that add up to the days ``first``..``last``: the month rows of the whole
    months inside them that are ``closed`` (by their first days), the day rows of every other
    day; adjacent rows of a grain in one span.

    >>> def shown(found): return [(s.grain, str(s.first), str(s.last)) for s in found]
    >>> march = dt.date(2026, 3, 1)
    >>> shown(spans(dt.date(2026, 1, 20), dt.date(2026, 4, 2),
    ...             closed={dt.date(2026, 1, 1), dt.date(2026, 2, 1), march}))
    [('day', '2026-01-20', '2026-01-31'), ('month', '2026-02-01', '2026-03-01'), ('day', '2026-04-01', '2026-04-02')]
    >>> shown(spans(march, dt.date(2026, 3, 31), closed={march}))
    [('month', '2026-03-01', '2026-03-01')]
    >>> shown(spans(march, dt.date(2026, 4, 30), closed={dt.date(2026, 4, 1)}))
    [('day', '2026-03-01', '2026-03-31'), ('month', '2026-04-01', '2026-04-01')]
    """
    found: list[Span] = []
    month = first.replace(day=1)
    while True:
        end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        if first <= month and end <= last and month in closed:
            span = Span(MONTH, month, month)
        else:
            span = Span(DAY, max(first, month), min(last, end))
        if found and found[-1].grain == span.grain:
            span = Span(span.grain, found[-1].first, span.last)
            found.pop()
        found.append(span)
        if end >= last:
            return found
        month = end + dt.timedelta(days=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


class ScanCounts:
    """The count tables of one unit of work: the scans it logged, queued when it commits; the
    queued scans counted; and the counts, summed."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.writer = COUNTING_WRITER.get()
        self._queued: list[tuple[Any, ...]] = []
        self._pending: dict[Table, dict[tuple[Any, ...], list[int]]] = {t: {} for t in TABLES}

    def tally(self, scan: CountedScan) -> None:
        """Count ``scan``: queued when the unit of work commits."""
        self._queued.append(scan.queued())

    def any_queued(self) -> bool:
        """Whether any scan is queued, not counted yet."""
        query = select(scan_count_queue.c.id).limit(1)
        return self.connection.execute(query).first() is not None

    @property
    def queued(self) -> int:
        """How many scans :meth:`write` would queue."""
        return len(self._queued)

    def write(self) -> None:
        """Queue the scans tallied, one row each: on PostgreSQL in one statement, their
        columns sent as arrays; on SQLite one prepared statement run per row."""
        if not self._queued:
            return
        queued, self._queued = self._queued, []
        with self._cursor() as cursor:
            if self.connection.dialect.name == "postgresql":
                columns = [list(column) for column in zip(*queued, strict=True)]
                cursor.execute(_QUEUE_ARRAYS, columns)
            else:
                # SQLAlchemy keeps dates on SQLite as ISO text
                cursor.executemany(_QUEUE_ROW, [(day.isoformat(), *rest) for day, *rest in queued])

    def count_queued(self, limit: int = COUNTING_CHUNK) -> int:
        """Count ``limit`` queued scans at most, the oldest first, and take them out of the
        queue; how many. On PostgreSQL the scans another transaction is counting are left to
        it (``SKIP LOCKED``). Each table gets one upsert per distinct key of the scans."""
        queue = scan_count_queue
        oldest = select(queue.c.id).order_by(queue.c.id).limit(limit)
        taken = self.connection.execute(
            delete(queue)
            .where(queue.c.id.in_(oldest.with_for_update(skip_locked=True)))
            .returning(*(queue.c[name] for name in _QUEUED))
        ).all()
        for day, *dimensions, first in taken:
            if isinstance(day, str):  # SQLite's RETURNING gives the text kept
                day = dt.date.fromisoformat(day)
            keys = dict(zip(_QUEUED[1:-1], dimensions, strict=True))
            keys["grain"], keys["day"] = DAY, day
            for table, names in KEYS.items():
                key = tuple(keys[name] for name in names)
                counted = self._pending[table].get(key)
                if counted is None:
                    self._pending[table][key] = [1, first]
                else:
                    counted[0] += 1
                    counted[1] += first
        self._write_counts()
        return len(taken)

    def count_now(self) -> int:
        """Queue the scans tallied and count every queued scan, in this unit of work (for a
        program that logs scans with no service running to count them); how many."""
        self.write()
        counted = 0
        while (taken := self.count_queued()) == COUNTING_CHUNK:
            counted += taken
        return counted + taken

    @property
    def pending(self) -> int:
        """How many rows the counting of the scans taken would write (before the month rows
        of scans of a closed month are added)."""
        return sum(len(rows) for rows in self._pending.values())

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[Any]:
        driver = self.connection.connection.driver_connection
        assert driver is not None
        with contextlib.closing(driver.cursor()) as cursor:
            yield cursor

    def _write_counts(self) -> None:
        """Add the scans taken to the tables, one upsert per distinct key, in key order (so
        that two writers lock shared rows in the same order): on PostgreSQL one statement per
        table, its rows sent as arrays, all of them in one round trip; on SQLite one prepared
        statement run per row. Scans made in a closed month count in its month rows too."""
        tables = [table for table in _WRITTEN if self._pending[table]]
        if not tables:
            return
        self._count_closed_months()
        driver = self.connection.connection.driver_connection
        assert driver is not None
        postgres = self.connection.dialect.name == "postgresql"
        with contextlib.ExitStack() as stack:
            cursor = stack.enter_context(self._cursor())
            if postgres:
                # the statements are sent together and answered together
                stack.enter_context(driver.pipeline())
            for table in tables:
                rows = self._pending[table]
                ordered = [[*key, self.writer, *counted] for key, counted in sorted(rows.items())]
                if postgres:
                    columns = [list(column) for column in zip(*ordered, strict=True)]
                    cursor.execute(_UPSERT_ARRAYS[table], columns)
                else:
                    day = KEYS[table].index("day")
                    for row in ordered:
                        row[day] = row[day].isoformat()  # as SQLAlchemy keeps dates on SQLite
                    cursor.executemany(_UPSERT_ROW[table], ordered)
                rows.clear()

    def _count_closed_months(self) -> None:
        """Add to the tally the month rows of the scans made in a closed month. Only a scan of
        an ended month can be (a month is closed an hour after its end at the earliest), so
        the months are looked up only then: under the lock a month's closing takes alone, so
        that a month is either closed before this transaction counts (and its month rows are
        written here) or after it commits (and summed from its day rows, these among them)."""
        this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
        # every scan is tallied in every table: the coarsest has the fewest keys to look at
        day = _DAY_AT[scan_counts]
        ended = {
            key[day].replace(day=1) for key in self._pending[scan_counts] if key[day] < this_month
        }
        if not ended:
            return
        if self.connection.dialect.name == "postgresql":
            self.connection.execute(
                text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": MONTHS_LOCK}
            )
        closed = closed_months(self.connection, among=ended)
        if not closed:
            return
        for table, rows in self._pending.items():
            grain, day = _GRAIN_AT[table], _DAY_AT[table]
            for key, (scans, firsts) in list(rows.items()):
                month = key[day].replace(day=1)
                if key[grain] != DAY or month not in closed:
                    continue
                month_key = list(key)
                month_key[grain], month_key[day] = MONTH, month
                counted = rows.setdefault(tuple(month_key), [0, 0])
                counted[0] += scans
                counted[1] += firsts

    def forget(self) -> None:
        """Drop what was tallied (the transaction was rolled back)."""
        self._queued.clear()
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
        of the rows whose column is one of the values ``where`` gives for it; the queued
        scans of those days added, in the same statement (the same snapshot: a scan being
        counted meanwhile is found in the queue or in the counts, never both). With a month
        span, ``day`` is the month's first day."""
        if any(not values for values in where.values()):
            return {}
        totals: dict[tuple[Any, ...], tuple[int, int]] = {}
        queue = scan_count_queue
        for span in periods:
            last = span.last
            if span.grain == MONTH:
                last = next_month(last) - dt.timedelta(days=1)
            counted = select(
                *(table.c[name] for name in by), table.c.scans, table.c.first_scans
            ).where(
                table.c.grain == span.grain,
                table.c.day.between(span.first, span.last),
                *_chosen(table, where),
            )
            queued = select(
                *(queue.c[name] for name in by),
                literal(1).label("scans"),
                queue.c.first_scan.label("first_scans"),
            ).where(queue.c.day.between(span.first, last), *_chosen(queue, where))
            both = union_all(counted, queued).subquery()
            group = [both.c[name] for name in by]
            query = select(*group, func.sum(both.c.scans), func.sum(both.c.first_scans)).group_by(
                *group
            )
            day = by.index("day") if "day" in by and span.grain == MONTH else None
            for *key, scans, firsts in self.connection.execute(query):
                if day is not None:
                    key[day] = _as_date(key[day]).replace(day=1)
                before = totals.get(tuple(key), (0, 0))
                totals[tuple(key)] = (before[0] + int(scans), before[1] + int(firsts))
        return totals

    def closed_months(self) -> frozenset[dt.date]:
        """The months whose month rows are kept (their first days)."""
        return closed_months(self.connection)

    def products(self) -> dict[int, tuple[str, str]]:
        """Every product's GTIN and name, by id."""
        query = select(products.c.id, products.c.gtin, products.c.name)
        return {id: (gtin, name) for id, gtin, name in self.connection.execute(query)}

    def parties(self) -> dict[str, str]:
        """Every party's name, by id."""
        query = select(parties.c.id, parties.c.name)
        return {str(id): str(name) for id, name in self.connection.execute(query)}


def closed_months(
    connection: Connection, among: Collection[dt.date] | None = None
) -> frozenset[dt.date]:
    """The closed months (their first days), of ``among`` or all."""
    query = select(scan_count_months.c.month)
    if among is not None:
        query = query.where(scan_count_months.c.month.in_(sorted(among)))
    return frozenset(connection.execute(query).scalars())


def _chosen(table: Table, where: Mapping[str, Sequence[Any]]) -> list[ColumnElement[bool]]:
    """The rows of ``table`` whose columns have one of the values ``where`` gives."""
    return [
        table.c[name] == values[0] if len(values) == 1 else table.c[name].in_(list(values))
        for name, values in where.items()
    ]


def _as_date(day: dt.date | str) -> dt.date:
    # a column of a union is read without its type on SQLite: the ISO text kept
    return dt.date.fromisoformat(day) if isinstance(day, str) else day


#: each table's key, in its primary key's order, but for the writer (the last)
KEYS: Final[dict[Table, tuple[str, ...]]] = {
    table: tuple(column.name for column in table.primary_key.columns if column.name != "writer")
    for table in TABLES
}
_GRAIN_AT: Final = {table: names.index("grain") for table, names in KEYS.items()}
_DAY_AT: Final = {table: names.index("day") for table, names in KEYS.items()}


def _upsert(table: Table, rows: str) -> str:
    names = ", ".join(column.name for column in table.columns)
    added = ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in _COUNTED)
    return (
        f"INSERT INTO {table.name} ({names}) {rows} "
        f"ON CONFLICT ({', '.join(KEYS[table])}, writer) DO UPDATE SET {added}"
    )


_SQL_TYPES: Final = {
    "day": "date",
    "product_id": "integer",
    "writer": "smallint",
    "first_scan": "smallint",
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

#: a queued scan's insert: of one row (SQLite), of rows given column by column (PostgreSQL)
_QUEUE_INTO: Final = f"INSERT INTO {scan_count_queue.name} ({', '.join(_QUEUED)}) "
_QUEUE_ROW: Final = _QUEUE_INTO + f"VALUES ({', '.join('?' for _ in _QUEUED)})"
_QUEUE_ARRAYS: Final = (
    _QUEUE_INTO
    + "SELECT * FROM unnest("
    + ", ".join(f"%s::{_SQL_TYPES.get(name, 'text')}[]" for name in _QUEUED)
    + ")"
)
