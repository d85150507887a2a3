"""The events that name one lot: by its class (quantity lists, a partner's component lot) and
through its serialized units, with how many of the lot's units each event names on each side
of a transformation; and the names the FSMA 204 spreadsheet gives the places and products
those events name (master data, the registered locations and parties, the catalog).

A lot's units are found in the event index by their EPCs, each by index, so that reading a lot
of 100,000 units among millions of events costs the lot, not the repository. Where the
repository's events of the steps asked for are few, they are read first and each unit's rows
kept only when their event is one of them (as :meth:`~unitrace.store.reached_units
.ReachedUnits.shipments` does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Subquery,
    Text,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    union,
)

from unitrace.store.held_epcs import UnitUriPrefix, unit_epc
from unitrace.store.schema import (
    epcis_events,
    event_canonical_epcs,
    event_epcs,
    locations,
    lots,
    parties,
    products,
    units,
    vocabulary_elements,
)
from unitrace.store.times import utc

#: Up to this many events of the steps asked for in the repository, they are read first.
FEW_EVENTS: Final = 5_000
#: The side of a transformation each role of the index is on; every other role moves the
#: object as a whole (``epc``, ``child``, ``contained``, ``quantity``).
INPUT_ROLES: Final = ("input", "input_quantity")
OUTPUT_ROLES: Final = ("output", "output_quantity")
#: A container's own row: a container names no unit of a lot by itself.
_NOT_COUNTED: Final = ("parent",)


@dataclass(frozen=True, slots=True)
class LotEvent:
    """An event naming a lot, as stored, with the lot's units it names on each side
    (``input``, ``output``, ``object``) and whether it names the lot's class."""

    pk: int
    event_id: str
    type: str
    action: str | None
    event_time: dt.datetime
    time_zone_offset: str
    biz_step: str | None
    read_point: str | None
    biz_location: str | None
    document: Mapping[str, Any]
    units: Mapping[str, int]
    #: how many events this one stands for (an :class:`EventGroup`'s), the first captured
    events: int = 1


def _side(role: ColumnElement[str]) -> ColumnElement[str]:
    return case(
        (role.in_(INPUT_ROLES), literal("input", String)),
        (role.in_(OUTPUT_ROLES), literal("output", String)),
        else_=literal("object", String),
    )


def lot_unit_counts(
    connection: Connection,
    *,
    lot_id: int,
    prefix: UnitUriPrefix,
    steps: Sequence[str],
    holder: str | None = None,
) -> dict[int, dict[str, int]]:
    """Event pk → side → how many units of the lot the event names there, for the events
    of ``steps`` (as stored) and every transformation (found by the roles of its inputs and
    outputs); a unit counts once per event and side. Events declared in error are counted
    too: :func:`lot_events` leaves them out. With a ``holder`` (a party's view), only the
    units it holds or held count: in its custody now, or named by an event of its own."""
    moved = _moved(connection, lot_id=lot_id, prefix=prefix, steps=steps, holder=holder)
    rows = connection.execute(
        select(moved.c.event_pk, moved.c.side, func.count()).group_by(
            moved.c.event_pk, moved.c.side
        )
    )
    counts: dict[int, dict[str, int]] = {}
    for pk, side, count in rows:
        counts.setdefault(int(pk), {})[str(side)] = int(count)
    return counts


