"""The console's scan figures: how many scans, of what, where and in whose custody, over a
period; read from the scan counts kept as scans are logged (:mod:`unitrace.store.scan_counts`),
never by counting the scan log. Only the map's latest points read the log, the newest
:data:`POINTS_WINDOW` scans of the period at most, down its time index.

Every question takes a :class:`FigureFilter`: the period (``first_day``..``last_day``, UTC days,
both included; by default the last 30 days), and optionally a product (``gtin``), a ``lot`` (the
unit's lot; the code's where the code names no unit of ours), a ``verdict``, a ``custodian``
(a party id, or :data:`BRAND` for the brand's own units) and the ``party`` whose user asks: a
distributor's user sees only scans of units in its custody. The custodian is the unit's when it
was scanned (for the map's points, its custodian now). A product, lot or party unknown to
unitrace gives empty figures; input that cannot be a filter (a GTIN with a wrong check digit, a
period longer than :data:`MAX_DAYS` or ending before it starts) is an
:class:`~unitrace.registry.errors.InvalidRequest` naming the field.

>>> from unitrace.store.database import open_database
>>> from unitrace.store.migrations import upgrade
>>> from unitrace.store.unit_of_work import Database
>>> database = Database(open_database("sqlite://"))
>>> upgrade(database.engine)
>>> with database.unit_of_work(read_only=True) as uow:
...     daily = scans_per_day(uow, FigureFilter(last_day=dt.date(2026, 3, 31)))
>>> len(daily.days), daily.totals.total, daily.first_day
(30, 0, datetime.date(2026, 3, 2))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from unitrace.places import Place
from unitrace.services.scan_figure_filter import (
    BRAND,
    LAST_30_DAYS,
    MAX_DAYS,
    VERDICTS,
    Brand,
    FigureFilter,
    FigureScope,
    check_limit,
    check_party,
)
from unitrace.services.verification.findings import Verdict
from unitrace.store.schema import (
    scan_counts,
    scan_counts_by_area,
    scan_counts_by_custodian_area,
    scan_counts_by_lot,
    scan_counts_by_lot_area,
)
from unitrace.store.unit_of_work import UnitOfWork

__all__ = [
    "BRAND",
    "LAST_30_DAYS",
    "MAX_DAYS",
    "AlertCount",
    "AreaCount",
    "AreaFigures",
    "Brand",
    "CustodianCount",
    "DailyScans",
    "DayCount",
    "FigureFilter",
    "LotCount",
    "MapFigures",
    "Overview",
    "ProductCount",
    "ScanPoint",
    "VerdictCounts",
    "latest_points",
    "map_figures",
    "open_alerts_by_type",
    "overview",
    "scans_by_area",
    "scans_by_custodian",
    "scans_per_day",
    "top_lots",
    "top_products",
]

#: Most-scanned products or lots: at most this many asked for.
MAX_TOP: Final = 100
#: Map points: at most this many asked for, found among this many of the newest scans.
MAX_POINTS: Final = 1000
POINTS_WINDOW: Final = 10_000


@dataclass(frozen=True, slots=True)
class VerdictCounts:
    """Scans by verdict."""

    genuine: int = 0
    suspicious: int = 0
    counterfeit: int = 0
    recalled: int = 0
    expired: int = 0
    inactive: int = 0

    @property
    def total(self) -> int:
        return (
            self.genuine
            + self.suspicious
            + self.counterfeit
            + self.recalled
            + self.expired
            + self.inactive
        )

    @property
    def suspicious_share(self) -> float:
        """Suspicious scans as a share of all (0 when there are none).

        >>> VerdictCounts(genuine=3, suspicious=1).suspicious_share
        0.25
        """
        return self.suspicious / self.total if self.total else 0.0

    @property
    def counterfeit_share(self) -> float:
        return self.counterfeit / self.total if self.total else 0.0

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> VerdictCounts:
        return cls(**{verdict: counts.get(verdict, 0) for verdict in VERDICTS})


@dataclass(frozen=True, slots=True)
class DayCount:
    day: dt.date
    scans: VerdictCounts


@dataclass(frozen=True, slots=True)
class DailyScans:
    """Scans per day of the period (every day, zeros included) by verdict, and in all."""

    first_day: dt.date
    last_day: dt.date
    days: tuple[DayCount, ...]
    totals: VerdictCounts


@dataclass(frozen=True, slots=True)
class ProductCount:
    gtin: str
    name: str
    scans: int
    first_scans: int


@dataclass(frozen=True, slots=True)
class LotCount:
    gtin: str
    lot: str
    scans: int
    first_scans: int


@dataclass(frozen=True, slots=True)
class AreaCount:
    """Scans made in a place: an ISO 3166-1 country, or an ISO 3166-2 region (a country
    where the region is not known); None where nothing is known."""

    area: str | None
    scans: int
    first_scans: int


@dataclass(frozen=True, slots=True)
class AreaFigures:
    """Scans and first scans by country and by region, most scans first."""

    countries: tuple[AreaCount, ...]
    regions: tuple[AreaCount, ...]


@dataclass(frozen=True, slots=True)
class CustodianCount:
    """Scans of the units a party held when they were scanned (``custodian`` None: the
    brand's own units, and codes naming no unit of ours)."""

    custodian: str | None
    name: str
    scans: int
    suspicious: int
    counterfeit: int
    first_scans: int


@dataclass(frozen=True, slots=True)
class ScanPoint:
    """One scan on the map."""

    at: dt.datetime
    latitude: float
    longitude: float
    verdict: str
    gtin: str | None
    lot: str | None
    place: Place


@dataclass(frozen=True, slots=True)
class AlertCount:
    type: str
    open: int


@dataclass(frozen=True, slots=True)
class Overview:
    """The console's first page."""

    daily: DailyScans
    products: tuple[ProductCount, ...]
    lots: tuple[LotCount, ...]
    custodians: tuple[CustodianCount, ...]
    alerts: tuple[AlertCount, ...]


@dataclass(frozen=True, slots=True)
class MapFigures:
    """The console's map: scans and first scans by place, and the latest scans' points."""

    areas: AreaFigures
    points: tuple[ScanPoint, ...]


# --- the questions -----------------------------------------------------------------------------


def scans_per_day(
    uow: UnitOfWork, figures: FigureFilter = LAST_30_DAYS, *, today: dt.date | None = None
) -> DailyScans:
    """Scans per day of the period by verdict, every day of it, and their totals."""
    scope = FigureScope.of(uow, figures, today)
    if scope.by_product:
        summed = scope.summed(scan_counts_by_lot, ("day", "verdict"), daily=True)
    else:
        summed = scope.summed(scan_counts, ("day", "verdict"), daily=True)
    by_day: dict[dt.date, dict[str, int]] = {}
    for (day, verdict), (count, _) in summed.items():
        by_day.setdefault(day, {})[verdict] = count
    days = tuple(
        DayCount(day, VerdictCounts.of(by_day.get(day, {})))
        for day in (
            scope.first + dt.timedelta(days=n) for n in range((scope.last - scope.first).days + 1)
        )
    )
    totals: dict[str, int] = {}
    for counts in by_day.values():
        for verdict, count in counts.items():
            totals[verdict] = totals.get(verdict, 0) + count
    return DailyScans(scope.first, scope.last, days, VerdictCounts.of(totals))


def top_products(
    uow: UnitOfWork,
    figures: FigureFilter = LAST_30_DAYS,
    *,
    limit: int = 10,
    today: dt.date | None = None,
) -> tuple[ProductCount, ...]:
    """The ``limit`` most-scanned products of ours, most first."""
    check_limit("limit", limit, MAX_TOP)
    scope = FigureScope.of(uow, figures, today)
    return _top_products(scope, scope.summed(scan_counts_by_lot, _LOT_KEY), limit)


_LOT_KEY: Final = ("product_id", "lot")


def _top_products(
    scope: FigureScope, by_lot: Mapping[tuple[Any, ...], tuple[int, int]], limit: int
) -> tuple[ProductCount, ...]:
    by_product: dict[int, list[int]] = {}
    for (product_id, _), (count, firsts) in by_lot.items():
        if product_id in scope.catalog:
            counted = by_product.setdefault(product_id, [0, 0])
            counted[0] += count
            counted[1] += firsts
    found = [
        ProductCount(*scope.catalog[product_id], count, firsts)
        for product_id, (count, firsts) in by_product.items()
    ]
    found.sort(key=lambda p: (-p.scans, p.gtin))
    return tuple(found[:limit])


def top_lots(
    uow: UnitOfWork,
    figures: FigureFilter = LAST_30_DAYS,
    *,
    limit: int = 10,
    today: dt.date | None = None,
) -> tuple[LotCount, ...]:
    """The ``limit`` most-scanned lots of products of ours, most first (a code naming no unit
    of ours counts for the lot it carries)."""
    check_limit("limit", limit, MAX_TOP)
    scope = FigureScope.of(uow, figures, today)
    return _top_lots(scope, scope.summed(scan_counts_by_lot, _LOT_KEY), limit)


def _top_lots(
    scope: FigureScope, by_lot: Mapping[tuple[Any, ...], tuple[int, int]], limit: int
) -> tuple[LotCount, ...]:
    found = [
        LotCount(scope.catalog[product_id][0], lot, count, firsts)
        for (product_id, lot), (count, firsts) in by_lot.items()
        if product_id in scope.catalog and lot
    ]
    found.sort(key=lambda p: (-p.scans, p.gtin, p.lot))
    return tuple(found[:limit])


def scans_by_area(
    uow: UnitOfWork, figures: FigureFilter = LAST_30_DAYS, *, today: dt.date | None = None
) -> AreaFigures:
    """Scans and first scans by country and by region (else country) over the period."""
    scope = FigureScope.of(uow, figures, today)
    if scope.by_product:
        table = scan_counts_by_lot_area
    elif scope.custodians is not None:
        table = scan_counts_by_custodian_area
    else:
        table = scan_counts_by_area
    summed = scope.summed(table, ("country", "region"))
    countries: dict[str | None, list[int]] = {}
    regions: dict[str | None, list[int]] = {}
    for (country, region), (count, firsts) in summed.items():
        for tally, area in ((countries, country or None), (regions, region or country or None)):
            counted = tally.setdefault(area, [0, 0])
            counted[0] += count
            counted[1] += firsts
    return AreaFigures(_areas(countries), _areas(regions))


def scans_by_custodian(
    uow: UnitOfWork, figures: FigureFilter = LAST_30_DAYS, *, today: dt.date | None = None
) -> tuple[CustodianCount, ...]:
    """Scans of each custodian's units (the brand's own included), with how many were
    suspicious and counterfeit, most scans first."""
    scope = FigureScope.of(uow, figures, today)
    table = scan_counts_by_lot if scope.by_product else scan_counts
    summed = scope.summed(table, ("custodian", "verdict"))
    by_custodian: dict[str, dict[str, int]] = {}
    for (custodian, verdict), (count, firsts) in summed.items():
        counted = by_custodian.setdefault(custodian, {})
        counted[verdict] = counted.get(verdict, 0) + count
        counted["first"] = counted.get("first", 0) + firsts
    names = uow.scan_counts.parties() if by_custodian else {}
    found = [
        CustodianCount(
            custodian=custodian or None,
            name=names.get(custodian, custodian) if custodian else "brand",
            scans=sum(n for verdict, n in counted.items() if verdict != "first"),
            suspicious=counted.get(Verdict.SUSPICIOUS.value, 0),
            counterfeit=counted.get(Verdict.COUNTERFEIT.value, 0),
            first_scans=counted.get("first", 0),
        )
        for custodian, counted in by_custodian.items()
    ]
    found.sort(key=lambda c: (-c.scans, c.custodian or ""))
    return tuple(found)


def latest_points(
    uow: UnitOfWork,
    figures: FigureFilter = LAST_30_DAYS,
    *,
    limit: int = 200,
    today: dt.date | None = None,
) -> tuple[ScanPoint, ...]:
    """The newest ``limit`` scans of the period that have coordinates, newest first, found
    among its newest :data:`POINTS_WINDOW` scans with coordinates."""
    check_limit("limit", limit, MAX_POINTS)
    scope = FigureScope.of(uow, figures, today)
    if scope.empty:
        return ()
    since = dt.datetime.combine(scope.first, dt.time(), dt.UTC)
    until = dt.datetime.combine(scope.last + dt.timedelta(days=1), dt.time(), dt.UTC)
    found = uow.scans.latest_placed(
        since,
        until,
        limit=limit,
        window=POINTS_WINDOW,
        product_ids=scope.product_ids,
        lot=scope.lot,
        verdicts=scope.verdicts,
        custodians=scope.custodians,
    )
    return tuple(
        ScanPoint(
            at=scan.at,
            latitude=scan.place.latitude or 0.0,
            longitude=scan.place.longitude or 0.0,
            verdict=scan.verdict,
            gtin=scan.gtin,
            lot=scan.lot,
            place=scan.place,
        )
        for scan in found
    )


def open_alerts_by_type(uow: UnitOfWork, *, party: str | None = None) -> tuple[AlertCount, ...]:
    """How many alerts of each type are open (new or investigating), most first; a party's
    user sees those concerning the party."""
    if party is not None:
        check_party(party, "party")
    counts = uow.alerts.open_by_type(party=party)
    return tuple(
        AlertCount(kind, count)
        for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def overview(
    uow: UnitOfWork,
    figures: FigureFilter = LAST_30_DAYS,
    *,
    top: int = 10,
    today: dt.date | None = None,
) -> Overview:
    """The console's first page: scans per day, most-scanned products and lots, scans per
    custodian, and open alerts (of the asking party's units, for a party's user)."""
    check_limit("top", top, MAX_TOP)
    scope = FigureScope.of(uow, figures, today)
    # the most-scanned products and lots from one read
    by_lot = scope.summed(scan_counts_by_lot, _LOT_KEY)
    return Overview(
        daily=scans_per_day(uow, figures, today=today),
        products=_top_products(scope, by_lot, top),
        lots=_top_lots(scope, by_lot, top),
        custodians=scans_by_custodian(uow, figures, today=today),
        alerts=open_alerts_by_type(uow, party=figures.party),
    )


def map_figures(
    uow: UnitOfWork,
    figures: FigureFilter = LAST_30_DAYS,
    *,
    points: int = 200,
    today: dt.date | None = None,
) -> MapFigures:
    """The console's map: scans and first scans by place, and the latest scans' points."""
    return MapFigures(
        areas=scans_by_area(uow, figures, today=today),
        points=latest_points(uow, figures, limit=points, today=today),
    )


def _areas(tally: Mapping[str | None, list[int]]) -> tuple[AreaCount, ...]:
    found = [AreaCount(area, count, firsts) for area, (count, firsts) in tally.items()]
    found.sort(key=lambda a: (-a.scans, a.area or "~"))
    return tuple(found)
