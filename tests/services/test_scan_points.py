"""The map's latest points under every filter, compared with the scan log read by brute force:
random scans of the figures' world (units of two products and lots at three parties and the
brand's, codes naming no unit of ours, some with coordinates) and random filters. On SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.services.issued_units import GTIN
from tests.services.test_scan_figures import (
    CODES,
    DAY0,
    FILTERS,
    PLACES,
    T0,
    Logged,
    chosen,
    scan,
    world,
)
from unitrace.services.scan_figures import BRAND, FigureFilter, latest_points
from unitrace.store import schema
from unitrace.store.unit_of_work import Database

__all__ = ["world"]  # fixture

KL = {"latitude": 3.139, "longitude": 101.6869}


@dataclass(frozen=True)
class Placed(Logged):
    at: dt.datetime
    id: int
    latitude: float | None
    #: the GTIN the code carried (``gtin`` is the product's: None for a product not ours)
    code_gtin: str | None


def placed(database: Database) -> list[Placed]:
    """Every logged scan with its unit's lot and custodian now ('' never: None for the
    brand's own and for codes naming no unit of ours), its time and latitude."""
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            text(
                "SELECT s.id, s.at, s.verdict, p.gtin, coalesce(l.lot, s.lot, '') AS lot, "
                "u.custodian_id, s.latitude, s.gtin AS code_gtin FROM scans s "
                "LEFT JOIN units u ON s.known AND u.product_id = s.product_id "
                "AND u.serial = s.serial LEFT JOIN lots l ON l.id = u.lot_id "
                "LEFT JOIN products p ON p.id = s.product_id"
            )
        ).all()
    found = []
    for row in rows:
        at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(row.at)
        at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
        found.append(
            Placed(
                at.date(),
                row.verdict,
                row.gtin,
                row.lot,
                row.custodian_id,
                None,
                None,
                False,
                at,
                row.id,
                row.latitude,
                row.code_gtin,
            )
        )
    return found


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    scans=st.lists(
        st.tuples(
            st.sampled_from(range(len(CODES))),
            st.booleans(),
            st.integers(0, 3 * 24 * 60),
        ),
        max_size=20,
    ),
    filters=st.lists(FILTERS, min_size=1, max_size=5),
    limit=st.integers(1, 6),
)
# a unit of L1 scanned with a code saying L2 (index 9) is of L1, and a code of a serial never
# issued (10) is of the lot it says
@example(
    scans=[(9, True, 0), (10, True, 5), (5, True, 5), (0, True, 5)],
    filters=[
        FigureFilter(last_day=DAY0, gtin=GTIN.value, lot="L2"),
        FigureFilter(last_day=DAY0, lot="L1"),
        FigureFilter(last_day=DAY0, lot="L1", party="dist-a"),
        FigureFilter(last_day=DAY0, lot="L2", custodian=BRAND),
    ],
    limit=6,
)
def test_the_latest_points_are_the_logs_newest_with_coordinates_that_pass_the_filter(
    world: Database,
    scans: list[tuple[int, bool, int]],
    filters: list[FigureFilter],
    limit: int,
) -> None:
    with world.unit_of_work() as uow:
        for table in (schema.scan_count_queue, schema.alerts, schema.scans):
            uow.connection.execute(table.delete())
        uow.commit()
    at = T0
    for code_index, with_coordinates, minutes in scans:
        at += dt.timedelta(minutes=minutes)
        place: dict[str, Any] = KL if with_coordinates else PLACES[1]
        scan(world, CODES[code_index], at, **place)
    log = placed(world)
    for figures in filters:
        if figures.first_day and figures.first_day > figures.last_day:  # type: ignore[operator]
            continue
        last = figures.last_day or DAY0
        first = figures.first_day or last - dt.timedelta(days=29)
        expected = sorted(
            (s for s in chosen(log, figures, first, last) if s.latitude is not None),  # type: ignore[misc]
            key=lambda s: (s.at, s.id),
            reverse=True,
        )[:limit]
        with world.unit_of_work(read_only=True) as uow:
            points = latest_points(uow, figures, limit=limit)
        assert [(p.at, p.gtin, p.lot or "", p.verdict) for p in points] == [
            (s.at, s.code_gtin, s.lot, s.verdict) for s in expected
        ], figures
