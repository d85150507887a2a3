"""Where units and containers were, read from the event index: the events that moved them
(packed into or out of a container, shipped, received, placed), oldest first, for the cold
chain to stitch a unit's exposure from; the devices attached to what held them; a device's
readings over a span of time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    case,
    cast,
    func,
    select,
)

from unitrace.coldchain.instants import epoch_ms
from unitrace.store.held_epcs import serial_in, unit_epc
from unitrace.store.schema import (
    containers,
    epcis_events,
    event_epcs,
    products,
    units,
)

#: The roles in which an event moves what it names: its objects, an aggregation's children,
#: the units inside a container a captured event names, and a container packed (the events
#: that fill it tell where it was).
MOVED_ROLES: Final = ("epc", "child", "contained", "parent")
#: How many EPCs one statement asks for.
_AT_ONCE: Final = 500


@dataclass(frozen=True, slots=True)
class Move:
    """An event that names ``epc`` in ``role``: when, what kind, its step and place, and the
    parent an aggregation names."""

    at_ms: int
    event_pk: int
    event_id: str
    type: str
    action: str | None
    biz_step: str | None
    biz_location: str | None
    role: str
    epc: str
    parent: str | None


_PARENT: Final = event_epcs.alias("parent")
#: An event's columns a move needs, with the parent an aggregation names.
_EVENT_COLUMNS: Final = (
    epcis_events.c.id,
    epcis_events.c.event_id,
    epcis_events.c.type,
    epcis_events.c.action,
    epcis_events.c.event_time,
    epcis_events.c.biz_step,
    epcis_events.c.biz_location,
    _PARENT.c.epc.label("parent"),
)


def _with_parent(source: FromClause) -> FromClause:
    """``source`` (with ``epcis_events``) joined to the parent its aggregations name."""
    return source.join(
        _PARENT,
        and_(
            _PARENT.c.event_pk == epcis_events.c.id,
            _PARENT.c.role == "parent",
            epcis_events.c.type == "AggregationEvent",
        ),
        isouter=True,
    )


def _move(row: Any, role: str, epc: str) -> Move:
    return Move(
        epoch_ms(row.event_time),
        row.id,
        row.event_id,
        row.type,
        row.action,
        row.biz_step,
        row.biz_location,
        role,
        epc,
        row.parent,
    )


def moves_of(
    connection: Connection, epcs: Collection[str], roles: Sequence[str] = MOVED_ROLES
) -> list[Move]:
    """The events that name any of ``epcs`` in ``roles`` (by default: moved them), declared
    in error: not, oldest first."""
    wanted = sorted(set(epcs))
    found: list[Move] = []
    named = event_epcs.join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk)
    for start in range(0, len(wanted), _AT_ONCE):
        rows = connection.execute(
            select(*_EVENT_COLUMNS, event_epcs.c.role, event_epcs.c.epc)
            .select_from(_with_parent(named))
            .where(
                event_epcs.c.epc.in_(wanted[start : start + _AT_ONCE]),
                event_epcs.c.role.in_(roles),
                epcis_events.c.error_declaration_time.is_(None),
            )
        )
        found.extend(_move(row, row.role, row.epc) for row in rows)
    found.sort(key=lambda move: (move.at_ms, move.event_pk))
    return found


class UnitMove(NamedTuple):
    """An event that named a unit of a lot: the unit's serial, the event's key and time, how
    it placed the unit (``a`` an aggregation, ``s`` a shipment, ``p`` an event at a place,
    empty: it placed it nowhere, and only tells when its time began) and where, for an event
    at a place."""

    serial: str
    event_pk: int
    at_ms: int
    placing: str
    place: str | None


def _epoch_ms_of(connection: Connection, column: ColumnElement[Any]) -> ColumnElement[int]:
    """``column``, a timestamp, in whole milliseconds since the epoch, computed by the
    database (a hundred thousand rows parsed in Python would cost a second)."""
    if connection.dialect.name == "postgresql":
        return cast(func.round(func.extract("epoch", column) * 1000), BigInteger)
    return cast(func.round((func.julianday(column) - 2440587.5) * 86_400_000), BigInteger)


def lot_unit_moves(
    connection: Connection,
    lot_id: int,
    prefix: str,
    escapes: tuple[tuple[str, str], ...],
    shipping_steps: Sequence[str],
) -> list[UnitMove]:
    """Each unit of lot ``lot_id`` with each event that named it (declared in error: not), by
    unit and event: one statement over the lot's units, the index and the events, its rows
    read as the driver gives them."""
    placing = case(
        (epcis_events.c.type == "AggregationEvent", "a"),
        (epcis_events.c.biz_step.in_(shipping_steps), "s"),
        (epcis_events.c.biz_location.is_not(None), "p"),
        else_="",
    )
    statement = (
        select(
            units.c.serial,
            event_epcs.c.event_pk,
            _epoch_ms_of(connection, epcis_events.c.event_time),
            placing,
            epcis_events.c.biz_location,
        )
        .select_from(
            units.join(event_epcs, event_epcs.c.epc == unit_epc(prefix, escapes)).join(
                epcis_events, epcis_events.c.id == event_epcs.c.event_pk
            )
        )
        .where(
            units.c.lot_id == lot_id,
            event_epcs.c.role.in_(MOVED_ROLES),
            epcis_events.c.error_declaration_time.is_(None),
        )
        .order_by(units.c.serial, event_epcs.c.event_pk)
    )
    if connection.dialect.name == "postgresql":
        # the lot's moves sorted in memory, not in files: a hundred thousand units' four
        # hundred thousand rows are some 30 MB; for this transaction only
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    # plain tuples in UnitMove's order: four hundred thousand of them, made by the driver
    return driver_rows(connection, statement)  # type: ignore[return-value]


def driver_rows(connection: Connection, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` as the driver gives them, fetched at once: for the hundreds
    of thousands of plain values a lot's units bring, which SQLAlchemy would wrap row by row.
    Only for columns that need no conversion (text, integers, floats)."""
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    parameters: Any = compiled.params
    if compiled.positiontup is not None:
        parameters = tuple(compiled.params[name] for name in compiled.positiontup)
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), parameters)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    return rows


