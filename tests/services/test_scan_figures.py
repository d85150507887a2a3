"""The console's scan figures, read from the counts kept as scans are logged: compared with a
count of the scan log itself for random scans through the real verification and random
filters, some of the scans counted and the rest still queued; scans of every path counted once
(intake batches, a batch rolled back and retried scan by scan, refused scans not at all); bad
filters refused. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update

from tests.services.issued_units import ADMIN, GTIN, OTHER_GTIN, build_registry, issue, serial_of
from unitrace.registry.errors import InvalidRequest
from unitrace.services import scan_intake
from unitrace.services.catalog import register_lot
from unitrace.services.scan_counting import ScanCounting
from unitrace.services.scan_figures import (
    BRAND,
    AlertCount,
    AreaCount,
    FigureFilter,
    latest_points,
    map_figures,
    open_alerts_by_type,
    overview,
    scans_by_area,
    scans_by_custodian,
    scans_per_day,
    top_lots,
    top_products,
)
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.verification import ScanRequest, Verdict, VerificationResult, verify
from unitrace.store import schema
from unitrace.store.scan_count_months import close_months
from unitrace.store.scan_counts import KEYS, TABLES
from unitrace.store.scan_recount import recount
from unitrace.store.unit_of_work import Database, UnitOfWork

queue = schema.scan_count_queue
T0 = dt.datetime(2026, 2, 20, 9, 0, tzinfo=dt.UTC)
DAY0 = T0.date()
UNKNOWN_GTIN = "04000000000006"
VERDICTS = [v.value for v in Verdict]


def code(gtin: str, lot: str, serial: str) -> str:
    return f"https://brand.example/01/{gtin}/10/{lot}/21/{serial}"


#: what the random scans scan: units of both products and lots, a wrong lot, a serial never
#: issued, a product not ours, a malformed code
CODES = [
    *(code(GTIN.value, "L1", serial_of(GTIN, n)) for n in (1, 2, 5, 6, 10)),
    *(code(GTIN.value, "L2", f"T{n:05d}") for n in (1, 4)),
    *(code(OTHER_GTIN.value, "L1", serial_of(OTHER_GTIN, n)) for n in (1, 5)),
    code(GTIN.value, "L2", serial_of(GTIN, 1)),
    code(GTIN.value, "L1", "NEVER1"),
    code(UNKNOWN_GTIN, "X9", "ABC"),
    "not a code",
]
#: where: nowhere known, a country, two regions, coordinates in Kuala Lumpur
PLACES: list[dict[str, Any]] = [
    {},
    {"country": "SG"},
    {"region": "MY-14"},
    {"region": "MY-10", "city": "Shah Alam"},
    {"latitude": 3.139, "longitude": 101.6869},
]


@pytest.fixture
def world(database: Database) -> Database:
    """Vitamin C lots L1 (units 1-4 at dist-a, 5-8 at dist-b, 9-12 the brand's) and L2 (1-3
    at dist-a, 4-6 the brand's); Zinc lot L1 (1-3 at pharmacy-1, 4-6 the brand's); every unit
    active."""
    build_registry(database)
    with database.unit_of_work() as uow:
        register_lot(uow, gtin=GTIN.value, lot="L2", expiry=dt.date(2030, 12, 31), actor=ADMIN)
        issue(uow, GTIN, "L1", 12)
        issue(uow, GTIN, "L2", 6, [f"T{n:05d}" for n in range(1, 7)])
        issue(uow, OTHER_GTIN, "L1", 6)
        units = schema.units
        uow.connection.execute(update(units).values(state="active"))
        for serials, party in (
            ([serial_of(GTIN, n) for n in range(1, 5)], "dist-a"),
            ([serial_of(GTIN, n) for n in range(5, 9)], "dist-b"),
            (["T00001", "T00002", "T00003"], "dist-a"),
            ([serial_of(OTHER_GTIN, n) for n in range(1, 4)], "pharmacy-1"),
        ):
            uow.connection.execute(
                update(units).where(units.c.serial.in_(serials)).values(custodian_id=party)
            )
        uow.commit()
    return database


def scan(
    database: Database, raw: str, at: dt.datetime, client: str = "phone", **place: Any
) -> None:
    with database.unit_of_work() as uow:
        verify(uow, ScanRequest(raw, client=client, at=at, **place))
        uow.commit()


def count_queued(database: Database, chunk: int = 1000) -> int:
    """Count the scans queued, as the service's counting thread does; how many."""
    return ScanCounting(database, chunk=chunk).count_queued()


