"""The units a forward trace reaches, read set-wise from the projection: every unit of some
lots, in some containers (give whole subtrees) or named by key, optionally only those a party
holds or held. Each answer is one statement over the set, grouped in the database: the
summary, the containers' counts, the shipments that moved them, and the rows of the CSV,
streamed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union,
)

from unitrace.epcis.cbv import BIZ_STEP, spellings
from unitrace.store.held_epcs import UnitUriPrefix, unit_epc, unit_uri_prefixes
from unitrace.store.schema import (
    containers,
    epcis_events,
    event_epcs,
    locations,
    lots,
    parties,
    products,
    units,
)
from unitrace.store.times import utc

#: The shipping step, in every spelling an event may hold it.
SHIPPING_STEPS = tuple(sorted(spellings(BIZ_STEP, "shipping")))
#: Roles under which an event names the units it moves.
_MOVED_ROLES = ("epc", "contained")


@dataclass(frozen=True, slots=True)
class ReachedSet:
    """Units reached: of ``lot_ids``, packed in ``container_ids`` (whole subtrees), or named
    by ``unit_keys`` (product id, serial); only those ``holder`` holds or held, where given."""

    lot_ids: tuple[int, ...] = ()
    container_ids: tuple[int, ...] = ()
    unit_keys: tuple[tuple[int, str], ...] = ()
    holder: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.lot_ids or self.container_ids or self.unit_keys)


@dataclass(frozen=True, slots=True)
class UnitTally:
    """Units of the set sharing a state, custodian and place."""

    state: str
    custodian: str | None
    location_gln: str | None
    units: int


@dataclass(frozen=True, slots=True)
class ContainerNode:
    """A container holding units of the set, with its parent."""

    id: int
    epc: str
    kind: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class ShipmentOfSet:
    """A shipping event that moved units of the set: to whom, when, how many of them."""

    event_id: str
    at: dt.datetime
    party_id: str | None
    units: int


@dataclass(frozen=True, slots=True)
class ReachedRow:
    """One unit of the set as the CSV lists it."""

    gtin: str
    serial: str
    lot: str
    state: str
    container_id: int | None
    custodian: str | None
    location_gln: str | None
    last_event_at: dt.datetime | None


@dataclass
class ReachedUnits:
    """Reads of one :class:`ReachedSet` on one connection."""

    connection: Connection
    reached: ReachedSet
    #: Up to this many shipping events in the repository, they are read first.
    FEW_SHIPMENTS: ClassVar[int] = 5_000
    _prefixes: list[UnitUriPrefix] | None = field(default=None, repr=False)

    @property
    def prefixes(self) -> list[UnitUriPrefix]:
        """The unit EPC prefixes of the products with units in the set: a statement per
        product reads the set once for each, so the others are left out."""
        if self._prefixes is None:
            present = self._product_ids()
            self._prefixes = [
                found for found in unit_uri_prefixes(self.connection) if found[0] in present
            ]
        return self._prefixes

    def _product_ids(self) -> set[int]:
        reached = self.reached
        present = {product_id for product_id, _ in reached.unit_keys}
        present |= set(products_of_lots(self.connection, reached.lot_ids))
        if reached.container_ids:
            present.update(
                self.connection.execute(
                    select(units.c.product_id)
                    .where(units.c.container_id.in_(reached.container_ids))
                    .distinct()
                ).scalars()
            )
        return present

    def condition(self) -> ColumnElement[bool]:
        """Whether a row of ``units`` is in the set."""
        reached = self.reached
        parts: list[ColumnElement[bool]] = []
        if reached.lot_ids:
            parts.append(units.c.lot_id.in_(reached.lot_ids))
        if reached.container_ids:
            parts.append(units.c.container_id.in_(reached.container_ids))
        by_product: dict[int, list[str]] = {}
        for product_id, serial in reached.unit_keys:
            by_product.setdefault(product_id, []).append(serial)
        for product_id, serials in sorted(by_product.items()):
            parts.append(and_(units.c.product_id == product_id, units.c.serial.in_(serials)))
        if not parts:
            return false()
        found = or_(*parts)
        if reached.holder is None:
            return found
        return and_(found, self._held(reached.holder))

    def _held(self, party: str) -> ColumnElement[bool]:
        """Whether the party holds the unit, or an event of its own named it."""
        held: list[ColumnElement[bool]] = [units.c.custodian_id == party]
        for product_id, prefix, escapes in self.prefixes:
            held.append(
                and_(
                    units.c.product_id == product_id,
                    exists(
                        select(1)
                        .select_from(
                            event_epcs.join(
                                epcis_events, epcis_events.c.id == event_epcs.c.event_pk
                            )
                        )
                        .where(
                            event_epcs.c.epc == unit_epc(prefix, escapes),
                            epcis_events.c.party_id + literal("") == party,
                        )
                    ),
                )
            )
        return or_(*held)

    def tallies(self) -> list[UnitTally]:
        """The set's units counted by state, custodian and place."""
        rows = self.connection.execute(
            select(units.c.state, units.c.custodian_id, units.c.location_gln, func.count())
            .where(self.condition())
            .group_by(units.c.state, units.c.custodian_id, units.c.location_gln)
        )
        return [UnitTally(state, custodian, gln, int(n)) for state, custodian, gln, n in rows]

    def areas(self, glns: Sequence[str]) -> dict[str, str]:
        """The ISO 3166-2 region, else the country, of each of ``glns`` that has one: from
        the place's own row where there is one, else from the territory of the party
        registered with the GLN where that is one area."""
        wanted = sorted(set(glns))
        if not wanted:
            return {}
        found: dict[str, str] = {}
        rows = self.connection.execute(
            select(parties.c.gln, parties.c.territory).where(parties.c.gln.in_(wanted))
        )
        for gln, territory in rows:
            if isinstance(territory, list) and len(territory) == 1:
                found[gln] = str(territory[0])
        places = self.connection.execute(
            select(locations.c.gln, locations.c.region, locations.c.country).where(
                locations.c.gln.in_(wanted)
            )
        )
        for gln, region, country in places:
            if region or country:
                found[gln] = region or country
        return found

    def party_areas(self, party_ids: Sequence[str]) -> dict[str, str]:
        """The area of each of ``party_ids`` whose territory is one area."""
        rows = self.connection.execute(
            select(parties.c.id, parties.c.territory).where(
                parties.c.id.in_(sorted(set(party_ids)))
            )
        )
        return {
            party: str(territory[0])
            for party, territory in rows
            if isinstance(territory, list) and len(territory) == 1
        }

    def lot_keys(self) -> list[tuple[str, str]]:
        """The GTIN and lot of every lot with units in the set."""
        rows = self.connection.execute(
            select(products.c.gtin, lots.c.lot)
            .where(
                lots.c.id.in_(select(units.c.lot_id).where(self.condition()).distinct()),
                products.c.id == lots.c.product_id,
            )
            .order_by(products.c.gtin, lots.c.lot)
        )
        return [(gtin, lot) for gtin, lot in rows]

    def container_counts(self) -> dict[int, int]:
        """Units of the set packed directly in each container."""
        rows = self.connection.execute(
            select(units.c.container_id, func.count())
            .where(self.condition(), units.c.container_id.is_not(None))
            .group_by(units.c.container_id)
        )
        return {int(container_id): int(n) for container_id, n in rows}

    def containers_up(self, container_ids: Sequence[int]) -> list[ContainerNode]:
        """``container_ids`` and every container they are inside, up to the pallets."""
        if not container_ids:
            return []
        chain = (
            select(containers.c.id, containers.c.parent_id)
            .where(containers.c.id.in_(sorted(set(container_ids))))
            .cte("chain", recursive=True)
        )
        chain = chain.union(
            select(containers.c.id, containers.c.parent_id).where(
                containers.c.id == chain.c.parent_id
            )
        )
        rows = self.connection.execute(
            select(containers.c.id, containers.c.epc, containers.c.kind, containers.c.parent_id)
            .where(containers.c.id.in_(select(chain.c.id)))
            .order_by(containers.c.epc)
        )
        return [ContainerNode(int(i), epc, kind, parent) for i, epc, kind, parent in rows]

    def shipments(self) -> list[ShipmentOfSet]:
        """The shipping events that named units of the set, with how many, oldest first.

        Where the repository's shipping events are few (:attr:`FEW_SHIPMENTS`), they are read
        first and each unit's rows of the index kept when their event is one of them, without
        reading the unit's other events (its commissioning, packing, receiving …)."""
        shipping = select(epcis_events.c.id).where(
            epcis_events.c.biz_step.in_(SHIPPING_STEPS),
            epcis_events.c.error_declaration_time.is_(None),
        )
        few = self.connection.execute(shipping.limit(self.FEW_SHIPMENTS + 1)).scalars().all()
        parts = []
        for product_id, prefix, escapes in self.prefixes:
            named = units.join(event_epcs, event_epcs.c.epc == unit_epc(prefix, escapes))
            kept: list[ColumnElement[bool]] = [event_epcs.c.role.in_(_MOVED_ROLES)]
            if len(few) <= self.FEW_SHIPMENTS:
                # "+ 0" keeps the event's index out: the units lead, the events are compared
                kept.append((event_epcs.c.event_pk + 0).in_(sorted(few)))
            else:
                named = named.join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk)
                kept.append(epcis_events.c.id.in_(shipping))
            parts.append(
                select(
                    event_epcs.c.event_pk.label("event_pk"),
                    units.c.serial.label("serial"),
                    literal(product_id).label("product_id"),
                )
                .select_from(named)
                .where(units.c.product_id == product_id, self.condition(), *kept)
            )
        if not parts:
            return []
        # a unit counts once per event, whatever roles the event names it under
        moved = union(*parts).subquery("moved")
        rows = self.connection.execute(
            select(
                epcis_events.c.event_id,
                epcis_events.c.event_time,
                epcis_events.c.party_id,
                func.count(),
            )
            .select_from(moved.join(epcis_events, epcis_events.c.id == moved.c.event_pk))
            .group_by(
                epcis_events.c.id,
                epcis_events.c.event_id,
                epcis_events.c.event_time,
                epcis_events.c.party_id,
            )
            .order_by(epcis_events.c.event_time, epcis_events.c.id)
        )
        return [ShipmentOfSet(event_id, utc(at), party, int(n)) for event_id, at, party, n in rows]

    def rows(self) -> Iterator[ReachedRow]:
        """Every unit of the set, by product and serial, with the time of the latest event
        that named it; read as the caller goes."""
        for product_id, prefix, escapes in self.prefixes:
            latest = (
                select(func.max(epcis_events.c.event_time))
                .select_from(
                    event_epcs.join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk)
                )
                .where(event_epcs.c.epc == unit_epc(prefix, escapes))
                .scalar_subquery()
            )
            statement = (
                select(
                    products.c.gtin,
                    units.c.serial,
                    lots.c.lot,
                    units.c.state,
                    units.c.container_id,
                    units.c.custodian_id,
                    units.c.location_gln,
                    latest,
                )
                .select_from(
                    units.join(lots, lots.c.id == units.c.lot_id).join(
                        products, products.c.id == units.c.product_id
                    )
                )
                .where(units.c.product_id == product_id, self.condition())
                .order_by(units.c.serial)
            )
            result = self.connection.execution_options(stream_results=True, yield_per=5_000)
            for row in result.execute(statement):
                yield _row(row)


