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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from sqlalchemy import Table

from unitrace.gs1 import Gtin, InvalidCode
from unitrace.places import Place
from unitrace.registry.errors import InvalidRequest
from unitrace.services.verification.findings import Verdict
from unitrace.store.scan_counts import BRANDS_OWN, DAY, NO_PRODUCT, Span, spans
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
    "AlertCount",
    "AreaCount",
    "AreaFigures",
    "Brand",
    "CustodianCount",
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

#: The longest period a question may ask about, in days.
MAX_DAYS: Final = 366
#: The period when none is given: the last 30 days, today included.
DEFAULT_DAYS: Final = 30
#: Most-scanned products or lots: at most this many asked for.
MAX_TOP: Final = 100
#: Map points: at most this many asked for, found among this many of the newest scans.
MAX_POINTS: Final = 1000
POINTS_WINDOW: Final = 10_000


class Brand(Enum):
    """The brand itself as a custodian: its own units, which no party holds."""

    OWN = "brand"


BRAND: Final = Brand.OWN


@dataclass(frozen=True, slots=True)
class FigureFilter:
    """What the figures are about; every field is optional."""

    first_day: dt.date | None = None
    last_day: dt.date | None = None
    gtin: str | None = None
    lot: str | None = None
    verdict: str | None = None
    custodian: str | Brand | None = None
    #: the party whose user asks: its units' scans alone
    party: str | None = None


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
        return cls(**{verdict: counts.get(verdict, 0) for verdict in _VERDICTS})


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
    uow: UnitOfWork, figures: FigureFilter = FigureFilter(), *, today: dt.date | None = None
) -> DailyScans:
    """Scans per day of the period by verdict, every day of it, and their totals."""
    scope = _Scope.of(uow, figures, today)
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
    figures: FigureFilter = FigureFilter(),
    *,
    limit: int = 10,
    today: dt.date | None = None,
) -> tuple[ProductCount, ...]:
    """The ``limit`` most-scanned products of ours, most first."""
    _check_limit("limit", limit, MAX_TOP)
    scope = _Scope.of(uow, figures, today)
    return _top_products(scope, scope.summed(scan_counts_by_lot, _LOT_KEY), limit)


_LOT_KEY: Final = ("product_id", "lot")


def _top_products(
    scope: _Scope, by_lot: Mapping[tuple[Any, ...], tuple[int, int]], limit: int
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
    figures: FigureFilter = FigureFilter(),
    *,
    limit: int = 10,
    today: dt.date | None = None,
) -> tuple[LotCount, ...]:
    """The ``limit`` most-scanned lots of products of ours, most first (a code naming no unit
    of ours counts for the lot it carries)."""
    _check_limit("limit", limit, MAX_TOP)
    scope = _Scope.of(uow, figures, today)
    return _top_lots(scope, scope.summed(scan_counts_by_lot, _LOT_KEY), limit)


def _top_lots(
    scope: _Scope, by_lot: Mapping[tuple[Any, ...], tuple[int, int]], limit: int
) -> tuple[LotCount, ...]:
    found = [
        LotCount(scope.catalog[product_id][0], lot, count, firsts)
        for (product_id, lot), (count, firsts) in by_lot.items()
        if product_id in scope.catalog and lot
    ]
    found.sort(key=lambda p: (-p.scans, p.gtin, p.lot))
    return tuple(found[:limit])


def scans_by_area(
    uow: UnitOfWork, figures: FigureFilter = FigureFilter(), *, today: dt.date | None = None
) -> AreaFigures:
    """Scans and first scans by country and by region (else country) over the period."""
    scope = _Scope.of(uow, figures, today)
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
    uow: UnitOfWork, figures: FigureFilter = FigureFilter(), *, today: dt.date | None = None
) -> tuple[CustodianCount, ...]:
    """Scans of each custodian's units (the brand's own included), with how many were
    suspicious and counterfeit, most scans first."""
    scope = _Scope.of(uow, figures, today)
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
    figures: FigureFilter = FigureFilter(),
    *,
    limit: int = 200,
    today: dt.date | None = None,
) -> tuple[ScanPoint, ...]:
    """The newest ``limit`` scans of the period that have coordinates, newest first, found
    among its newest :data:`POINTS_WINDOW` scans with coordinates."""
    _check_limit("limit", limit, MAX_POINTS)
    scope = _Scope.of(uow, figures, today)
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
        _check_party(party, "party")
    counts = uow.alerts.open_by_type(party=party)
    return tuple(
        AlertCount(kind, count)
        for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def overview(
    uow: UnitOfWork,
    figures: FigureFilter = FigureFilter(),
    *,
    top: int = 10,
    today: dt.date | None = None,
) -> Overview:
    """The console's first page: scans per day, most-scanned products and lots, scans per
    custodian, and open alerts (of the asking party's units, for a party's user)."""
    _check_limit("top", top, MAX_TOP)
    scope = _Scope.of(uow, figures, today)
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
    figures: FigureFilter = FigureFilter(),
    *,
    points: int = 200,
    today: dt.date | None = None,
) -> MapFigures:
    """The console's map: scans and first scans by place, and the latest scans' points."""
    return MapFigures(
        areas=scans_by_area(uow, figures, today=today),
        points=latest_points(uow, figures, limit=points, today=today),
    )