# --- the scan log, counted by brute force ------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    day: dt.date
    verdict: str
    gtin: str | None
    lot: str
    custodian: str | None
    country: str | None
    region: str | None
    first: bool


def logged(database: Database) -> list[Logged]:
    """Every logged scan with its unit's lot and custodian; its first: its unit's earliest
    scan not answered counterfeit."""
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            text(
                "SELECT s.id, s.at, s.verdict, s.product_id, s.serial, p.gtin, "
                "coalesce(l.lot, s.lot, '') AS lot, u.custodian_id, u.serial AS unit, "
                "s.country, s.region FROM scans s "
                "LEFT JOIN units u ON s.known AND u.product_id = s.product_id "
                "AND u.serial = s.serial LEFT JOIN lots l ON l.id = u.lot_id "
                "LEFT JOIN products p ON p.id = s.product_id ORDER BY s.at, s.id"
            )
        ).all()
    seen: set[tuple[int, str]] = set()
    found = []
    for row in rows:
        at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(row.at)
        first = False
        if row.unit is not None and row.verdict != "counterfeit":
            first = (row.product_id, row.serial) not in seen
            seen.add((row.product_id, row.serial))
        found.append(
            Logged(
                at.date() if at.tzinfo is None else at.astimezone(dt.UTC).date(),
                row.verdict,
                row.gtin,
                row.lot,
                row.custodian_id,
                row.country,
                row.region,
                first,
            )
        )
    return found


def chosen(
    scans: list[Logged], figures: FigureFilter, first: dt.date, last: dt.date
) -> list[Logged]:
    custodian = "" if figures.custodian is BRAND else figures.custodian
    return [
        s
        for s in scans
        if first <= s.day <= last
        and (figures.gtin is None or s.gtin == figures.gtin)
        and (figures.lot is None or s.lot == figures.lot)
        and (figures.verdict is None or s.verdict == figures.verdict)
        and (custodian is None or (s.custodian or "") == custodian)
        and (figures.party is None or s.custodian == figures.party)
    ]


def count_tables(uow: UnitOfWork) -> list[list[tuple[Any, ...]]]:
    """Every count table's rows, the writers' rows of a key summed."""
    found = []
    for table in TABLES:
        summed: Counter[tuple[Any, ...]] = Counter()
        firsts: Counter[tuple[Any, ...]] = Counter()
        for row in uow.connection.execute(select(table)).mappings():
            key = tuple(row[name] for name in KEYS[table])
            summed[key] += row["scans"]
            firsts[key] += row["first_scans"]
        found.append(sorted((*key, summed[key], firsts[key]) for key in summed))
    return found


def assert_counts_are_the_logs(database: Database) -> None:
    """The counts kept scan by scan, the queued scans counted and the ended months closed,
    are those counted afresh from the log."""
    count_queued(database)
    with database.unit_of_work() as uow:
        close_months(uow.connection)
        kept = count_tables(uow)
        closed = uow.scan_counts.closed_months()
        uow.commit()
    with database.unit_of_work() as uow:
        recount(uow.connection)
        assert count_tables(uow) == kept
        assert uow.scan_counts.closed_months() == closed


