"""The scan counts' writers, queue and months: each process's counting thread counts in rows of
its own and the figures sum them; the service counts the queued scans on a thread of its own;
a month is closed an hour after its end, its month rows the sum of its days; a month closed
while scans of it are still queued is read right, and counting them waits for a closing under
way and adds them to the month rows it made; the service closes ended months on a thread of
its own. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.services.issued_units import GTIN, serial_of
from tests.services.test_scan_figures import code, count_queued, scan, world
from unitrace.services import scan_counting
from unitrace.services.scan_count_closing import MonthClosing
from unitrace.services.scan_counting import ScanCounting, counting_writer
from unitrace.services.scan_figures import FigureFilter, scans_by_custodian, scans_per_day
from unitrace.store.scan_count_months import close_months, months_to_close
from unitrace.store.scan_counts import COUNTING_WRITER, DAY, MONTH
from unitrace.store.schema import (
    scan_count_months,
    scan_count_queue,
    scan_counts,
    scan_counts_by_lot_area,
)
from unitrace.store.unit_of_work import Database, UnitOfWork

__all__ = ["world"]  # fixture

JAN31 = dt.datetime(2026, 1, 31, 23, 0, tzinfo=dt.UTC)
FEB1 = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def unit(n: int) -> str:
    return code(GTIN.value, "L1", serial_of(GTIN, n))


def rows(database: Database, grain: str) -> list[tuple[object, ...]]:
    """scan_counts' rows of ``grain``: (day, custodian, verdict, writer, scans, first scans)."""
    with database.unit_of_work(read_only=True) as uow:
        found = uow.connection.execute(
            select(
                scan_counts.c.day,
                scan_counts.c.custodian,
                scan_counts.c.verdict,
                scan_counts.c.writer,
                scan_counts.c.scans,
                scan_counts.c.first_scans,
            )
            .where(scan_counts.c.grain == grain)
            .order_by(*scan_counts.primary_key.columns)
        ).all()
    return [tuple(row) for row in found]


def test_each_writer_counts_in_rows_of_its_own_and_the_figures_sum_them(
    world: Database,
) -> None:
    def count_as(writer: int, scans: int) -> None:
        COUNTING_WRITER.set(writer)
        with world.unit_of_work() as uow:
            assert uow.scan_counts.count_queued(limit=scans) == scans
            uow.commit()

    for n in (1, 2, 3):
        scan(world, unit(n), JAN31, region="MY-14")
    for writer, scans in ((0, 1), (1, 2)):
        thread = threading.Thread(target=count_as, args=(writer, scans))
        thread.start()
        thread.join()
    assert rows(world, DAY) == [
        (JAN31.date(), "dist-a", "genuine", 0, 1, 1),
        (JAN31.date(), "dist-a", "genuine", 1, 2, 2),
    ]
    with world.unit_of_work(read_only=True) as uow:
        found = scans_by_custodian(uow, FigureFilter(last_day=JAN31.date()))
    assert [(c.custodian, c.scans, c.first_scans) for c in found] == [("dist-a", 3, 3)]


def test_a_month_is_closed_an_hour_after_its_end_its_month_rows_the_sum_of_its_days(
    world: Database,
) -> None:
    for n, at in enumerate((JAN31 - dt.timedelta(days=3), JAN31, JAN31, FEB1), start=1):
        scan(world, unit(n), at, region="MY-14")
    count_queued(world)
    with world.unit_of_work() as uow:
        assert close_months(uow.connection, now=FEB1 + dt.timedelta(minutes=59)) == []
        assert close_months(uow.connection, now=FEB1 + dt.timedelta(hours=1)) == [
            dt.date(2026, 1, 1)
        ]
        assert close_months(uow.connection, now=FEB1 + dt.timedelta(hours=2)) == []
        uow.commit()
    assert rows(world, MONTH) == [(dt.date(2026, 1, 1), "dist-a", "genuine", 0, 3, 3)]
    with world.unit_of_work(read_only=True) as uow:
        january = FigureFilter(first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 1, 31))
        assert [(c.custodian, c.scans) for c in scans_by_custodian(uow, january)] == [("dist-a", 3)]
        daily = scans_per_day(uow, january)
    assert daily.totals.genuine == 3
    assert [(d.day.day, d.scans.total) for d in daily.days if d.scans.total] == [(28, 1), (31, 2)]


def test_a_month_closed_with_scans_of_it_queued_is_read_right_and_they_count_in_it_after(
    world: Database,
) -> None:
    scan(world, unit(1), JAN31, region="MY-14")
    count_queued(world)
    scan(world, unit(2), JAN31, country="MY")
    with world.unit_of_work() as uow:
        assert close_months(uow.connection) == [dt.date(2026, 1, 1)]
        uow.commit()
    # January is read from its month rows (one scan) and the queue (the other)
    january = FigureFilter(first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 1, 31))
    with world.unit_of_work(read_only=True) as uow:
        assert [(c.custodian, c.scans) for c in scans_by_custodian(uow, january)] == [("dist-a", 2)]
    assert rows(world, MONTH) == [(dt.date(2026, 1, 1), "dist-a", "genuine", 0, 1, 1)]
    assert count_queued(world) == 1
    assert rows(world, MONTH) == [(dt.date(2026, 1, 1), "dist-a", "genuine", 0, 2, 2)]
    with world.unit_of_work(read_only=True) as uow:
        assert [(c.custodian, c.scans) for c in scans_by_custodian(uow, january)] == [("dist-a", 2)]


