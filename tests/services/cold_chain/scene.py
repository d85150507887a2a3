"""The cold chain tests' scene: units 1-10 of lot L1 commissioned at the plant at T0, 1-5
packed in case C1 and 6-10 in C2, both on the pallet, at T0; the pallet shipped to dist-a at
T0 + 2 h and received at dist-a's place at T0 + 10 h; unit 3 taken out of its case there at T0 + 10.5 h, shipped to the pharmacy at
T0 + 11 h and dispensed at T0 + 14 h. Logger
PAL-1 rides on the pallet from T0 + 1 h until its receipt, reading every 5 minutes; logger
WH-A is on dist-a's place from T0 + 10 h, reading every 10 minutes until T0 + 16 h. Readings
and attachments are written straight to the store, as the upload and the attachment routes
store them; each test says what the loggers read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import insert, select

from tests.services.issued_units import ADMIN, DIST_A, DIST_A_GLN, GTIN, LINE, LOT, PHARMACY, T0
from tests.services.lifecycle.scenes import CASE_1, CASE_2, HOUR, PALLET, PALLET_EPC, code, done
from unitrace.coldchain import StorageConditions
from unitrace.coldchain.instants import epoch_ms
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle import (
    aggregate,
    allocate,
    change_state,
    commission,
    disaggregate,
    receive,
    ship,
)
from unitrace.store.schema import (
    products,
    sensor_attachments,
    sensor_devices,
    sensor_readings,
)
from unitrace.store.storage_conditions import StorageConditionsStore
from unitrace.store.unit_of_work import Database, UnitOfWork

MINUTE = dt.timedelta(minutes=1)
PALLET_LOGGER, PLACE_LOGGER = "PAL-1", "WH-A"
SHIPPED, RECEIVED, DISPENSED = T0 + 2 * HOUR, T0 + 10 * HOUR, T0 + 14 * HOUR


def build_cold_chain_scene(database: Database) -> None:
    def build(uow: UnitOfWork) -> None:
        commission(
            uow, gtin=GTIN, lot=LOT, seq_from=1, seq_to=10, actor=LINE, location_gln=None, at=T0
        )
        aggregate(uow, parent=CASE_1, children=[code(n) for n in range(1, 6)], actor=LINE, at=T0)
        aggregate(uow, parent=CASE_2, children=[code(n) for n in range(6, 11)], actor=LINE, at=T0)
        aggregate(uow, parent=PALLET, children=[CASE_1, CASE_2], actor=LINE, at=T0)
        ship(uow, codes=[PALLET], party="dist-a", actor=ADMIN, at=SHIPPED)
        receive(uow, codes=[PALLET], actor=DIST_A, location_gln=DIST_A_GLN, at=RECEIVED)
        disaggregate(
            uow, parent=CASE_1, children=[code(3)], actor=DIST_A, at=RECEIVED + 30 * MINUTE
        )
        allocate(uow, party="pharmacy-1", actor=DIST_A, codes=[code(3)], at=RECEIVED + HOUR)
        change_state(uow, codes=[code(3)], to=UnitState.SUPPLIED, actor=PHARMACY, at=DISPENSED)

    done(database, build)


def set_conditions(database: Database, conditions: StorageConditions) -> None:
    def write(uow: UnitOfWork) -> None:
        product_id = uow.connection.execute(
            select(products.c.id).where(products.c.gtin == GTIN.value)
        ).scalar_one()
        StorageConditionsStore(uow.connection).put(product_id, conditions, T0, "tests")

    done(database, write)


def logged(
    database: Database,
    device: str,
    *,
    kind: str,
    target: str,
    attached: tuple[dt.datetime, dt.datetime | None],
    readings: Sequence[tuple[dt.datetime, float]],
) -> None:
    """Device ``device`` attached to ``target`` for ``attached``, with ``readings``."""

    def write(uow: UnitOfWork) -> None:
        device_id = uow.connection.execute(
            insert(sensor_devices)
            .values(device=device, created_at=T0)
            .returning(sensor_devices.c.id)
        ).scalar_one()
        start, end = attached
        uow.connection.execute(
            insert(sensor_attachments).values(
                device_id=device_id,
                target_kind=kind,
                target=target,
                from_ms=epoch_ms(start),
                until_ms=None if end is None else epoch_ms(end),
                created_at=T0,
            )
        )
        if readings:
            uow.connection.execute(
                insert(sensor_readings),
                [
                    {"device_id": device_id, "at_ms": epoch_ms(at), "celsius": value}
                    for at, value in readings
                ],
            )

    done(database, write)


def every(
    start: dt.datetime, end: dt.datetime, step: dt.timedelta, value: Callable[[dt.datetime], float]
) -> list[tuple[dt.datetime, float]]:
    """Readings from ``start`` to ``end`` (not included), one each ``step``."""
    found: list[tuple[dt.datetime, float]] = []
    at = start
    while at < end:
        found.append((at, value(at)))
        at += step
    return found


def pallet_and_place(
    database: Database,
    pallet: Callable[[dt.datetime], float],
    place: Callable[[dt.datetime], float],
) -> None:
    """The scene's two loggers, reading what ``pallet`` and ``place`` say."""
    logged(
        database,
        PALLET_LOGGER,
        kind="container",
        target=PALLET_EPC,
        attached=(T0 + HOUR, RECEIVED),
        readings=every(T0 + HOUR, RECEIVED, 5 * MINUTE, pallet),
    )
    logged(
        database,
        PLACE_LOGGER,
        kind="location",
        target=DIST_A_GLN,
        attached=(RECEIVED, None),
        readings=every(RECEIVED, T0 + 16 * HOUR, 10 * MINUTE, place),
    )