def assert_figures_are_the_logs(
    database: Database, figures: FigureFilter, scans: list[Logged]
) -> None:
    last = figures.last_day or DAY0
    first = figures.first_day or last - dt.timedelta(days=29)
    picked = chosen(scans, figures, first, last)
    with database.unit_of_work(read_only=True) as uow:
        daily = scans_per_day(uow, figures)
        products = top_products(uow, figures, limit=100)
        lots = top_lots(uow, figures, limit=100)
        areas = scans_by_area(uow, figures)
        custodians = scans_by_custodian(uow, figures)
    by_day = Counter((s.day, s.verdict) for s in picked)
    assert [(d.day, d.scans.total) for d in daily.days] == [
        (
            first + dt.timedelta(days=n),
            sum(by_day[first + dt.timedelta(days=n), v] for v in VERDICTS),
        )
        for n in range((last - first).days + 1)
    ]
    assert [[getattr(d.scans, v) for v in VERDICTS] for d in daily.days] == [
        [by_day[d.day, v] for v in VERDICTS] for d in daily.days
    ]
    assert daily.totals.total == len(picked)
    assert daily.totals.counterfeit == sum(s.verdict == "counterfeit" for s in picked)

    def ranked(keys: list[Any], firsts: list[Any]) -> list[tuple[Any, int, int]]:
        tally, first_tally = Counter(keys), Counter(firsts)
        found = [(k, n, first_tally[k]) for k, n in tally.items()]
        return sorted(
            found,
            key=lambda f: (
                -f[1],
                *(x or "~" for x in (f[0] if isinstance(f[0], tuple) else (f[0],))),
            ),
        )

    ours = [s for s in picked if s.gtin is not None]
    assert [(p.gtin, p.scans, p.first_scans) for p in products] == ranked(
        [s.gtin for s in ours], [s.gtin for s in ours if s.first]
    )
    with_lot = [s for s in ours if s.lot]
    assert [((lot.gtin, lot.lot), lot.scans, lot.first_scans) for lot in lots] == ranked(
        [(s.gtin, s.lot) for s in with_lot], [(s.gtin, s.lot) for s in with_lot if s.first]
    )
    assert [(a.area, a.scans, a.first_scans) for a in areas.countries] == ranked(
        [s.country for s in picked], [s.country for s in picked if s.first]
    )
    assert [(a.area, a.scans, a.first_scans) for a in areas.regions] == ranked(
        [s.region or s.country for s in picked],
        [s.region or s.country for s in picked if s.first],
    )
    by_custodian: dict[str | None, list[int]] = {}
    for s in picked:
        counted = by_custodian.setdefault(s.custodian, [0, 0, 0, 0])
        counted[0] += 1
        counted[1] += s.verdict == "suspicious"
        counted[2] += s.verdict == "counterfeit"
        counted[3] += s.first
    assert [
        (c.custodian, c.scans, c.suspicious, c.counterfeit, c.first_scans) for c in custodians
    ] == sorted(((k, *v) for k, v in by_custodian.items()), key=lambda c: (-c[1], c[0] or ""))


FILTERS = st.builds(
    FigureFilter,
    first_day=st.sampled_from(
        [None, DAY0, DAY0 + dt.timedelta(days=9), DAY0 - dt.timedelta(days=40)]
    ),
    last_day=st.sampled_from([DAY0 + dt.timedelta(days=n) for n in (0, 8, 40, 120)]),
    gtin=st.sampled_from([None, GTIN.value, OTHER_GTIN.value, UNKNOWN_GTIN]),
    lot=st.sampled_from([None, "L1", "L2", "X9"]),
    verdict=st.sampled_from([None, "genuine", "suspicious", "counterfeit"]),
    custodian=st.sampled_from([None, BRAND, "dist-a", "dist-b", "pharmacy-1"]),
    party=st.sampled_from([None, None, "dist-a", "pharmacy-1"]),
)
SCANS = st.lists(
    st.tuples(
        st.sampled_from(range(len(CODES))),
        st.sampled_from(range(len(PLACES))),
        st.integers(0, 5 * 24 * 60),
        st.integers(0, 2),
        st.booleans(),
    ),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    scans=SCANS,
    filters=st.lists(FILTERS, min_size=1, max_size=4),
    closing=st.integers(0, 25),
)
def test_figures_are_the_scan_logs_counts(
    world: Database,
    scans: list[tuple[int, int, int, int, bool]],
    filters: list[FigureFilter],
    closing: int,
) -> None:
    """Scans over months (all ended, as a late upload of scans made offline), the queued ones
    counted after some of them, the months closed after ``closing`` of them (a closed month's
    later scans counted in its month rows too, an ended month's not yet closed in its day rows
    alone): the figures are the log's, whether they read day rows, month rows or the queue."""
    with world.unit_of_work() as uow:
        tables = (*TABLES, schema.scan_count_months, schema.scan_count_queue, schema.alerts)
        for table in (*tables, schema.scans):
            uow.connection.execute(table.delete())
        uow.commit()
    at = T0
    for n, (code_index, place_index, minutes, client, counted) in enumerate(scans):
        if n == closing:
            with world.unit_of_work() as uow:
                close_months(uow.connection)
                uow.commit()
        at += dt.timedelta(minutes=minutes)
        scan(world, CODES[code_index], at, f"phone-{client}", **PLACES[place_index])
        if counted:
            count_queued(world, chunk=3)
    log = logged(world)
    for closed in (False, True):
        if closed:
            assert_counts_are_the_logs(world)
        for figures in filters:
            if figures.first_day and figures.first_day > figures.last_day:  # type: ignore[operator]
                continue
            assert_figures_are_the_logs(world, figures, log)


