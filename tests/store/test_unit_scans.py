"""Units' scan summaries against the scan log: whatever scans are logged (counterfeit ones
among them, times out of order as a scanner's upload brings them, some units of work rolled
back), a unit's summary says what the log says of it; and summed from a log filled around
them, the same; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from unitrace.places import Place
from unitrace.store.scans import ScanEntry
from unitrace.store.schema import scans, unit_scan_summaries
from unitrace.store.unit_of_work import Database
from unitrace.store.unit_scans import summarize_logged

AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
PLACES = (Place(3.139, 101.6869, "Kuala Lumpur", "MY-14", "MY"), Place(country="SG"))
UNITS = ((1, "S1"), (1, "S2"), (2, "S1"))

#: a scan: its unit (by index), its minutes after AT, its verdict
scans_of = st.tuples(
    st.sampled_from(range(len(UNITS))),
    st.integers(0, 5),
    st.sampled_from(("genuine", "suspicious", "counterfeit")),
)
#: units of work: their scans, and whether they commit
units_of_work = st.lists(st.tuples(st.lists(scans_of, max_size=4), st.booleans()), max_size=5)


def logged(database: Database) -> list[tuple[object, ...]]:
    """What each unit's summary says, and what the log says, as the verifications read them."""
    with database.unit_of_work() as uow:
        return [
            (
                uow.scans.summary_of_unit(*unit),
                uow.scans.first_of_unit(*unit, excluding="counterfeit"),
            )
            for unit in UNITS
        ]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(units_of_work)
def test_a_units_summary_says_what_its_log_says(
    database: Database, works: list[tuple[list[tuple[int, int, str]], bool]]
) -> None:
    with database.engine.begin() as connection:
        connection.execute(delete(scans))
        connection.execute(delete(unit_scan_summaries))
    for work, commits in works:
        with database.unit_of_work() as uow:
            for n, (unit, minutes, verdict) in enumerate(work):
                product_id, serial = UNITS[unit]
                uow.scans.add(
                    ScanEntry(
                        AT + dt.timedelta(minutes=minutes),
                        "raw",
                        verdict,
                        (),
                        True,
                        PLACES[n % 2],
                        product_id=product_id,
                        serial=serial,
                        client=f"c{n}",
                    )
                )
                # read inside the unit of work, its own scans not yet written to the summary
                summary = uow.scans.summary_of_unit(product_id, serial)
                assert summary == uow.scans.first_of_unit(
                    product_id, serial, excluding="counterfeit"
                )
            if commits:
                uow.commit()
    for summary, from_the_log in logged(database):
        assert summary == from_the_log
    kept = _summaries(database)
    with database.engine.begin() as connection:
        connection.execute(delete(unit_scan_summaries))
        summarize_logged(connection, chunk=3)
    assert _summaries(database) == kept


def _summaries(database: Database) -> list[tuple[object, ...]]:
    with database.engine.connect() as connection:
        table = unit_scan_summaries
        return [
            tuple(row)
            for row in connection.execute(
                select(table).order_by(table.c.product_id, table.c.serial)
            )
        ]


def _entry(minutes: int, serial: str = "S1") -> ScanEntry:
    return ScanEntry(
        AT + dt.timedelta(minutes=minutes),
        "raw",
        "genuine",
        (),
        True,
        PLACES[0],
        product_id=1,
        serial=serial,
    )


def test_a_scan_a_savepoint_undid_is_not_summed(database: Database) -> None:
    """A scan logged inside a savepoint that is rolled back is no longer in the log: its unit's
    summary counts it neither inside the unit of work nor once it commits (nor names it the
    first, a row the log no longer has)."""
    with database.unit_of_work() as uow:
        uow.scans.add(_entry(5))
        undone = uow.connection.begin_nested()
        uow.scans.add(_entry(0))
        uow.scans.add(_entry(1, "S2"))
        undone.rollback()
        with uow.connection.begin_nested():
            # kept: a savepoint released
            uow.scans.add(_entry(7))
        for unit in UNITS:
            assert uow.scans.summary_of_unit(*unit) == uow.scans.first_of_unit(
                *unit, excluding="counterfeit"
            )
        uow.commit()
    for summary, from_the_log in logged(database):
        assert summary == from_the_log


def test_a_savepoint_rolled_back_undoes_the_savepoints_released_inside_it(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        outer = uow.connection.begin_nested()
        with uow.connection.begin_nested():
            uow.scans.add(_entry(0))
        outer.rollback()
        uow.scans.add(_entry(3))
        uow.commit()
    for summary, from_the_log in logged(database):
        assert summary == from_the_log