def products_of_lots(connection: Connection, lot_ids: Sequence[int]) -> list[int]:
    """The products of the lots ``lot_ids``."""
    if not lot_ids:
        return []
    rows = connection.execute(
        select(lots.c.product_id).where(lots.c.id.in_(sorted(set(lot_ids)))).distinct()
    )
    return sorted(int(product_id) for product_id in rows.scalars())


def lot_id_of(connection: Connection, product_id: int, lot: str) -> int | None:
    """The key of a registered lot, if it is registered."""
    found = connection.execute(
        select(lots.c.id).where(lots.c.product_id == product_id, lots.c.lot == lot)
    ).scalar()
    return None if found is None else int(found)


def lot_ids_of(
    connection: Connection, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """The keys of the registered lots among ``keys`` (product id, lot)."""
    found: dict[tuple[int, str], int] = {}
    for product_id, lot in sorted(set(keys)):
        lot_id = lot_id_of(connection, product_id, lot)
        if lot_id is not None:
            found[(product_id, lot)] = lot_id
    return found


def _row(row: Any) -> ReachedRow:
    gtin, serial, lot, state, container_id, custodian, gln, last = row
    return ReachedRow(
        gtin=gtin,
        serial=serial,
        lot=lot,
        state=state,
        container_id=container_id,
        custodian=custodian,
        location_gln=gln,
        last_event_at=utc(last) if last is not None else None,
    )