def test_the_custodian_is_the_units_when_it_was_scanned(world: Database) -> None:
    unit = code(GTIN.value, "L1", serial_of(GTIN, 1))
    scan(world, unit, T0, region="MY-14")
    with world.unit_of_work() as uow:
        uow.connection.execute(
            update(schema.units)
            .where(schema.units.c.serial == serial_of(GTIN, 1))
            .values(custodian_id="dist-b")
        )
        uow.commit()
    scan(world, unit, T0 + dt.timedelta(hours=1), region="MY-14")
    with world.unit_of_work(read_only=True) as uow:
        found = scans_by_custodian(uow, FigureFilter(last_day=DAY0))
        assert [(c.custodian, c.name, c.scans, c.first_scans) for c in found] == [
            ("dist-a", "dist-a", 1, 1),
            ("dist-b", "dist-b", 1, 0),
        ]
        assert scans_per_day(uow, FigureFilter(last_day=DAY0, party="dist-b")).totals.total == 1


def test_a_unit_first_answered_counterfeit_has_its_first_scan_later(world: Database) -> None:
    scan(world, code(GTIN.value, "L2", serial_of(GTIN, 2)), T0)  # the wrong lot: counterfeit
    scan(world, code(GTIN.value, "L1", serial_of(GTIN, 2)), T0 + dt.timedelta(hours=1))
    scan(world, code(GTIN.value, "L1", serial_of(GTIN, 2)), T0 + dt.timedelta(hours=2))
    with world.unit_of_work(read_only=True) as uow:
        lots = top_lots(uow, FigureFilter(last_day=DAY0))
    # counted in the unit's own lot, whatever lot the code claimed
    assert [(lot.lot, lot.scans, lot.first_scans) for lot in lots] == [("L1", 3, 1)]
    assert_counts_are_the_logs(world)


# --- every path, counted once ------------------------------------------------------------------


@pytest.fixture
def gated(
    world: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ScanIntake, threading.Event]]:
    """An intake whose writer waits on its first scan (client "gate") until the event is set:
    what is submitted meanwhile is verified as one batch."""
    gate, at_gate = threading.Event(), threading.Event()
    real_verify = scan_intake.verify

    def gate_waits(uow: UnitOfWork, request: ScanRequest, **given: Any) -> VerificationResult:
        if request.client == "gate":
            at_gate.set()
            gate.wait(10)
        result = real_verify(uow, request, **given)
        if request.client == "fails":
            raise RuntimeError("disk on fire")
        return result

    monkeypatch.setattr(scan_intake, "verify", gate_waits)
    intake = ScanIntake(world, batch_limit=16)
    intake.submit(ScanRequest(code(GTIN.value, "L1", serial_of(GTIN, 12)), client="gate", at=T0))
    assert at_gate.wait(10)
    yield intake, gate
    gate.set()
    intake.close()


