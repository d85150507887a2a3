"""What parties hold, were sent and where their units are scanned: the figures the console's
party pages show, each read through an index and bounded in what it returns.

- units held by a party: ``ix_units_custodian_id``, grouped by product and lot;
- shipments to a party: its events (``ix_epcis_events_party_id``) of the shipping step, with
  the unit count unitrace's own shipment wrote on its audit line (a partner's shipment captured
  over EPCIS has none: its count is left unknown rather than counted over its EPC list);
- scans of a party's units: the latest scans of the log (a window read down its primary key,
  so the work is bounded however long the log), each joined to its unit by the unit's key and
  kept where the party holds the unit now, summed by place and verdict in the database;
- its alerts: ``ix_alerts_party_id``, newest first, a page at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
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
)

from unitrace.places import Place
from unitrace.registry.model import Party
from unitrace.store.repositories import party_from_row
from unitrace.store.schema import alerts, audit_trail, epcis_events, lots, parties, products, scans
from unitrace.store.schema import units as units_table
from unitrace.store.times import utc

#: The audit lines of unitrace's own shipments, which carry their unit count.
SHIPMENT_AUDIT_ACTIONS = ("units.shipped", "units.allocated")


@dataclass(frozen=True, slots=True)
class Holding:
    """The units of one lot a party holds: all of them, and how many are active (saleable)."""

    gtin: str
    product: str
    lot: str
    units: int
    active: int


@dataclass(frozen=True, slots=True)
class ShipmentTo:
    """A shipment to a party: its event, when, who recorded it and how many units it moved
    (None for a partner's shipment captured over EPCIS)."""

    event_id: str
    at: dt.datetime
    recorded_by: str | None
    units: int | None


@dataclass(frozen=True, slots=True)
class AreaScans:
    """The scans of a party's units in one place (country and region, either may be
    unknown) with one verdict."""

    country: str | None
    region: str | None
    verdict: str
    scans: int


@dataclass(frozen=True, slots=True)
class UnitScan:
    """A scan of a party's unit."""

    at: dt.datetime
    verdict: str
    gtin: str | None
    serial: str | None
    lot: str | None
    place: Place


@dataclass(frozen=True, slots=True)
class PartyAlert:
    """An alert naming a party, as its page lists it."""

    id: int
    type: str
    status: str
    gtin: str | None
    serial: str | None
    lot: str | None
    created_at: dt.datetime
    evidence: dict[str, Any]


class CustodyFigures:
    """The queries of the party pages, on the unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- parties --------------------------------------------------------------------------

    def parties_page(self, *, offset: int, limit: int) -> tuple[list[Party], int]:
        """Parties by id, a page of them, and how many there are."""
        total = self.connection.execute(select(func.count()).select_from(parties)).scalar_one()
        rows = self.connection.execute(
            select(parties).order_by(parties.c.id).offset(offset).limit(limit)
        )
        return [party_from_row(row) for row in rows], int(total)

    def parties_by_gln(self, glns: Collection[str]) -> dict[str, Party]:
        """The parties registered with ``glns``, by GLN."""
        if not glns:
            return {}
        rows = self.connection.execute(select(parties).where(parties.c.gln.in_(sorted(glns))))
        return {row.gln: party_from_row(row) for row in rows}

    # --- units held -----------------------------------------------------------------------

    def held_counts(self, party_ids: Collection[str]) -> dict[str, int]:
        """How many units each of ``party_ids`` holds (those holding none are left out)."""
        if not party_ids:
            return {}
        custodian = units_table.c.custodian_id
        rows = self.connection.execute(
            select(custodian, func.count())
            .where(custodian.in_(sorted(party_ids)))
            .group_by(custodian)
        )
        return {row[0]: int(row[1]) for row in rows}

    def holdings(self, party_id: str, *, limit: int) -> tuple[list[Holding], int]:
        """The lots of which ``party_id`` holds the most units (at most ``limit``), and in how
        many lots it holds units."""
        held = (
            select(
                units_table.c.product_id,
                units_table.c.lot_id,
                func.count().label("units"),
                func.sum(case((units_table.c.state == "active", 1), else_=0)).label("active"),
            )
            .where(units_table.c.custodian_id == party_id)
            .group_by(units_table.c.product_id, units_table.c.lot_id)
            .subquery()
        )
        lot_count = self.connection.execute(select(func.count()).select_from(held)).scalar_one()
        rows = self.connection.execute(
            select(products.c.gtin, products.c.name, lots.c.lot, held.c.units, held.c.active)
            .select_from(
                held.join(products, products.c.id == held.c.product_id).join(
                    lots, lots.c.id == held.c.lot_id
                )
            )
            .order_by(held.c.units.desc(), products.c.gtin, lots.c.lot)
            .limit(limit)
        )
        found = [Holding(r.gtin, r.name, r.lot, int(r.units), int(r.active or 0)) for r in rows]
        return found, int(lot_count)

    # --- shipments received ---------------------------------------------------------------

    def shipments_to(
        self, party_id: str, steps: Collection[str], *, limit: int
    ) -> tuple[list[ShipmentTo], int, int]:
        """The latest ``limit`` shipments to ``party_id`` (events of ``steps``, the shipping
        step's spellings), newest first; how many there were in all, and the units they
        moved as their audit lines count them."""
        shipped = and_(
            epcis_events.c.party_id == party_id,
            epcis_events.c.biz_step.in_(sorted(steps)),
            epcis_events.c.error_declaration_time.is_(None),
        )
        audited = and_(
            audit_trail.c.subject == epcis_events.c.event_id,
            audit_trail.c.action.in_(SHIPMENT_AUDIT_ACTIONS),
        )
        units = audit_trail.c.details["units"].as_integer()
        count, total = self.connection.execute(
            select(func.count(epcis_events.c.id), func.coalesce(func.sum(units), 0))
            .select_from(epcis_events.outerjoin(audit_trail, audited))
            .where(shipped)
        ).one()
        rows = self.connection.execute(
            select(
                epcis_events.c.event_id,
                epcis_events.c.event_time,
                epcis_events.c.recorded_by,
                units.label("units"),
            )
            .select_from(epcis_events.outerjoin(audit_trail, audited))
            .where(shipped)
            .order_by(epcis_events.c.event_time.desc(), epcis_events.c.id.desc())
            .limit(limit)
        )
        found = [
            ShipmentTo(
                r.event_id,
                utc(r.event_time),
                r.recorded_by,
                None if r.units is None else int(r.units),
            )
            for r in rows
        ]
        return found, int(count), int(total)

    # --- scans of the units it holds ------------------------------------------------------

    def scans_read(self, window: int) -> tuple[int, bool]:
        """How many scans a read of the latest ``window`` scans of the log reads, and whether
        the log holds more than that."""
        latest = select(scans.c.id).order_by(scans.c.id.desc()).limit(window + 1).subquery()
        found = int(self.connection.execute(select(func.count()).select_from(latest)).scalar_one())
        return min(found, window), found > window

    def scan_areas(self, party_id: str, *, window: int) -> list[AreaScans]:
        """The scans of the units ``party_id`` holds among the latest ``window`` scans of the
        log, by country, region and verdict."""
        latest = _latest_scans(window)
        rows = self.connection.execute(
            select(latest.c.country, latest.c.region, latest.c.verdict, func.count())
            .select_from(_of_units(latest))
            .where(units_table.c.custodian_id == party_id)
            .group_by(latest.c.country, latest.c.region, latest.c.verdict)
        )
        return [AreaScans(r[0], r[1], r[2], int(r[3])) for r in rows]

    def latest_scans_in(
        self,
        party_id: str,
        places: Sequence[tuple[str | None, str | None]],
        *,
        window: int,
        limit: int,
    ) -> list[UnitScan]:
        """The latest ``limit`` scans of the units ``party_id`` holds made in ``places``
        (country, region) among the latest ``window`` scans of the log, newest first."""
        if not places:
            return []
        latest = _latest_scans(window)
        conditions: list[ColumnElement[bool]] = [
            and_(_equal(latest.c.country, country), _equal(latest.c.region, region))
            for country, region in places
        ]
        rows = self.connection.execute(
            select(
                latest.c.at,
                latest.c.verdict,
                latest.c.gtin,
                latest.c.serial,
                lots.c.lot,
                latest.c.latitude,
                latest.c.longitude,
                latest.c.city,
                latest.c.region,
                latest.c.country,
            )
            .select_from(_of_units(latest).join(lots, lots.c.id == units_table.c.lot_id))
            .where(units_table.c.custodian_id == party_id, or_(*conditions))
            .order_by(latest.c.id.desc())
            .limit(limit)
        )
        return [
            UnitScan(
                utc(r.at),
                r.verdict,
                r.gtin,
                r.serial,
                r.lot,
                Place(r.latitude, r.longitude, r.city, r.region, r.country),
            )
            for r in rows
        ]

    # --- alerts ---------------------------------------------------------------------------

    def alerts_of(
        self, party_id: str, alert_type: str, *, limit: int
    ) -> tuple[list[PartyAlert], dict[str, int]]:
        """The latest ``limit`` alerts of ``alert_type`` naming ``party_id``, newest first,
        and how many there are by status."""
        mine = and_(alerts.c.party_id == party_id, alerts.c.type == alert_type)
        by_status = {
            row[0]: int(row[1])
            for row in self.connection.execute(
                select(alerts.c.status, func.count()).where(mine).group_by(alerts.c.status)
            )
        }
        rows = self.connection.execute(
            select(alerts)
            .where(mine)
            .order_by(alerts.c.created_at.desc(), alerts.c.id.desc())
            .limit(limit)
        )
        found = [
            PartyAlert(
                r.id,
                r.type,
                r.status,
                r.gtin,
                r.serial,
                r.lot,
                utc(r.created_at),
                dict(r.evidence or {}),
            )
            for r in rows
        ]
        return found, by_status

    def open_alert_counts(self, party_ids: Collection[str], alert_type: str) -> dict[str, int]:
        """How many alerts of ``alert_type`` are open (new or investigating) for each party."""
        if not party_ids:
            return {}
        rows = self.connection.execute(
            select(alerts.c.party_id, func.count())
            .where(
                alerts.c.party_id.in_(sorted(party_ids)),
                alerts.c.type == alert_type,
                alerts.c.status != "closed",
            )
            .group_by(alerts.c.party_id)
        )
        return {row[0]: int(row[1]) for row in rows}


def _latest_scans(window: int) -> Any:
    """The latest ``window`` scans of the log, read down its primary key (scans are logged
    in time order, and the key's order is its index's): bounded work, whatever the log's
    size."""
    return (
        select(
            scans.c.id,
            scans.c.at,
            scans.c.product_id,
            scans.c.serial,
            scans.c.gtin,
            scans.c.verdict,
            scans.c.latitude,
            scans.c.longitude,
            scans.c.city,
            scans.c.region,
            scans.c.country,
        )
        .order_by(scans.c.id.desc())
        .limit(window)
        .subquery()
    )


def _of_units(latest: Any) -> Any:
    """``latest`` scans joined to the units they name (by the units' primary key); a query
    narrows it to one custodian."""
    return latest.join(
        units_table,
        and_(
            units_table.c.product_id == latest.c.product_id,
            units_table.c.serial == latest.c.serial,
        ),
    )


def _equal(column: Any, value: str | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value  # type: ignore[no-any-return]
