"""Units' scan summaries: how many scans each unit has had and which was its first, kept as
scans are logged, so that a verification costs the same whether the unit was scanned once or a
million times.

A unit's summary counts its scans as its answers do: every scan naming it that was not
answered counterfeit (a code answered counterfeit was not taken for the unit). The first is the
earliest of them by time and then by log id, as the log would sort them; a scanner's upload of
scans made offline may bring an earlier one.

The scans a unit of work logs are summed in memory (:meth:`UnitScans.note`) and written when it
commits (:meth:`UnitScans.write`), one upsert per unit: the count added to, the first kept or
replaced, in the one statement, so that writers scanning the same unit at the same time never
lose a count. Written last but for the scan counts' queue, and in the order of the units' keys,
the rows are locked for the commit alone, and two transactions scanning the same units never
wait for each other in a ring. Until then, :meth:`UnitScans.of_unit` adds the unit's scans of
this unit of work to its row. A savepoint rolled back takes its scans out of the log, and so
out of the scans noted: those noted when it began are restored.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    Select,
    Table,
    and_,
    bindparam,
    case,
    event,
    func,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import scans, unit_scan_summaries
from unitrace.store.times import utc

#: the verdict a unit's summary leaves out
UNCOUNTED: Final = "counterfeit"
#: log ids summed in one statement at most when the summaries are made from the log
SUMMING_CHUNK: Final = 500_000
#: the key of a connection's info that holds the summaries of the unit of work using it, for
#: the engine's savepoint events to find
_NOTING: Final = "unitrace.unit_scans"


@dataclass(slots=True)
class _Summed:
    """A unit's scans, summed: how many, and the first's time and log id."""

    scans: int
    first_at: dt.datetime
    first_id: int

    def add(self, scans: int, at: dt.datetime, scan_id: int) -> None:
        self.scans += scans
        if (at, scan_id) < (self.first_at, self.first_id):
            self.first_at, self.first_id = at, scan_id


class UnitScans:
    """The scan summaries of one unit of work: its scans noted, written when it commits."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._noted: dict[tuple[int, str], _Summed] = {}
        #: the scans noted when each savepoint still open began, the innermost last
        self._at_savepoints: list[dict[tuple[int, str], _Summed]] = []
        connection.info[_NOTING] = self
        _follow_savepoints(connection.engine)

    def note(
        self, product_id: int, serial: str, verdict: str, at: dt.datetime, scan_id: int
    ) -> None:
        """Count the scan ``scan_id`` of the unit ``product_id`` + ``serial`` (unless answered
        :data:`UNCOUNTED`); written when the unit of work commits."""
        if verdict == UNCOUNTED:
            return
        at = at.astimezone(dt.UTC)
        noted = self._noted.get((product_id, serial))
        if noted is None:
            self._noted[(product_id, serial)] = _Summed(1, at, scan_id)
        else:
            noted.add(1, at, scan_id)

    def of_unit(self, product_id: int, serial: str) -> tuple[int, int | None]:
        """How many scans the unit has had (those of this unit of work too), and the log id of
        its first; None where it has had none."""
        found = _SUMMARY.rows(self.connection, {"product_id": product_id, "serial": serial})
        noted = self._noted.get((product_id, serial))
        if not found:
            return (0, None) if noted is None else (noted.scans, noted.first_id)
        (row,) = found
        summed = _Summed(int(row.scans), utc(row.first_at), int(row.first_scan_id))
        if noted is not None:
            summed.add(noted.scans, noted.first_at, noted.first_id)
        return summed.scans, summed.first_id

    def write(self) -> None:
        """Add the scans noted to their units' rows, in the order of the units' keys."""
        self._at_savepoints.clear()
        if not self._noted:
            return
        noted, self._noted = self._noted, {}
        _UPSERT[self.connection.dialect.name].execute_many(
            self.connection,
            [
                {
                    "product_id": product_id,
                    "serial": serial,
                    "scans": summed.scans,
                    "first_at": summed.first_at,
                    "first_scan_id": summed.first_id,
                }
                for (product_id, serial), summed in sorted(noted.items())
            ],
        )

    def forget(self) -> None:
        """Drop the scans noted (the unit of work rolled back)."""
        self._noted.clear()
        self._at_savepoints.clear()

    def _savepoint(self) -> None:
        self._at_savepoints.append(_copied(self._noted))

    def _savepoint_ended(self, *, undone: bool) -> None:
        # savepoints end innermost first (SQLAlchemy's nested transactions)
        if not self._at_savepoints:
            return
        noted = self._at_savepoints.pop()
        if undone:
            self._noted = noted


def _copied(noted: dict[tuple[int, str], _Summed]) -> dict[tuple[int, str], _Summed]:
    return {unit: _Summed(s.scans, s.first_at, s.first_id) for unit, s in noted.items()}