# --- the filter, checked and resolved ---------------------------------------------------------

_VERDICTS: Final = tuple(verdict.value for verdict in Verdict)


@dataclass(frozen=True, slots=True)
class _Scope:
    """A filter checked, with its product, lot, custodian and verdict as the tables key them
    (None: any; empty: none at all, as an unknown product)."""

    first: dt.date
    last: dt.date
    catalog: dict[int, tuple[str, str]]
    product_ids: tuple[int, ...] | None
    lot: str | None
    verdicts: tuple[str, ...] | None
    custodians: tuple[str, ...] | None
    uow: UnitOfWork = field(repr=False)

    @classmethod
    def of(cls, uow: UnitOfWork, figures: FigureFilter, today: dt.date | None) -> _Scope:
        first, last = _period(figures, today)
        lot = _lot(figures.lot)
        verdicts = None
        if figures.verdict is not None:
            if figures.verdict not in _VERDICTS:
                raise InvalidRequest(
                    f"verdict: {figures.verdict!r} is none of {', '.join(_VERDICTS)}"
                )
            verdicts = (figures.verdict,)
        custodians = _custodians(figures.custodian, figures.party)
        catalog = uow.scan_counts.products()
        product_ids = None
        if figures.gtin is not None:
            gtin = _gtin(figures.gtin)
            product_ids = tuple(id for id, (known, _) in catalog.items() if known == gtin)
        return cls(first, last, catalog, product_ids, lot, verdicts, custodians, uow)

    @property
    def by_product(self) -> bool:
        """Whether the product tables must answer (a product or lot is asked for)."""
        return self.product_ids is not None or self.lot is not None

    @property
    def empty(self) -> bool:
        return any(
            chosen is not None and not chosen
            for chosen in (self.product_ids, self.custodians, self.verdicts)
        )

    def summed(
        self, table: Table, by: Sequence[str], *, daily: bool = False
    ) -> dict[tuple[Any, ...], tuple[int, int]]:
        """The table's scans and first scans in scope, summed by ``by``: over day rows alone
        with ``daily``, else over the fewest rows that cover the period."""
        if self.empty:
            return {}
        where: dict[str, Sequence[Any]] = {}
        if "product_id" in table.c:
            # the key leads with the product: every one where none is asked for
            where["product_id"] = (
                self.product_ids
                if self.product_ids is not None
                else (NO_PRODUCT, *sorted(self.catalog))
            )
        if "lot" in table.c and self.lot is not None:
            where["lot"] = (self.lot,)
        if self.custodians is not None:
            where["custodian"] = self.custodians
        if self.verdicts is not None:
            where["verdict"] = self.verdicts
        periods = [Span(DAY, self.first, self.last)] if daily else spans(self.first, self.last)
        return self.uow.scan_counts.summed(table, by, periods, where)


def _period(figures: FigureFilter, today: dt.date | None) -> tuple[dt.date, dt.date]:
    last = figures.last_day or today or dt.datetime.now(dt.UTC).date()
    first = figures.first_day or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidRequest(f"period: {first} is after {last}")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidRequest(
            f"period: {first} to {last} is {(last - first).days + 1} days; at most {MAX_DAYS}"
        )
    return first, last


def _gtin(text: str) -> str:
    try:
        return Gtin.parse(text).value
    except (InvalidCode, ValueError) as error:
        raise InvalidRequest(f"gtin: {error}") from None


def _lot(lot: str | None) -> str | None:
    if lot is None:
        return None
    if not lot or len(lot) > 20:
        raise InvalidRequest(f"lot: {lot!r} is not a lot: 1 to 20 characters")
    return lot


def _check_party(party: str, name: str) -> None:
    if not party or len(party) > 64:
        raise InvalidRequest(f"{name}: {party!r} is not a party id: 1 to 64 characters")


def _custodians(custodian: str | Brand | None, party: str | None) -> tuple[str, ...] | None:
    chosen: tuple[str, ...] | None = None
    if isinstance(custodian, Brand):
        chosen = (BRANDS_OWN,)
    elif custodian is not None:
        _check_party(custodian, "custodian")
        chosen = (custodian,)
    if party is None:
        return chosen
    _check_party(party, "party")
    # a party's user sees its own units' scans, and no other custodian's
    return (party,) if chosen is None or chosen == (party,) else ()


def _check_limit(name: str, value: int, most: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise InvalidRequest(f"{name}: {value!r} is not a whole number from 1 to {most}")


def _areas(tally: Mapping[str | None, list[int]]) -> tuple[AreaCount, ...]:
    found = [AreaCount(area, count, firsts) for area, (count, firsts) in tally.items()]
    found.sort(key=lambda a: (-a.scans, a.area or "~"))
    return tuple(found)