def test_counting_a_scan_of_a_month_being_closed_waits_and_counts_in_its_month_rows(
    world: Database,
) -> None:
    scan(world, unit(1), JAN31, region="MY-14")
    count_queued(world)
    scan(world, unit(2), JAN31, country="MY")
    closing = world.unit_of_work()
    closing.__enter__()
    try:
        assert close_months(closing.connection) == [dt.date(2026, 1, 1)]
        late = threading.Thread(target=count_queued, args=(world,))
        late.start()
        time.sleep(0.5)
        # the counting waits for the closing (its month's lock, or the database's write lock)
        assert late.is_alive()
        closing.commit()
    finally:
        closing.__exit__(None, None, None)
    late.join(10)
    assert not late.is_alive()
    for table in (scan_counts, scan_counts_by_lot_area):
        with world.unit_of_work(read_only=True) as uow:
            summed = {
                grain: uow.connection.execute(
                    select(func.sum(table.c.scans)).where(table.c.grain == grain)
                ).scalar_one()
                for grain in (DAY, MONTH)
            }
        assert summed == {DAY: 2, MONTH: 2}


def test_the_service_counts_the_queued_scans_on_a_thread_of_its_own(world: Database) -> None:
    for n in (1, 2, 3):
        scan(world, unit(n), JAN31, region="MY-14")
    counting = ScanCounting(world, interval=0.05, chunk=2)
    counting.start()
    deadline = time.monotonic() + 10
    queued = 3
    while queued and time.monotonic() < deadline:
        time.sleep(0.05)
        with world.unit_of_work(read_only=True) as uow:
            queued = uow.connection.execute(
                select(func.count()).select_from(scan_count_queue)
            ).scalar_one()
    # a scan made while it stops is counted before it ends
    scan(world, unit(4), JAN31, region="MY-14")
    counting.stop(wait=5)
    assert queued == 0
    writer = counting_writer(world.dialect)
    assert rows(world, DAY) == [(JAN31.date(), "dist-a", "genuine", writer, 4, 4)]


def test_an_empty_queue_is_looked_at_without_taking_the_write_lock(
    world: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[bool] = []
    real = world.unit_of_work

    def recorded(*, read_only: bool = False, **rest: Any) -> UnitOfWork:
        opened.append(read_only)
        return real(read_only=read_only, **rest)

    monkeypatch.setattr(world, "unit_of_work", recorded)
    counting = ScanCounting(world, chunk=2)
    assert counting.count_queued() == 0
    assert opened == [True]
    for n in (1, 2, 3):
        scan(world, unit(n), JAN31, region="MY-14")
    opened.clear()
    assert counting.count_queued() == 3
    # a look, a count of two, a look, a count of the last one
    assert opened == [True, False, True, False]


def test_the_service_closes_ended_months_on_a_thread_of_its_own(world: Database) -> None:
    scan(world, unit(1), JAN31, region="MY-14")
    count_queued(world)
    closing = MonthClosing(world, interval=3600)
    closing.start()
    deadline = time.monotonic() + 10
    closed: list[dt.date] = []
    while not closed and time.monotonic() < deadline:
        time.sleep(0.05)
        with world.unit_of_work(read_only=True) as uow:
            closed = list(uow.connection.execute(select(scan_count_months.c.month)).scalars())
    closing.stop(wait=5)
    assert closed == [dt.date(2026, 1, 1)]
    assert rows(world, MONTH) == [(dt.date(2026, 1, 1), "dist-a", "genuine", 0, 1, 1)]


def test_a_month_that_gets_its_first_scan_after_a_later_month_closed_stays_open(
    world: Database,
) -> None:
    """Only months after the latest closed are looked for; an earlier month scanned late is
    read from its day rows, as every open month is."""
    scan(world, unit(1), FEB1, region="MY-14")
    count_queued(world)
    with world.unit_of_work() as uow:
        assert close_months(uow.connection) == [dt.date(2026, 2, 1)]
        uow.commit()
    scan(world, unit(2), JAN31, region="MY-14")
    count_queued(world)
    with world.unit_of_work() as uow:
        assert months_to_close(uow.connection) == []
        assert close_months(uow.connection) == []
        january = FigureFilter(first_day=dt.date(2026, 1, 1), last_day=dt.date(2026, 2, 28))
        assert scans_per_day(uow, january).totals.total == 2


@pytest.mark.parametrize(
    ("dialect", "pid", "expected"),
    [
        ("sqlite", 4242, 1),
        ("postgresql", 63, 1),
        ("postgresql", 64, 2),
        ("postgresql", 125, 63),
        ("postgresql", 126, 1),
    ],
)
def test_counting_threads_count_from_1_in_a_slot_of_their_process(
    dialect: str, pid: int, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_counting.os, "getpid", lambda: pid)
    assert counting_writer(dialect) == expected
