"""Issuing serials in bulk: set-based inserts of units, the serial requests they answer, and
reading a request's codes back.

A million units go in as one statement, never a row at a time: on SQLite an
``INSERT … SELECT … FROM json_each(?)`` of the serials as one JSON array, which spares the
per-row parameter binding of ``executemany`` (about 40% of its time); on PostgreSQL a ``COPY``.
Serials are unique per product by the table's primary key. A serial already issued for the
product, or drawn twice in the batch, is skipped by the insert and its ``seq`` given a fresh
draw, so that the batch's seqs stay contiguous.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from unitrace.gs1 import Gtin
from unitrace.registry.model import UnitState
from unitrace.store.schema import lots, products, serial_requests, units
from unitrace.store.times import utc

#: Fresh serials for that many seqs whose serials were taken.
Redraw = Callable[[int], Sequence[str]]

# A redraw collides with probability at most the guess rule's 1 in 10,000 per serial, so a
# few rounds always suffice; running out means a broken source of serials, not bad luck.
_REDRAW_ROUNDS = 32
# Rows per fetch when reading codes back, and per write when copying them in: large enough
# that the per-call overhead vanishes, small enough to hold a few MB at a time.
_ROWS_PER_FETCH = 10_000
#: A lot's units by seq, as a code file lists them (the lot's (lot_id, seq) key finds them).
_SELECT_CODES = (
    "SELECT seq, serial FROM units WHERE lot_id = ? AND seq BETWEEN ? AND ? ORDER BY seq"
)
_ROWS_PER_COPY_WRITE = 100_000
# Characters COPY's text format would read as escapes or separators.
_COPY_SPECIAL = ("\\", "\t", "\n", "\r")
_ISSUED = UnitState.ISSUED.value

_INSERT_FROM_JSON = text(
    "INSERT INTO units (product_id, serial, lot_id, seq, request_id, state) "
    "SELECT :product_id, value, :lot_id, :seq_from + key, :request_id, :state "
    "FROM json_each(:serials) WHERE true "  # WHERE: SQLite's parser needs it before ON CONFLICT
    "ON CONFLICT (product_id, serial) DO NOTHING"
)
# PostgreSQL's own count of units (-1: never counted), and the share of it a batch adds
# before the statistics are gathered again, unlike autovacuum's 10 % a minute later.
_COUNTED_UNITS = text("SELECT reltuples FROM pg_class WHERE oid = 'units'::regclass")
_RECOUNT_SHARE = 0.2
_ANALYZE_LOCK_WAIT = "100ms"
_LOCK_TIMEOUT = text("SELECT current_setting('lock_timeout')")
_SET_LOCK_TIMEOUT = text("SELECT set_config('lock_timeout', :value, true)")
_COPY_UNITS = "COPY units (serial, seq, product_id, lot_id, request_id, state) FROM STDIN"
_STAGE = (
    'CREATE TEMPORARY TABLE issued_serials (serial text COLLATE "C", seq bigint) ON COMMIT DROP'
)
_COPY_STAGE = "COPY issued_serials (serial, seq) FROM STDIN"
_INSERT_FROM_STAGE = text(
    "INSERT INTO units (product_id, serial, lot_id, seq, request_id, state) "
    "SELECT :product_id, serial, :lot_id, seq, :request_id, :state FROM issued_serials "
    "ORDER BY seq "  # of a serial drawn twice, the first seq keeps it, as on SQLite
    "ON CONFLICT (product_id, serial) DO NOTHING"
)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """A serial request as stored, with the names of its product and lot."""

    id: int
    product_id: int
    lot_id: int
    gtin: Gtin
    lot: str
    count: int
    seq_from: int
    seq_to: int
    commissioned: bool
    requested_by: str | None
    created_at: dt.datetime
    #: serials issued for the GTIN up to and including this request
    issued_through: int


@dataclass(frozen=True, slots=True)
class RequestLine:
    """A serial request as a list shows it."""

    id: int
    gtin: str
    product_name: str
    lot: str
    count: int
    seq_from: int
    seq_to: int
    commissioned: bool
    requested_by: str | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class IssuedBatch:
    """Where a batch of units goes: their product, lot and request, and the first seq."""

    product_id: int
    lot_id: int
    request_id: int
    seq_from: int


class SerialIssuance:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- serial requests ------------------------------------------------------------------

    def add_request(
        self,
        *,
        product_id: int,
        lot_id: int,
        count: int,
        seq_from: int,
        commissioned: bool,
        requested_by: str | None,
        created_at: dt.datetime,
    ) -> int:
        """Record a request for ``count`` units from ``seq_from`` on; its id is returned."""
        result = self.connection.execute(
            insert(serial_requests).values(
                product_id=product_id,
                lot_id=lot_id,
                count=count,
                seq_from=seq_from,
                seq_to=seq_from + count - 1,
                commissioned=commissioned,
                requested_by=requested_by,
                created_at=created_at,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def request(self, request_id: int) -> RequestRecord | None:
        earlier = serial_requests.alias("earlier")
        issued_through = (
            select(func.sum(earlier.c.count))
            .where(
                earlier.c.product_id == serial_requests.c.product_id,
                earlier.c.id <= serial_requests.c.id,
            )
            .scalar_subquery()
        )
        row = self.connection.execute(
            select(
                serial_requests,
                products.c.gtin,
                lots.c.lot,
                issued_through.label("issued_through"),
            )
            .join(products, products.c.id == serial_requests.c.product_id)
            .join(lots, lots.c.id == serial_requests.c.lot_id)
            .where(serial_requests.c.id == request_id)
        ).first()
        return None if row is None else _request_from_row(row)

    def recent_requests(self, *, limit: int, before: int | None = None) -> list[RequestLine]:
        """Serial requests newest first, at most ``limit``, those before id ``before`` only
        where it is given (the next page)."""
        query = (
            select(
                serial_requests.c.id,
                products.c.gtin,
                products.c.name,
                lots.c.lot,
                serial_requests.c.count,
                serial_requests.c.seq_from,
                serial_requests.c.seq_to,
                serial_requests.c.commissioned,
                serial_requests.c.requested_by,
                serial_requests.c.created_at,
            )
            .join(products, products.c.id == serial_requests.c.product_id)
            .join(lots, lots.c.id == serial_requests.c.lot_id)
            .order_by(serial_requests.c.id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(serial_requests.c.id < before)
        return [
            RequestLine(
                id=row.id,
                gtin=row.gtin,
                product_name=row.name,
                lot=row.lot,
                count=int(row._mapping["count"]),
                seq_from=row.seq_from,
                seq_to=row.seq_to,
                commissioned=bool(row.commissioned),
                requested_by=row.requested_by,
                created_at=utc(row.created_at),
            )
            for row in self.connection.execute(query)
        ]

    # --- units ----------------------------------------------------------------------------

    def issue(self, batch: IssuedBatch, serials: Sequence[str], redraw: Redraw) -> int:
        """Insert units ``batch.seq_from`` … onwards, in the state issued, one per serial.

        A serial the product already has, or that the batch repeats, is replaced with one of
        ``redraw``, round after round, until every seq has its unit. Returns how many serials
        were redrawn.
        """
        if not serials:
            return 0
        if self.connection.dialect.name == "postgresql":
            inserted = self._copy(batch, serials)
            self._refresh_statistics(len(serials))
        else:
            inserted = self._insert_json(batch, serials)
        if inserted == len(serials):
            return 0
        low, high = batch.seq_from, batch.seq_from + len(serials) - 1
        redrawn = 0
        for _ in range(_REDRAW_ROUNDS):
            missing = self._missing_seqs(batch.lot_id, low, high)
            if not missing:
                return redrawn
            fresh = redraw(len(missing))
            redrawn += len(missing)
            self._insert_pairs(batch, missing, fresh)
            low, high = missing[0], missing[-1]
        raise RuntimeError(
            f"serials: {len(missing):,} seqs still lack an unused serial after "
            f"{_REDRAW_ROUNDS} draws; the serial source repeats itself"
        )

    def codes(
        self, lot_id: int, seq_from: int, seq_to: int
    ) -> Generator[tuple[int, str], None, None]:
        """(seq, serial) of the lot's units ``seq_from`` … ``seq_to``, in seq order, read a
        batch at a time (a server-side cursor on PostgreSQL) so that a million stream.

        Close the generator if you stop early: the cursor must close while the unit of work
        is open, or its close reaches the connection's next transaction."""
        batches = self.code_batches(lot_id, seq_from, seq_to)
        try:
            for batch in batches:
                yield from batch
        finally:
            batches.close()

    def code_batches(
        self, lot_id: int, seq_from: int, seq_to: int
    ) -> Generator[Sequence[tuple[int, str]], None, None]:
        """What :meth:`codes` reads, a fetch of rows at a time, for a writer that handles its
        rows set-wise: plain tuples off the driver's cursor (a server-side one on PostgreSQL),
        since a million rows made into result rows first take longer than the file they are
        written to. The same rule holds: close the generator if you stop early."""
        driver = self.connection.connection.driver_connection
        assert driver is not None, "a unit of work holds its connection"
        postgresql = self.connection.dialect.name == "postgresql"
        cursor = driver.cursor(name="unit_codes") if postgresql else driver.cursor()
        try:
            cursor.execute(
                _SELECT_CODES.replace("?", "%s") if postgresql else _SELECT_CODES,
                (lot_id, seq_from, seq_to),
            )
            while fetch := cursor.fetchmany(_ROWS_PER_FETCH):
                yield fetch
        finally:
            cursor.close()

    def _insert_json(self, batch: IssuedBatch, serials: Sequence[str]) -> int:
        result = self.connection.execute(
            _INSERT_FROM_JSON,
            {
                "product_id": batch.product_id,
                "lot_id": batch.lot_id,
                "seq_from": batch.seq_from,
                "request_id": batch.request_id,
                "state": _ISSUED,
                "serials": json.dumps(serials if isinstance(serials, list) else list(serials)),
            },
        )
        return int(result.rowcount)

    def _refresh_statistics(self, added: int) -> None:
        """Have PostgreSQL count the units again after a batch that grew them by a fifth or
        more. A line commissions what it was just issued, often within the minute, and
        with the old figures (or none, on a new database) the planner takes a product's
        units for a handful and scans all of them for each serial it is asked for, instead
        of seeking the key: some 20 ms per hundred units named in an event.

        ``ANALYZE`` holds its lock until the issue commits, and another large issue's would
        wait for it; so it waits at most a moment for that lock and otherwise leaves the
        count to autovacuum. (A token that does not own the table gets a warning and no
        count, as autovacuum still counts.)"""
        counted = self.connection.execute(_COUNTED_UNITS).scalar_one()
        if not (counted < 0 or added >= _RECOUNT_SHARE * max(counted, 1)):
            return
        import psycopg.errors  # PostgreSQL's path: its dialect has imported the driver

        waited = self.connection.execute(_LOCK_TIMEOUT).scalar_one()
        attempt = self.connection.begin_nested()
        try:
            self.connection.execute(_SET_LOCK_TIMEOUT, {"value": _ANALYZE_LOCK_WAIT})
            self.connection.execute(text("ANALYZE units"))
        except OperationalError as error:
            attempt.rollback()  # the lock timeout set above goes with it
            if not isinstance(error.orig, psycopg.errors.LockNotAvailable):
                raise
            return
        self.connection.execute(_SET_LOCK_TIMEOUT, {"value": waited})
        attempt.commit()

    def _copy(self, batch: IssuedBatch, serials: Sequence[str]) -> int:
        """COPY straight into units, the fast path; a serial taken already (the primary key
        refuses the whole COPY) sends the batch through a staging table instead, whose
        ``INSERT … ON CONFLICT DO NOTHING`` keeps the rest."""
        import psycopg.errors  # PostgreSQL's path: its dialect has imported the driver

        driver = self.connection.connection.driver_connection
        assert driver is not None
        constants = f"{batch.product_id}\t{batch.lot_id}\t{batch.request_id}\t{_ISSUED}"
        savepoint = self.connection.begin_nested()
        try:
            with driver.cursor() as cursor, cursor.copy(_COPY_UNITS) as copy:
                _copy_rows(copy, serials, batch.seq_from, constants)
        except psycopg.errors.UniqueViolation as error:
            savepoint.rollback()
            if error.diag.constraint_name != "pk_units":
                raise
            return self._copy_staged(batch, serials)
        savepoint.commit()
        return len(serials)

    def _copy_staged(self, batch: IssuedBatch, serials: Sequence[str]) -> int:
        driver = self.connection.connection.driver_connection
        assert driver is not None
        self.connection.exec_driver_sql(_STAGE)
        with driver.cursor() as cursor, cursor.copy(_COPY_STAGE) as copy:
            _copy_rows(copy, serials, batch.seq_from, None)
        result = self.connection.execute(
            _INSERT_FROM_STAGE,
            {
                "product_id": batch.product_id,
                "lot_id": batch.lot_id,
                "request_id": batch.request_id,
                "state": _ISSUED,
            },
        )
        self.connection.exec_driver_sql("DROP TABLE issued_serials")
        return int(result.rowcount)

    def _missing_seqs(self, lot_id: int, low: int, high: int) -> list[int]:
        present = set(
            self.connection.execute(
                select(units.c.seq).where(units.c.lot_id == lot_id, units.c.seq.between(low, high))
            ).scalars()
        )
        return [seq for seq in range(low, high + 1) if seq not in present]

    def _insert_pairs(
        self, batch: IssuedBatch, seqs: Sequence[int], serials: Sequence[str]
    ) -> None:
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(units).on_conflict_do_nothing(
            index_elements=[units.c.product_id, units.c.serial]
        )
        self.connection.execute(
            statement,
            [
                {
                    "product_id": batch.product_id,
                    "serial": serial,
                    "lot_id": batch.lot_id,
                    "seq": seq,
                    "request_id": batch.request_id,
                    "state": _ISSUED,
                }
                for seq, serial in zip(seqs, serials, strict=True)
            ],
        )