def events_by_pk(connection: Connection, pks: Collection[int]) -> dict[int, Move]:
    """The events ``pks`` as moves (role and EPC left empty; an aggregation's parent given),
    those declared in error left out."""
    wanted = sorted(set(pks))
    found: dict[int, Move] = {}
    for start in range(0, len(wanted), _AT_ONCE):
        rows = connection.execute(
            select(*_EVENT_COLUMNS)
            .select_from(_with_parent(epcis_events))
            .where(
                epcis_events.c.id.in_(wanted[start : start + _AT_ONCE]),
                epcis_events.c.error_declaration_time.is_(None),
            )
        )
        found.update((row.id, _move(row, "", "")) for row in rows)
    return found


def products_in(connection: Connection, container_ids: Collection[int]) -> set[int]:
    """The products of the units inside ``container_ids``."""
    return _distinct(connection, units.c.product_id, units.c.container_id, container_ids)


def _distinct(
    connection: Connection,
    column: ColumnElement[Any],
    among: ColumnElement[Any],
    values: Collection[Any],
) -> set[Any]:
    """The distinct ``column`` of the rows whose ``among`` is one of ``values``, a few hundred
    values a statement."""
    wanted = sorted(set(values))
    found: set[Any] = set()
    for start in range(0, len(wanted), _AT_ONCE):
        found.update(
            connection.execute(
                select(column).where(among.in_(wanted[start : start + _AT_ONCE])).distinct()
            ).scalars()
        )
    return found


def lot_unit_ends(connection: Connection, lot_id: int, states: Collection[str]) -> dict[str, int]:
    """The units of lot ``lot_id`` in one of ``states`` (out of the chain), with when they
    entered it."""
    rows = connection.execute(
        select(units.c.serial, units.c.state_since).where(
            units.c.lot_id == lot_id,
            units.c.state.in_(sorted(str(state) for state in states)),
            units.c.state_since.is_not(None),
        )
    )
    return {serial: epoch_ms(since) for serial, since in rows}


def lot_serials_held(connection: Connection, lot_id: int, party_id: str) -> set[str]:
    """The serials of lot ``lot_id`` that ``party_id`` holds."""
    return set(
        connection.execute(
            select(units.c.serial).where(units.c.lot_id == lot_id, units.c.custodian_id == party_id)
        ).scalars()
    )


def product_gtin(connection: Connection, product_id: int) -> str | None:
    """The GTIN of product ``product_id``."""
    found = connection.execute(
        select(products.c.gtin).where(products.c.id == product_id)
    ).scalar_one_or_none()
    return None if found is None else str(found)


def events_naming_any(connection: Connection, epcs: Collection[str]) -> set[int]:
    """The keys of the events that name any of ``epcs``, in any role."""
    return _distinct(connection, event_epcs.c.event_pk, event_epcs.c.epc, epcs)


def events_at(connection: Connection, places: Collection[str]) -> set[int]:
    """The keys of the events at any of ``places`` (business locations, as events spell
    them)."""
    return set(
        connection.execute(
            select(epcis_events.c.id).where(epcis_events.c.biz_location.in_(sorted(set(places))))
        ).scalars()
    )


def event_pks_of(connection: Connection, event_ids: Collection[str]) -> set[int]:
    """The keys of the events ``event_ids``."""
    return set(
        connection.execute(
            select(epcis_events.c.id).where(epcis_events.c.event_id.in_(sorted(set(event_ids))))
        ).scalars()
    )


def containers_named(connection: Connection, pks: Collection[int]) -> set[str]:
    """The containers (registered) the events ``pks`` name, in any role."""
    wanted = sorted(set(pks))
    found: set[str] = set()
    for start in range(0, len(wanted), _AT_ONCE):
        found.update(
            connection.execute(
                select(containers.c.epc)
                .select_from(containers.join(event_epcs, event_epcs.c.epc == containers.c.epc))
                .where(event_epcs.c.event_pk.in_(wanted[start : start + _AT_ONCE]))
                .distinct()
            ).scalars()
        )
    return found


def lots_named(
    connection: Connection,
    pks: Collection[int],
    prefixes: Sequence[tuple[int, str, tuple[tuple[str, str], ...]]],
) -> set[tuple[int, int]]:
    """The (product, lot) of every unit the events ``pks`` move, by the event index."""
    wanted = sorted(set(pks))
    found: set[tuple[int, int]] = set()
    for product_id, prefix, escapes in prefixes:
        for start in range(0, len(wanted), _AT_ONCE):
            rows = connection.execute(
                select(units.c.product_id, units.c.lot_id)
                .select_from(
                    event_epcs.join(
                        units,
                        and_(
                            units.c.product_id == product_id,
                            units.c.serial == serial_in(event_epcs.c.epc, prefix, escapes),
                        ),
                    )
                )
                .where(
                    event_epcs.c.event_pk.in_(wanted[start : start + _AT_ONCE]),
                    event_epcs.c.role.in_(MOVED_ROLES),
                    event_epcs.c.epc >= prefix,
                    event_epcs.c.epc < prefix + "\uffff",
                )
                .distinct()
            )
            found.update((product, lot) for product, lot in rows)
    return found
