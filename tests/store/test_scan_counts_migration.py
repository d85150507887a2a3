"""Migrations 0015, 0017 and 0020 and the scan counts' periods: the count tables as the schema
has them, the scans logged before them counted (each unit's custodian as it is now, its first
scan the earliest not answered counterfeit), a downgrade dropping them again; the writer's
column and the closed months added to the counts of 0015 and taken away again; the queue of
scans to count, whose scans a downgrade counts before dropping it; and a period cut into
month and day rows that add up to exactly its days. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, Table, inspect, select, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.sql.expression import TableClause

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.store.scan_counts import DAY, MONTH, Span, spans
from unitrace.store.schema import (
    metadata,
    scan_count_months,
    scan_count_queue,
    scan_counts,
    scan_counts_by_lot_area,
    scans,
)
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture

AT = dt.datetime(2026, 10, 30, 23, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_the_migrated_count_tables_match_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "scan_count" in repr(d) or "ix_scans_at" in repr(d)] == []


def as_at_0015(table: Table) -> TableClause:
    """A count table as revision 0015 made it: its key without the writer."""
    return sa_table(
        table.name, *(sa_column(c.name, c.type) for c in table.columns if c.name != "writer")
    )


def test_scans_logged_before_are_counted_and_a_downgrade_drops_the_counts(
    blank_engine: Engine,
) -> None:
    migrate(blank_engine, "0014")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO products (id, gtin, name, serial_length, serial_alphabet, "
                "target_markets, issued, created_at) "
                "VALUES (7, '09506000134352', 'Vitamin C', 12, 'ABC', '[]', 2, :at)"
            ),
            {"at": AT},
        )
        connection.execute(
            text(
                "INSERT INTO lots (id, product_id, lot, expiry, status, issued, created_at) "
                "VALUES (3, 7, 'L1', '2030-12-31', 'active', 2, :at)"
            ),
            {"at": AT},
        )
        connection.execute(
            text(
                "INSERT INTO units (product_id, serial, lot_id, seq, request_id, state, "
                "custodian_id) VALUES (7, 'S1', 3, 1, 1, 'active', 'dist-a'), "
                "(7, 'S2', 3, 2, 1, 'active', NULL)"
            )
        )
        # S1: a wrong lot first (counterfeit), then twice genuine, across midnight and the
        # month's end; S2 once in SG; a serial never issued; a malformed code
        for n, (serial, lot, verdict, known, country, region) in enumerate(
            [
                ("S1", "L9", "counterfeit", True, "MY", "MY-14"),
                ("S1", "L1", "genuine", True, "MY", "MY-14"),
                ("S2", None, "genuine", True, "SG", None),
                ("S1", "L1", "suspicious", True, None, None),
                ("NOPE", "L1", "counterfeit", False, "MY", "MY-10"),
                (None, None, "counterfeit", False, None, None),
            ]
        ):
            connection.execute(
                scans.insert(),
                {
                    "at": AT + n * HOUR,
                    "raw": "x",
                    "reasons": [],
                    "product_id": 7 if serial else None,
                    "serial": serial,
                    "lot": lot,
                    "verdict": verdict,
                    "known": known,
                    "country": country,
                    "region": region,
                },
            )
    migrate(blank_engine, "0015")
    totals_at_0015 = as_at_0015(scan_counts)
    finest_at_0015 = as_at_0015(scan_counts_by_lot_area)
    with blank_engine.connect() as connection:
        totals = connection.execute(select(totals_at_0015).order_by(*totals_at_0015.c[:-2])).all()
        finest = connection.execute(
            select(finest_at_0015)
            .where(finest_at_0015.c.grain == DAY)
            .order_by(*finest_at_0015.c[:-2])
        ).all()
    oct30, oct31 = dt.date(2026, 10, 30), dt.date(2026, 10, 31)
    oct1 = dt.date(2026, 10, 1)
    assert [tuple(row) for row in totals] == [
        (DAY, oct30, "dist-a", "counterfeit", 1, 0),
        (DAY, oct31, "", "counterfeit", 2, 0),
        (DAY, oct31, "", "genuine", 1, 1),
        (DAY, oct31, "dist-a", "genuine", 1, 1),
        (DAY, oct31, "dist-a", "suspicious", 1, 0),
        (MONTH, oct1, "", "counterfeit", 2, 0),
        (MONTH, oct1, "", "genuine", 1, 1),
        (MONTH, oct1, "dist-a", "counterfeit", 1, 0),
        (MONTH, oct1, "dist-a", "genuine", 1, 1),
        (MONTH, oct1, "dist-a", "suspicious", 1, 0),
    ]
    # the unit's own lot, whatever the code said; codes naming no unit keep theirs
    assert [tuple(row) for row in finest] == [
        (0, DAY, oct31, "", "", "", "", "counterfeit", 1, 0),
        (7, DAY, oct30, "L1", "dist-a", "MY", "MY-14", "counterfeit", 1, 0),
        (7, DAY, oct31, "L1", "", "MY", "MY-10", "counterfeit", 1, 0),
        (7, DAY, oct31, "L1", "", "SG", "", "genuine", 1, 1),
        (7, DAY, oct31, "L1", "dist-a", "", "", "suspicious", 1, 0),
        (7, DAY, oct31, "L1", "dist-a", "MY", "MY-14", "genuine", 1, 1),
    ]
    migrate(blank_engine, "0014", down=True)
    names = inspect(blank_engine).get_table_names()
    assert [name for name in names if name.startswith("scan_counts")] == []
    assert "ix_scans_at" not in {i["name"] for i in inspect(blank_engine).get_indexes("scans")}


def test_the_writers_column_and_the_closed_months_are_added_and_taken_away(
    blank_engine: Engine,
) -> None:
    """At 0017 the rows counted so far are writer 0's; the months before this one are
    closed, this month's month rows dropped (its day rows answer for it). Downgraded, the
    writers' rows are one row again and every month has its month rows."""
    migrate(blank_engine, "0016")
    this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
    before = (this_month - dt.timedelta(days=1)).replace(day=1)
    rows = [
        (DAY, before + dt.timedelta(days=3), "", "genuine", 4, 2),
        (MONTH, before, "", "genuine", 4, 2),
        (DAY, this_month, "dist-a", "genuine", 3, 1),
        (MONTH, this_month, "dist-a", "genuine", 3, 1),
    ]
    insert = text(
        "INSERT INTO scan_counts (grain, day, custodian, verdict, scans, first_scans) "
        "VALUES (:grain, :day, :custodian, :verdict, :scans, :first_scans)"
    )
    names = ("grain", "day", "custodian", "verdict", "scans", "first_scans")
    with blank_engine.begin() as connection:
        connection.execute(insert, [dict(zip(names, row, strict=True)) for row in rows])
    migrate(blank_engine, "0017")
    with blank_engine.connect() as connection:
        kept = connection.execute(
            select(scan_counts).order_by(*scan_counts.primary_key.columns)
        ).all()
        closed = connection.execute(select(scan_count_months.c.month)).scalars().all()
    assert [tuple(row) for row in kept] == [
        (DAY, before + dt.timedelta(days=3), "", "genuine", 0, 4, 2),
        (DAY, this_month, "dist-a", "genuine", 0, 3, 1),
        (MONTH, before, "", "genuine", 0, 4, 2),
    ]
    assert closed == [before]
    # a second writer's row of the same key, then back to one row per key
    with blank_engine.begin() as connection:
        connection.execute(
            scan_counts.insert(),
            {
                "grain": DAY,
                "day": this_month,
                "custodian": "dist-a",
                "verdict": "genuine",
                "writer": 1,
                "scans": 2,
                "first_scans": 0,
            },
        )
    migrate(blank_engine, "0016", down=True)
    with blank_engine.connect() as connection:
        again = connection.execute(text("SELECT * FROM scan_counts ORDER BY 1, 2, 3, 4")).all()
    assert [(row[0], str(row[1]), *row[2:]) for row in again] == [
        (DAY, str(before + dt.timedelta(days=3)), "", "genuine", 4, 2),
        (DAY, str(this_month), "dist-a", "genuine", 5, 1),
        (MONTH, str(before), "", "genuine", 4, 2),
        (MONTH, str(this_month), "dist-a", "genuine", 5, 1),
    ]
    assert "scan_count_months" not in inspect(blank_engine).get_table_names()