def test_a_batch_rolled_back_and_retried_scan_by_scan_is_counted_once(
    world: Database, gated: tuple[ScanIntake, threading.Event]
) -> None:
    intake, gate = gated
    answers = [
        intake.submit(
            ScanRequest(
                code(GTIN.value, "L1", serial_of(GTIN, n)), client=client, at=T0, region="MY-14"
            )
        )
        for n, client in ((1, "a"), (2, "fails"), (3, "b"), (1, "c"))
    ]
    refused = intake.submit(
        ScanRequest(code(GTIN.value, "L1", serial_of(GTIN, 4)), region="XX-99", at=T0)
    )
    gate.set()
    assert [a.exception() is None for a in answers] == [True, False, True, True]
    with pytest.raises(InvalidRequest):
        refused.result()
    intake.close()
    with world.unit_of_work(read_only=True) as uow:
        daily = scans_per_day(uow, FigureFilter(last_day=DAY0))
        custodians = scans_by_custodian(uow, FigureFilter(last_day=DAY0))
        logged_scans = uow.scans.count()
    # the gate's scan, then a, b and c: the failing scan and the refused one left nothing
    assert logged_scans == daily.totals.total == 4
    assert [(c.custodian, c.scans, c.first_scans) for c in custodians] == [
        ("dist-a", 3, 2),
        (None, 1, 1),
    ]
    assert_counts_are_the_logs(world)


def test_scans_counted_together_share_their_count_rows(world: Database) -> None:
    with world.unit_of_work() as uow:
        for n in range(1, 9):
            verify(
                uow, ScanRequest(code(GTIN.value, "L1", serial_of(GTIN, n)), at=T0, country="SG")
            )
        assert uow.scan_counts.queued == 8
        uow.commit()
    with world.unit_of_work() as uow:
        verify(uow, ScanRequest(code(GTIN.value, "L1", serial_of(GTIN, 9)), at=T0))
        # left without committing: nothing queued
    with world.unit_of_work(read_only=True) as uow:
        assert uow.connection.execute(select(func.count()).select_from(queue)).scalar() == 8
        assert scans_per_day(uow, FigureFilter(last_day=DAY0)).totals.suspicious == 8
        assert count_tables(uow) == [[], [], [], [], []]
    with world.unit_of_work() as uow:
        assert uow.scan_counts.count_queued() == 8
        # one row per custodian (a, b) and verdict, the same by lot, one by place, two by
        # custodian and place, two by lot, custodian and place
        assert [len(rows) for rows in count_tables(uow)] == [2, 2, 1, 2, 2]
        assert uow.connection.execute(select(func.count()).select_from(queue)).scalar() == 0
        uow.commit()
    with world.unit_of_work(read_only=True) as uow:
        assert scans_per_day(uow, FigureFilter(last_day=DAY0)).totals.suspicious == 8
    assert_counts_are_the_logs(world)


# --- the map's points, alerts, and what a filter may be -----------------------------------------


def test_the_latest_points_are_the_newest_scans_with_coordinates(world: Database) -> None:
    kl = {"latitude": 3.139, "longitude": 101.6869}
    for n, place in enumerate([kl, {"country": "SG"}, kl, kl]):
        scan(
            world,
            code(GTIN.value, "L1", serial_of(GTIN, n + 1)),
            T0 + n * dt.timedelta(hours=1),
            **place,
        )
    scan(world, code(OTHER_GTIN.value, "L1", serial_of(OTHER_GTIN, 1)), T0, **kl)
    with world.unit_of_work(read_only=True) as uow:
        points = latest_points(uow, FigureFilter(last_day=DAY0), limit=3)
        at_dist_a = latest_points(uow, FigureFilter(last_day=DAY0, party="dist-a"))
        of_lot = latest_points(uow, FigureFilter(last_day=DAY0, gtin=OTHER_GTIN.value, lot="L1"))
        not_yet = latest_points(uow, FigureFilter(last_day=DAY0 - dt.timedelta(days=1)))
        shown = map_figures(uow, FigureFilter(last_day=DAY0), points=2)
    hour = dt.timedelta(hours=1)
    assert [(p.at, p.lot, p.place.region) for p in points] == [
        (T0 + 3 * hour, "L1", "MY-14"),
        (T0 + 2 * hour, "L1", "MY-14"),
        (T0, "L1", "MY-14"),
    ]
    assert [p.at for p in at_dist_a] == [T0 + 3 * hour, T0 + 2 * hour, T0]
    assert [(p.gtin, p.latitude) for p in of_lot] == [(OTHER_GTIN.value, 3.139)]
    assert not_yet == ()
    assert len(shown.points) == 2
    assert shown.areas.countries == (AreaCount("MY", 4, 4), AreaCount("SG", 1, 1))


