"""Where units and containers were, read from the event index: the events that moved them
(packed into or out of a container, shipped, received, placed), oldest first, for the cold
chain to stitch a unit's exposure from; the devices attached to what held them; a device's
readings over a span of time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import numpy as np
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    cast,
    func,
    select,
)

from unitrace.coldchain import ExcursionAllowance, MktLimit, MktWindow, StorageConditions
from unitrace.coldchain.exposure import Series
from unitrace.store.held_epcs import serial_in, unit_epc
from unitrace.store.schema import (
    containers,
    epcis_events,
    event_epcs,
    products,
    sensor_attachments,
    sensor_devices,
    sensor_readings,
    storage_conditions,
    units,
)
from unitrace.store.times import utc

#: The roles in which an event moves what it names: its objects, an aggregation's children,
#: the units inside a container a captured event names, and a container packed (the events
#: that fill it tell where it was).
MOVED_ROLES: Final = ("epc", "child", "contained", "parent")
#: How many EPCs one statement asks for.
_AT_ONCE: Final = 500


def epoch_ms(moment: dt.datetime) -> int:
    """A time as whole milliseconds since the Unix epoch.

    >>> epoch_ms(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    1767225600000
    """
    return int(utc(moment).timestamp() * 1000)


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


def moves_of(
    connection: Connection, epcs: Collection[str], roles: Sequence[str] = MOVED_ROLES
) -> list[Move]:
    """The events that name any of ``epcs`` in ``roles`` (by default: moved them), declared
    in error: not, oldest first."""
    wanted = sorted(set(epcs))
    parent = event_epcs.alias("parent")
    found: list[Move] = []
    for start in range(0, len(wanted), _AT_ONCE):
        rows = connection.execute(
            select(
                epcis_events.c.id,
                epcis_events.c.event_id,
                epcis_events.c.type,
                epcis_events.c.action,
                epcis_events.c.event_time,
                epcis_events.c.biz_step,
                epcis_events.c.biz_location,
                event_epcs.c.role,
                event_epcs.c.epc,
                parent.c.epc.label("parent"),
            )
            .select_from(
                event_epcs.join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk).join(
                    parent,
                    and_(
                        parent.c.event_pk == event_epcs.c.event_pk,
                        parent.c.role == "parent",
                        epcis_events.c.type == "AggregationEvent",
                    ),
                    isouter=True,
                )
            )
            .where(
                event_epcs.c.epc.in_(wanted[start : start + _AT_ONCE]),
                event_epcs.c.role.in_(roles),
                epcis_events.c.error_declaration_time.is_(None),
            )
        )
        found.extend(
            Move(
                epoch_ms(row.event_time),
                row.id,
                row.event_id,
                row.type,
                row.action,
                row.biz_step,
                row.biz_location,
                row.role,
                row.epc,
                row.parent,
            )
            for row in rows
        )
    found.sort(key=lambda move: (move.at_ms, move.event_pk))
    return found


@dataclass(frozen=True, slots=True)
class Attachment:
    """A device attached to ``target`` (of ``kind``) from ``from_ms`` until ``until_ms``
    (open: None)."""

    device_id: int
    device: str
    kind: str
    target: str
    from_ms: int
    until_ms: int | None


def attachments_to(connection: Connection, targets: Iterable[tuple[str, str]]) -> list[Attachment]:
    """The attachments of devices to any of ``targets`` (kind, target), by the index of
    targets, a few hundred at once."""
    wanted = set(targets)
    names = sorted({target for _, target in wanted})
    found: list[Attachment] = []
    for start in range(0, len(names), _AT_ONCE):
        rows = connection.execute(
            select(
                sensor_attachments.c.device_id,
                sensor_devices.c.device,
                sensor_attachments.c.target_kind,
                sensor_attachments.c.target,
                sensor_attachments.c.from_ms,
                sensor_attachments.c.until_ms,
            )
            .select_from(
                sensor_attachments.join(
                    sensor_devices, sensor_devices.c.id == sensor_attachments.c.device_id
                )
            )
            .where(sensor_attachments.c.target.in_(names[start : start + _AT_ONCE]))
        )
        found.extend(Attachment(*row) for row in rows if (row.target_kind, row.target) in wanted)
    found.sort(key=lambda attachment: (attachment.from_ms, attachment.device_id))
    return found


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def series_of(connection: Connection, device_id: int, from_ms: int, until_ms: int) -> Series:
    """The readings of ``device_id`` from the one standing at ``from_ms`` (the latest at or
    before it) to ``until_ms`` (not included), read on the driver's cursor into arrays: a
    trip's hundred thousand readings are plain numbers, which SQLAlchemy's rows would wrap one
    by one. The columns only range reports fill are read only where some reading has them."""
    mark = _placeholder(connection)
    table = sensor_readings.name
    driver: Any = connection.connection.driver_connection
    # PostgreSQL's binary format: numbers as they are, not as text to parse (40 % faster)
    cursor: Any = driver.cursor(binary=True) if mark == "%s" else driver.cursor()
    try:
        cursor.execute(
            f"SELECT max(at_ms) FROM {table} WHERE device_id = {mark} AND at_ms <= {mark}",
            (device_id, from_ms),
        )
        standing = cursor.fetchone()[0]
        bounds = (device_id, from_ms if standing is None else standing, until_ms)
        where = f"WHERE device_id = {mark} AND at_ms >= {mark} AND at_ms < {mark}"
        cursor.execute(
            f"SELECT count(until_ms) + count(min_c) + count(max_c) FROM {table} {where}", bounds
        )
        ranged = bool(cursor.fetchone()[0])
        columns = "at_ms, celsius, until_ms, min_c, max_c" if ranged else "at_ms, celsius"
        cursor.execute(f"SELECT {columns} FROM {table} {where} ORDER BY at_ms", bounds)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    if not ranged:
        flat = np.fromiter(
            itertools.chain.from_iterable(rows), dtype=np.float64, count=2 * len(rows)
        ).reshape(-1, 2)
        return Series(flat[:, 0].astype(np.int64), flat[:, 1].copy())
    times, celsius, until, lows, highs = (list(column) for column in zip(*rows, strict=True))
    return Series.of(
        times,
        celsius,
        until,
        [value if low is None else low for value, low in zip(celsius, lows, strict=True)],
        [value if high is None else high for value, high in zip(celsius, highs, strict=True)],
    )


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
    parent = event_epcs.alias("parent")
    found: dict[int, Move] = {}
    for start in range(0, len(wanted), _AT_ONCE):
        rows = connection.execute(
            select(
                epcis_events.c.id,
                epcis_events.c.event_id,
                epcis_events.c.type,
                epcis_events.c.action,
                epcis_events.c.event_time,
                epcis_events.c.biz_step,
                epcis_events.c.biz_location,
                parent.c.epc.label("parent"),
            )
            .select_from(
                epcis_events.join(
                    parent,
                    and_(
                        parent.c.event_pk == epcis_events.c.id,
                        parent.c.role == "parent",
                        epcis_events.c.type == "AggregationEvent",
                    ),
                    isouter=True,
                )
            )
            .where(
                epcis_events.c.id.in_(wanted[start : start + _AT_ONCE]),
                epcis_events.c.error_declaration_time.is_(None),
            )
        )
        for row in rows:
            found[row.id] = Move(
                epoch_ms(row.event_time),
                row.id,
                row.event_id,
                row.type,
                row.action,
                row.biz_step,
                row.biz_location,
                "",
                "",
                row.parent,
            )
    return found


def products_in(connection: Connection, container_ids: Collection[int]) -> set[int]:
    """The products of the units inside ``container_ids``."""
    wanted = sorted(set(container_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), _AT_ONCE):
        found.update(
            connection.execute(
                select(units.c.product_id)
                .where(units.c.container_id.in_(wanted[start : start + _AT_ONCE]))
                .distinct()
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


def storage_conditions_of(
    connection: Connection, product_ids: Collection[int]
) -> dict[int, StorageConditions]:
    """The storage conditions of ``product_ids`` that have them."""
    rows = connection.execute(
        select(storage_conditions).where(
            storage_conditions.c.product_id.in_(sorted(set(product_ids)))
        )
    )
    found: dict[int, StorageConditions] = {}
    for row in rows:
        excursion = (
            ExcursionAllowance(row.excursion_min_c, row.excursion_max_c, row.excursion_max_minutes)
            if row.excursion_max_minutes is not None
            else None
        )
        found[row.product_id] = StorageConditions(
            row.min_c,
            row.max_c,
            MktLimit(row.mkt_max_c, MktWindow(row.mkt_window), row.delta_h_over_r),
            excursion,
        )
    return found


def product_gtin(connection: Connection, product_id: int) -> str | None:
    """The GTIN of product ``product_id``."""
    found = connection.execute(
        select(products.c.gtin).where(products.c.id == product_id)
    ).scalar_one_or_none()
    return None if found is None else str(found)


def attached_units(connection: Connection, uri_prefix: str) -> set[str]:
    """The EPCs of the units (of the product whose EPCs start with ``uri_prefix``) that a
    device was ever attached to."""
    return set(
        connection.execute(
            select(sensor_attachments.c.target)
            .where(
                sensor_attachments.c.target_kind == "unit",
                sensor_attachments.c.target >= uri_prefix,
                sensor_attachments.c.target < uri_prefix + "\uffff",
            )
            .distinct()
        ).scalars()
    )


def events_naming_any(connection: Connection, epcs: Collection[str]) -> set[int]:
    """The keys of the events that name any of ``epcs``, in any role."""
    wanted = sorted(set(epcs))
    found: set[int] = set()
    for start in range(0, len(wanted), _AT_ONCE):
        found.update(
            connection.execute(
                select(event_epcs.c.event_pk)
                .where(event_epcs.c.epc.in_(wanted[start : start + _AT_ONCE]))
                .distinct()
            ).scalars()
        )
    return found


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