def test_a_downgrade_from_0020_counts_the_queued_scans_before_dropping_the_queue(
    blank_engine: Engine,
) -> None:
    """The queued scans go to writer 0's day rows, added to those there; a closed month's to
    its month rows too; an open month's to its day rows alone."""
    migrate(blank_engine, "0020")
    october, november = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    with blank_engine.begin() as connection:
        connection.execute(
            scan_count_months.insert(), {"month": october, "closed_at": AT + 2 * HOUR}
        )
        counted = {"grain": DAY, "day": AT.date(), "custodian": "", "verdict": "genuine"}
        connection.execute(
            scan_counts.insert(), {**counted, "writer": 0, "scans": 5, "first_scans": 2}
        )
        connection.execute(
            scan_counts.insert(),
            {**counted, "grain": MONTH, "day": october, "writer": 0, "scans": 5, "first_scans": 2},
        )
        queued = {"verdict": "genuine", "product_id": 7, "lot": "L1", "country": "MY"}
        connection.execute(
            scan_count_queue.insert(),
            [
                {**queued, "day": AT.date(), "custodian": "", "region": "", "first_scan": 1},
                {**queued, "day": AT.date(), "custodian": "", "region": "", "first_scan": 0},
                {**queued, "day": november, "custodian": "d", "region": "MY-14", "first_scan": 1},
            ],
        )
    migrate(blank_engine, "0019", down=True)
    assert "scan_count_queue" not in inspect(blank_engine).get_table_names()
    with blank_engine.connect() as connection:
        kept = connection.execute(
            text(
                "SELECT grain, day, custodian, verdict, writer, scans, first_scans "
                "FROM scan_counts ORDER BY 1, 2, 3"
            )
        ).all()
        by_place = connection.execute(
            text(
                "SELECT grain, day, lot, custodian, region, scans, first_scans "
                "FROM scan_counts_by_lot_area ORDER BY 1, 2, 4"
            )
        ).all()
    assert [(row[0], str(row[1]), *row[2:]) for row in kept] == [
        (DAY, str(AT.date()), "", "genuine", 0, 7, 3),
        (DAY, str(november), "d", "genuine", 0, 1, 1),
        (MONTH, str(october), "", "genuine", 0, 7, 3),
    ]
    assert [(row[0], str(row[1]), *row[2:]) for row in by_place] == [
        (DAY, str(AT.date()), "L1", "", "", 2, 1),
        (DAY, str(november), "L1", "d", "MY-14", 1, 1),
        (MONTH, str(october), "L1", "", "", 2, 1),
    ]
    migrate(blank_engine, "0020")
    with blank_engine.connect() as connection:
        assert connection.execute(select(scan_count_queue)).all() == []