def test_open_alerts_by_type_for_the_brand_and_for_a_party(world: Database) -> None:
    with world.unit_of_work() as uow:
        for kind, subject, party, status in (
            ("clone", "a", "dist-a", "new"),
            ("clone", "b", "dist-b", "investigating"),
            ("grey_market", "c", "dist-a", "new"),
            ("grey_market", "d", "dist-a", "closed"),
            ("guessing", "e", None, "new"),
        ):
            uow.connection.execute(
                schema.alerts.insert().values(
                    type=kind,
                    status=status,
                    subject=subject,
                    party_id=party,
                    evidence={},
                    created_at=T0,
                    updated_at=T0,
                )
            )
        uow.commit()
    with world.unit_of_work(read_only=True) as uow:
        assert open_alerts_by_type(uow) == (
            AlertCount("clone", 2),
            AlertCount("grey_market", 1),
            AlertCount("guessing", 1),
        )
        assert open_alerts_by_type(uow, party="dist-a") == (
            AlertCount("clone", 1),
            AlertCount("grey_market", 1),
        )
        assert overview(uow, FigureFilter(last_day=DAY0, party="dist-b")).alerts == (
            AlertCount("clone", 1),
        )


@pytest.mark.parametrize(
    ("figures", "limit", "error"),
    [
        (
            FigureFilter(first_day=DAY0, last_day=DAY0 - dt.timedelta(days=1)),
            10,
            "period: 2026-02-20 is after 2026-02-19",
        ),
        (
            FigureFilter(first_day=DAY0, last_day=DAY0 + dt.timedelta(days=366)),
            10,
            "367 days; at most 366",
        ),
        (FigureFilter(gtin="09506000134353"), 10, "gtin: "),
        (FigureFilter(gtin="123"), 10, "gtin: "),
        (FigureFilter(lot=""), 10, "lot: '' is not a lot"),
        (FigureFilter(lot="L" * 21), 10, "lot: "),
        (FigureFilter(verdict="fake"), 10, "verdict: 'fake' is none of genuine, "),
        (FigureFilter(custodian=""), 10, "custodian: '' is not a party id"),
        (FigureFilter(party="p" * 65), 10, "party: "),
        (FigureFilter(), 0, "limit: 0 is not a whole number from 1 to 100"),
        (FigureFilter(), 101, "limit: 101 is not"),
    ],
)
def test_a_filter_that_cannot_be_is_refused(
    world: Database, figures: FigureFilter, limit: int, error: str
) -> None:
    with world.unit_of_work(read_only=True) as uow, pytest.raises(InvalidRequest, match=error):
        top_products(uow, figures, limit=limit, today=DAY0)


@pytest.mark.parametrize(
    "figures",
    [
        FigureFilter(gtin=UNKNOWN_GTIN),
        FigureFilter(lot="NOSUCH"),
        FigureFilter(party="nobody"),
        FigureFilter(custodian="dist-a", party="dist-b"),
    ],
)
def test_what_unitrace_does_not_know_has_empty_figures(
    world: Database, figures: FigureFilter
) -> None:
    scan(world, code(GTIN.value, "L1", serial_of(GTIN, 1)), T0, latitude=3.139, longitude=101.6869)
    with world.unit_of_work(read_only=True) as uow:
        daily = scans_per_day(uow, figures, today=DAY0)
        shown = map_figures(uow, figures, today=DAY0)
        assert top_products(uow, figures, today=DAY0) == ()
        assert scans_by_custodian(uow, figures, today=DAY0) == ()
    assert (len(daily.days), daily.totals.total) == (30, 0)
    assert (shown.areas.countries, shown.points) == ((), ())
