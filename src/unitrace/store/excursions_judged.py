"""The excursions judged, as the console's cold chain page reads them: a page of them newest
judged first (by ``ix_cold_chain_excursions_judged_at``), each with its product, lot and device
named, and the lots they fell in, counted (excursions, breaches, allowed excursions, units
held, when last judged).

A party other than the brand is shown the excursions of what it holds or held alone
(:meth:`ExcursionsJudged.seen_by`): a unit or a container it has or had in its custody or its
events named (:class:`~unitrace.store.held_epcs.HeldEpcs`), a shipment whose event is its own
(a shipment to it), a location that is its own (its GLN, or a location registered to it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    or_,
    select,
    true,
    tuple_,
    union,
)

from unitrace.store.held_epcs import HeldEpcs
from unitrace.store.schema import (
    cold_chain_excursions,
    epcis_events,
    locations,
    lots,
    parties,
    products,
    sensor_devices,
)
from unitrace.store.times import utc

excursions = cold_chain_excursions


@dataclass(frozen=True, slots=True)
class JudgedExcursion:
    """An excursion as judged: of which product and lot, measured by which device on what
    (``target_kind``: container, unit, location or shipment), when, how warm or cold at its
    peak, for how long, its verdict, the units it covered and whether they were held."""

    id: int
    gtin: str
    product: str
    lot: str
    device: str
    target_kind: str
    target: str
    start_ms: int
    end_ms: int
    peak_c: float
    minutes: float
    verdict: str
    units: int
    held: bool
    judged_at: dt.datetime


@dataclass(frozen=True, slots=True)
class LotExcursions:
    """A lot's excursions counted: all, breaches, allowed ones, the units its held
    excursions covered (a unit two of them covered counted in each), and the latest judging."""

    gtin: str
    product: str
    lot: str
    excursions: int
    breaches: int
    allowed: int
    units_held: int
    latest_judged_at: dt.datetime


class ExcursionsJudged:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def seen_by(self, party_id: str) -> ColumnElement[bool]:
        """Whether an excursion's target is one ``party_id`` holds or held (see the module)."""
        held = HeldEpcs(self.connection, party_id)
        own_shipments = select(epcis_events.c.event_id).where(epcis_events.c.party_id == party_id)
        own_places = union(
            select(locations.c.gln).where(locations.c.party_id == party_id),
            select(parties.c.gln).where(parties.c.id == party_id, parties.c.gln.is_not(None)),
        )
        return or_(
            and_(
                excursions.c.target_kind.in_(("container", "unit")),
                held.covers(excursions.c.target),
            ),
            and_(excursions.c.target_kind == "shipment", excursions.c.target.in_(own_shipments)),
            and_(excursions.c.target_kind == "location", excursions.c.target.in_(own_places)),
        )

    def page(
        self,
        *,
        limit: int,
        verdict: str | None = None,
        before: tuple[dt.datetime, int] | None = None,
        seen: ColumnElement[bool] | None = None,
    ) -> list[JudgedExcursion]:
        """``limit`` excursions, newest judged first (then newest recorded), of ``verdict``
        where given, judged before ``before`` (a judging time and id: the next page) where
        given, of those ``seen`` selects."""
        query = (
            select(
                excursions,
                products.c.gtin,
                products.c.name.label("product"),
                lots.c.lot,
                sensor_devices.c.device,
            )
            .select_from(
                excursions.join(products, products.c.id == excursions.c.product_id)
                .join(lots, lots.c.id == excursions.c.lot_id)
                .join(sensor_devices, sensor_devices.c.id == excursions.c.device_id)
            )
            .where(self._chosen(verdict, seen))
            .order_by(excursions.c.judged_at.desc(), excursions.c.id.desc())
            .limit(limit)
        )
        if before is not None:
            # typed as the columns are: SQLite compares times as the text they are kept as
            at, excursion_id = before
            query = query.where(
                tuple_(excursions.c.judged_at, excursions.c.id)
                < (at.astimezone(dt.UTC), excursion_id)
            )
        return [_excursion(row) for row in self.connection.execute(query)]

    def lots(
        self,
        *,
        limit: int,
        verdict: str | None = None,
        seen: ColumnElement[bool] | None = None,
    ) -> list[LotExcursions]:
        """The lots with excursions (of ``verdict``, of those ``seen`` selects), counted,
        those judged last first, at most ``limit``."""
        breach = excursions.c.verdict == "breach"
        latest = func.max(excursions.c.judged_at).label("latest")
        counted = (
            select(
                excursions.c.lot_id,
                func.count().label("excursions"),
                func.sum(case((breach, 1), else_=0)).label("breaches"),
                func.sum(case((breach, 0), else_=1)).label("allowed"),
                func.sum(case((excursions.c.held, excursions.c.units), else_=0)).label("held"),
                latest,
            )
            .where(self._chosen(verdict, seen))
            .group_by(excursions.c.lot_id)
            .order_by(latest.desc(), excursions.c.lot_id.desc())
            .limit(limit)
            .subquery()
        )
        query = (
            select(counted, lots.c.lot, products.c.gtin, products.c.name.label("product"))
            .select_from(
                counted.join(lots, lots.c.id == counted.c.lot_id).join(
                    products, products.c.id == lots.c.product_id
                )
            )
            .order_by(counted.c.latest.desc(), counted.c.lot_id.desc())
        )
        return [
            LotExcursions(
                gtin=row.gtin,
                product=row.product,
                lot=row.lot,
                excursions=int(row.excursions),
                breaches=int(row.breaches),
                allowed=int(row.allowed),
                units_held=int(row.held or 0),
                latest_judged_at=utc(row.latest),
            )
            for row in self.connection.execute(query)
        ]

    @staticmethod
    def _chosen(verdict: str | None, seen: ColumnElement[bool] | None) -> ColumnElement[bool]:
        chosen: list[ColumnElement[bool]] = [true()]
        if verdict is not None:
            chosen.append(excursions.c.verdict == verdict)
        if seen is not None:
            chosen.append(seen)
        return and_(*chosen)


def _excursion(row: Any) -> JudgedExcursion:
    return JudgedExcursion(
        id=int(row.id),
        gtin=row.gtin,
        product=row.product,
        lot=row.lot,
        device=row.device,
        target_kind=row.target_kind,
        target=row.target,
        start_ms=int(row.start_ms),
        end_ms=int(row.end_ms),
        peak_c=float(row.peak_c),
        minutes=float(row.minutes),
        verdict=row.verdict,
        units=int(row.units),
        held=bool(row.held),
        judged_at=utc(row.judged_at),
    )