@given(
    first=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    length=st.integers(1, 366),
    closed=st.sets(
        st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)).map(lambda day: day.replace(day=1))
    ),
)
def test_a_periods_rows_add_up_to_exactly_its_days(
    first: dt.date, length: int, closed: set[dt.date]
) -> None:
    """Month rows for the closed months wholly inside the period, day rows for every other
    day; each day once."""
    last = first + dt.timedelta(days=length - 1)
    covered: list[dt.date] = []
    for span in spans(first, last, closed):
        day = span.first
        while day <= span.last:
            if span.grain == MONTH:
                assert day.day == 1
                assert day in closed
                month = day
                while month.month == day.month:
                    covered.append(month)
                    month += dt.timedelta(days=1)
                day = month
            else:
                covered.append(day)
                day += dt.timedelta(days=1)
    assert covered == [first + dt.timedelta(days=n) for n in range(length)]
    # where every month is closed, a year is at most 12 months and the days around them
    every = {first.replace(day=1) + dt.timedelta(days=31 * n) for n in range(14)}
    assert len(spans(first, last, {month.replace(day=1) for month in every})) <= 3


def test_a_period_at_the_end_of_the_calendar_is_cut_as_any_other() -> None:
    december = dt.date(9999, 12, 1)
    assert spans(dt.date(9999, 11, 20), dt.date(9999, 12, 31), {december}) == [
        Span(DAY, dt.date(9999, 11, 20), dt.date(9999, 11, 30)),
        Span(MONTH, december, december),
    ]