def _copy_rows(copy: Any, serials: Sequence[str], seq_from: int, constants: str | None) -> None:
    """Write (serial, seq[, constants]) rows to a COPY, a batch of rows per write."""
    joined = "".join(serials)
    if any(special in joined for special in _COPY_SPECIAL):
        # no CSET 82 serial has these; a source that draws them is copied row by row, escaped
        tail = tuple(constants.split("\t")) if constants is not None else ()
        for seq, serial in enumerate(serials, start=seq_from):
            copy.write_row((serial, seq, *tail))
        return
    end = f"\t{constants}\n" if constants is not None else "\n"
    rows = iter(enumerate(serials, start=seq_from))
    while chunk := list(islice(rows, _ROWS_PER_COPY_WRITE)):
        copy.write("".join([f"{serial}\t{seq}{end}" for seq, serial in chunk]))


def _request_from_row(row: Row[Any]) -> RequestRecord:
    return RequestRecord(
        id=row.id,
        product_id=row.product_id,
        lot_id=row.lot_id,
        gtin=Gtin(row.gtin),
        lot=row.lot,
        count=row._mapping["count"],  # Row.count is the tuple method
        seq_from=row.seq_from,
        seq_to=row.seq_to,
        commissioned=bool(row.commissioned),
        requested_by=row.requested_by,
        created_at=utc(row.created_at),
        issued_through=int(row.issued_through),
    )