def _moved(
    connection: Connection,
    *,
    lot_id: int,
    prefix: UnitUriPrefix,
    steps: Sequence[str],
    holder: str | None,
) -> Subquery:
    """(event pk, side, serial): each unit of the lot an event of ``steps`` or a
    transformation names, once per event and side."""
    _, uri_prefix, escapes = prefix
    few = (
        connection.execute(
            select(epcis_events.c.id)
            .where(epcis_events.c.biz_step.in_(steps))
            .limit(FEW_EVENTS + 1)
        )
        .scalars()
        .all()
    )
    named = units.join(event_epcs, event_epcs.c.epc == unit_epc(uri_prefix, escapes))
    genealogy = event_epcs.c.role.in_(INPUT_ROLES + OUTPUT_ROLES)
    if len(few) <= FEW_EVENTS:
        # "+ 0" keeps the event's index out: the units lead, the events are compared
        wanted = or_(genealogy, (event_epcs.c.event_pk + 0).in_(sorted(few)))
    else:
        named = named.join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk)
        wanted = or_(genealogy, epcis_events.c.biz_step.in_(steps))
    conditions = [
        # the lot leads (its unique index with seq): a product's other lots are not read
        units.c.lot_id == lot_id,
        event_epcs.c.role.not_in(_NOT_COUNTED),
        wanted,
    ]
    if holder is not None:
        own = epcis_events.alias("own_event")
        mine = event_epcs.alias("mine")
        conditions.append(
            or_(
                units.c.custodian_id == holder,
                exists(
                    select(1)
                    .select_from(mine.join(own, own.c.id == mine.c.event_pk))
                    # the party is compared, never sought: its index stays out
                    .where(mine.c.epc == event_epcs.c.epc, own.c.party_id + literal("") == holder)
                ),
            )
        )
    return (
        select(
            event_epcs.c.event_pk.label("event_pk"),
            _side(event_epcs.c.role).label("side"),
            units.c.serial.label("serial"),
        )
        .select_from(named)
        .where(*conditions)
        .distinct()
        .subquery("moved")
    )


@dataclass(frozen=True, slots=True)
class EventGroup:
    """Events naming a lot's units that make the same spreadsheet row but for their
    quantity: of one kind, step, place, minute and time zone, with the same sources,
    destinations and business transactions, naming the lot's units as objects (no
    transformation, no quantity list). ``pk`` is the first captured; ``units`` sums them."""

    pk: int
    events: int
    first_time: dt.datetime
    units: Mapping[str, int]


#: The parts of an event's document a group's events hold alike (as stored).
GROUPED_PARTS: Final = ("sourceList", "destinationList", "bizTransactionList")
#: The parts that make an event a group of its own: its quantities are its own.
LONE_PARTS: Final = (
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
)


def lot_event_groups(
    connection: Connection,
    *,
    lot_id: int,
    prefix: UnitUriPrefix,
    steps: Sequence[str],
    holder: str | None = None,
    seen: ColumnElement[bool] | None = None,
) -> list[EventGroup]:
    """The events naming the lot's units (as :func:`lot_unit_counts` finds them, leaving
    out those declared in error and those ``seen`` does not hold of), grouped in the
    database so that a lot of 100,000 units commissioned one by one is read as a group per
    minute, not an event per unit. A transformation, an event with a quantity list, is a
    group of its own, with its units per side."""
    moved = _moved(connection, lot_id=lot_id, prefix=prefix, steps=steps, holder=holder)
    counted = (
        select(moved.c.event_pk, moved.c.side, func.count().label("units"))
        .group_by(moved.c.event_pk, moved.c.side)
        .subquery("counted")
    )
    event = epcis_events
    dialect = connection.dialect.name
    lone = or_(
        event.c.type == "TransformationEvent",
        counted.c.side != "object",
        *(_document_part(dialect, name).is_not(None) for name in LONE_PARTS),
    )
    keys = [
        case((lone, event.c.id), else_=None),
        counted.c.side,
        event.c.type,
        event.c.action,
        event.c.biz_step,
        event.c.read_point,
        event.c.biz_location,
        event.c.event_time_zone_offset,
        _minute(dialect, event.c.event_time),
        *(_document_part(dialect, name) for name in GROUPED_PARTS),
    ]
    statement = (
        select(
            func.min(event.c.id),
            func.count(),
            func.min(event.c.event_time),
            counted.c.side,
            func.sum(counted.c.units),
        )
        .select_from(counted.join(event, event.c.id == counted.c.event_pk))
        .where(event.c.error_declaration_time.is_(None), *([] if seen is None else [seen]))
        .group_by(*keys)
    )
    if dialect == "postgresql":
        # PostgreSQL's estimates favour hashing the whole event index against the lot's
        # units; walking it by index from each unit is twice as fast (measured at 100,000
        # units among 2,000,000 events), and the statement is too short to gain from JIT
        connection.execute(text("SET LOCAL enable_hashjoin = off"))
        connection.execute(text("SET LOCAL jit = off"))
    grouped = connection.execute(statement).all()
    if dialect == "postgresql":
        # (a statement that fails ends the transaction, and the settings with it)
        connection.execute(text("RESET enable_hashjoin"))
        connection.execute(text("RESET jit"))
    found: dict[int, tuple[int, dt.datetime, dict[str, int]]] = {}
    for pk, events, first_time, side, total in grouped:
        # a transformation's sides are groups of one event each: one group again
        _, _, sides = found.setdefault(int(pk), (int(events), utc(first_time), {}))
        sides[str(side)] = int(total)
    return [
        EventGroup(pk, events, first_time, sides)
        for pk, (events, first_time, sides) in found.items()
    ]