_FOLLOWED: weakref.WeakSet[Engine] = weakref.WeakSet()
_FOLLOWING = threading.Lock()


def _follow_savepoints(engine: Engine) -> None:
    """Have ``engine``'s savepoints, begun, released or rolled back, tell the summaries of the
    unit of work whose connection they are on (once per engine)."""
    if engine in _FOLLOWED:
        return
    with _FOLLOWING:
        if engine in _FOLLOWED:
            return
        event.listen(engine, "savepoint", _begun)
        event.listen(engine, "release_savepoint", _released)
        event.listen(engine, "rollback_savepoint", _rolled_back)
        _FOLLOWED.add(engine)


def _noting(connection: Connection) -> UnitScans | None:
    found = connection.info.get(_NOTING)
    return found if isinstance(found, UnitScans) and found.connection is connection else None


def _begun(connection: Connection, _name: str | None) -> None:
    if (noting := _noting(connection)) is not None:
        noting._savepoint()


def _released(connection: Connection, _name: str, _context: object) -> None:
    if (noting := _noting(connection)) is not None:
        noting._savepoint_ended(undone=False)


def _rolled_back(connection: Connection, _name: str, _context: object) -> None:
    if (noting := _noting(connection)) is not None:
        noting._savepoint_ended(undone=True)


def summarize_logged(connection: Connection, *, chunk: int = SUMMING_CHUNK) -> None:
    """Add every scan of the log to its unit's summary, ``chunk`` log ids at a time, each chunk
    summed by unit in one statement (its scans numbered within their unit by (at, id), so that
    only the first is kept): for a log filled around :class:`UnitScans`, as a bulk load does,
    on a summary table that does not count its scans yet."""
    low, high = connection.execute(select(func.min(scans.c.id), func.max(scans.c.id))).one()
    if low is None:
        return
    statement = _SUM_CHUNK[connection.dialect.name]
    for start in range(int(low), int(high) + 1, chunk):
        connection.execute(statement, {"low": start, "high": start + chunk})


_COLUMNS: Final = ("product_id", "serial", "scans", "first_at", "first_scan_id")


def _merging(insert: Callable[[Table], Any], rows: Select[Any] | None = None) -> Insert:
    """For a dialect (``insert``, its own insert construct), the insert of units' summaries
    (``rows``, else one unit's from parameters) merged into those there: the scans added, the
    earlier first kept."""
    table = unit_scan_summaries
    statement = insert(table)
    new = statement.excluded
    earlier: ColumnElement[bool] = or_(
        new.first_at < table.c.first_at,
        and_(new.first_at == table.c.first_at, new.first_scan_id < table.c.first_scan_id),
    )
    statement = (
        statement.values({name: bindparam(name) for name in _COLUMNS})
        if rows is None
        else statement.from_select(list(_COLUMNS), rows)
    )
    merged: Insert = statement.on_conflict_do_update(
        index_elements=[table.c.product_id, table.c.serial],
        set_={
            "scans": table.c.scans + new.scans,
            "first_at": case((earlier, new.first_at), else_=table.c.first_at),
            "first_scan_id": case((earlier, new.first_scan_id), else_=table.c.first_scan_id),
        },
    )
    return merged


def _chunk_summed() -> Select[Any]:
    """The units' summaries of the scans with log ids from ``low`` until before ``high``."""
    unit = (scans.c.product_id, scans.c.serial)
    numbered = (
        select(
            *unit,
            scans.c.at,
            scans.c.id,
            func.count().over(partition_by=unit).label("scans"),
            func.row_number()
            .over(partition_by=unit, order_by=(scans.c.at, scans.c.id))
            .label("nth"),
        )
        .where(
            scans.c.id >= bindparam("low"),
            scans.c.id < bindparam("high"),
            scans.c.product_id.is_not(None),
            scans.c.serial.is_not(None),
            scans.c.verdict != UNCOUNTED,
        )
        .subquery("numbered")
    )
    return select(
        numbered.c.product_id, numbered.c.serial, numbered.c.scans, numbered.c.at, numbered.c.id
    ).where(numbered.c.nth == 1)


_SUMMARY = DriverStatement(
    select(
        unit_scan_summaries.c.scans,
        unit_scan_summaries.c.first_at,
        unit_scan_summaries.c.first_scan_id,
    ).where(
        unit_scan_summaries.c.product_id == bindparam("product_id"),
        unit_scan_summaries.c.serial == bindparam("serial"),
    )
)
_INSERTS: Final = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
_UPSERT: Final = {name: DriverStatement(_merging(insert)) for name, insert in _INSERTS.items()}
_SUM_CHUNK: Final = {name: _merging(insert, _chunk_summed()) for name, insert in _INSERTS.items()}