def _document_part(dialect: str, name: str) -> ColumnElement[Any]:
    """A part of an event's document as text, or NULL where the document has none."""
    if dialect == "postgresql":
        return cast(epcis_events.c.document.op("->")(literal(name)), Text)
    return func.json_extract(epcis_events.c.document, f"$.{name}")


def _minute(dialect: str, time: ColumnElement[dt.datetime]) -> ColumnElement[Any]:
    """The minute of a stored time (in UTC): a minute is within one day at any offset."""
    if dialect == "postgresql":
        return func.date_trunc("minute", time)
    return func.substr(time, 1, 16)


def class_event_pks(connection: Connection, names: Sequence[str]) -> set[int]:
    """The events naming the lot's class in any of its spellings ``names`` (its quantity
    lists, and the canonical index of Digital Links spelled otherwise)."""
    if not names:
        return set()
    found = union(
        select(event_epcs.c.event_pk).where(event_epcs.c.epc.in_(names)),
        select(event_canonical_epcs.c.event_pk).where(event_canonical_epcs.c.epc.in_(names)),
    ).subquery()
    return {int(pk) for pk in connection.execute(select(found.c.event_pk)).scalars()}


def lot_events(
    connection: Connection,
    counts: Mapping[int, Mapping[str, int]],
    seen: ColumnElement[bool] | None = None,
) -> list[LotEvent]:
    """The events ``counts`` names (pk → the lot's units per side), as stored, oldest first;
    events declared in error are left out, and those ``seen`` (a condition on the event,
    a party's view) does not hold of."""
    pks = sorted(counts)
    found: list[LotEvent] = []
    for start in range(0, len(pks), 500):
        rows = connection.execute(
            select(
                epcis_events.c.id,
                epcis_events.c.event_id,
                epcis_events.c.type,
                epcis_events.c.action,
                epcis_events.c.event_time,
                epcis_events.c.event_time_zone_offset,
                epcis_events.c.biz_step,
                epcis_events.c.read_point,
                epcis_events.c.biz_location,
                epcis_events.c.document,
            ).where(
                epcis_events.c.id.in_(pks[start : start + 500]),
                epcis_events.c.error_declaration_time.is_(None),
                *([] if seen is None else [seen]),
            )
        )
        for row in rows:
            found.append(
                LotEvent(
                    pk=int(row.id),
                    event_id=row.event_id,
                    type=row.type,
                    action=row.action,
                    event_time=utc(row.event_time),
                    time_zone_offset=row.event_time_zone_offset,
                    biz_step=row.biz_step,
                    read_point=row.read_point,
                    biz_location=row.biz_location,
                    document=row.document,
                    units=dict(counts[int(row.id)]),
                )
            )
    found.sort(key=lambda event: (event.event_time, event.pk))
    return found


def epcs_named(connection: Connection, event_pk: int, roles: Sequence[str]) -> list[str]:
    """The EPCs an event names under ``roles``."""
    return list(
        connection.execute(
            select(event_epcs.c.epc)
            .where(event_epcs.c.event_pk == event_pk, event_epcs.c.role.in_(roles))
            .order_by(event_epcs.c.epc)
        ).scalars()
    )


def lots_of_units(
    connection: Connection, keys: Iterable[tuple[int, str]]
) -> dict[tuple[str, str], int]:
    """(GTIN, lot) → how many of the units ``keys`` (product id, serial) are of that lot."""
    by_product: dict[int, list[str]] = {}
    for product_id, serial in keys:
        by_product.setdefault(product_id, []).append(serial)
    counted: dict[tuple[str, str], int] = {}
    for product_id, serials in sorted(by_product.items()):
        for start in range(0, len(serials), 500):
            rows = connection.execute(
                select(products.c.gtin, lots.c.lot, func.count())
                .select_from(
                    units.join(lots, lots.c.id == units.c.lot_id).join(
                        products, products.c.id == units.c.product_id
                    )
                )
                .where(
                    units.c.product_id == product_id,
                    units.c.serial.in_(sorted(set(serials[start : start + 500]))),
                )
                .group_by(products.c.gtin, lots.c.lot)
            )
            for gtin, lot, count in rows:
                counted[(gtin, lot)] = counted.get((gtin, lot), 0) + int(count)
    return counted


@dataclass(frozen=True, slots=True)
class RegisteredLot:
    product_id: int
    lot_id: int
    lot: str
    site: str | None


def registered_lots(connection: Connection, gtin: str, lot: str | None) -> list[RegisteredLot]:
    """The registered lots of ``gtin`` (only ``lot``, where given), by lot."""
    statement = (
        select(lots.c.product_id, lots.c.id, lots.c.lot, lots.c.site)
        .join(products, products.c.id == lots.c.product_id)
        .where(products.c.gtin == gtin)
        .order_by(lots.c.lot)
    )
    if lot is not None:
        statement = statement.where(lots.c.lot == lot)
    return [
        RegisteredLot(int(product_id), int(lot_id), name, site)
        for product_id, lot_id, name, site in connection.execute(statement)
    ]


def product_names(connection: Connection, gtins: Iterable[str]) -> dict[str, str]:
    """The registered name of each of ``gtins`` that is registered."""
    wanted = sorted(set(gtins))
    if not wanted:
        return {}
    rows = connection.execute(
        select(products.c.gtin, products.c.name).where(products.c.gtin.in_(wanted))
    )
    return {str(gtin): str(name) for gtin, name in rows}


def master_data_attributes(
    connection: Connection, ids: Iterable[str]
) -> dict[str, list[Mapping[str, Any]]]:
    """The master data attributes of each of ``ids`` (a location, a party, a class), in any
    vocabulary; the attributes of the first vocabulary by name where several have the id."""
    wanted = sorted(set(ids))
    found: dict[str, list[Mapping[str, Any]]] = {}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(vocabulary_elements.c.id, vocabulary_elements.c.attributes)
            .where(vocabulary_elements.c.id.in_(wanted[start : start + 500]))
            .order_by(vocabulary_elements.c.type)
        )
        for element_id, attributes in rows:
            if isinstance(attributes, list) and element_id not in found:
                found[element_id] = attributes
    return found


@dataclass(frozen=True, slots=True)
class RegisteredPlace:
    """What unitrace registered at a GLN: a location of a party, or a party's own GLN."""

    name: str
    city: str | None
    region: str | None
    country: str | None


def registered_places(connection: Connection, glns: Iterable[str]) -> dict[str, RegisteredPlace]:
    """The registered place at each of ``glns``: its location where one is registered, else
    the party registered with that GLN."""
    wanted = sorted(set(glns))
    if not wanted:
        return {}
    found: dict[str, RegisteredPlace] = {}
    for gln, name in connection.execute(
        select(parties.c.gln, parties.c.name).where(parties.c.gln.in_(wanted))
    ):
        found[gln] = RegisteredPlace(name, None, None, None)
    rows = connection.execute(
        select(
            locations.c.gln, locations.c.name, locations.c.city, locations.c.region,
            locations.c.country,
        ).where(locations.c.gln.in_(wanted))
    )  # fmt: skip
    for gln, name, city, region, country in rows:
        found[gln] = RegisteredPlace(name, city, region, country)
    return found
