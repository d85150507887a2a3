"""The cold chain pictures' scene: the cold chain tests' trip (units 1-10 of lot L1 on a
pallet with logger PAL-1, received at dist-a's place with logger WH-A; unit 3 taken out there,
with a logger of its own, and sent on to the pharmacy), 2 to 8 °C with 0 to 12 °C allowed for
an hour: PAL-1 reads 11 °C for 20 minutes (an allowed excursion, every unit) and unit 3's
logger 20 °C (a breach, unit 3 alone). And excursions as judging records them, written
straight to the table, each test saying which."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select

from tests.services.cold_chain.scene import (
    MINUTE,
    RECEIVED,
    build_cold_chain_scene,
    every,
    logged,
    pallet_and_place,
    set_conditions,
)
from tests.services.issued_units import GTIN, LOT, T0, build_registry, issue
from tests.services.lifecycle.scenes import HOUR
from unitrace.coldchain import ExcursionAllowance, StorageConditions
from unitrace.coldchain.instants import epoch_ms
from unitrace.store.schema import (
    cold_chain_excursions,
    epcis_events,
    lots,
    products,
    sensor_devices,
)
from unitrace.store.unit_of_work import Database

UNIT_3_EPC = "urn:epc:id:sgtin:9506000.013435.S00003"
#: When the excursions below were judged: a day after the trip.
JUDGED = dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC)


def registered(database: Database) -> Database:
    """The registry and the trip, no conditions and no logger yet."""
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 10)
        uow.commit()
    build_cold_chain_scene(database)
    return database


def steady_trip(database: Database, *, conditions: bool, loggers: bool) -> Database:
    """The trip kept at 5 °C on the pallet and 4 °C at dist-a's, with 2 to 8 °C set or not
    and the loggers there or not."""
    registered(database)
    if conditions:
        set_conditions(database, StorageConditions.of(2, 8))
    if loggers:
        pallet_and_place(database, lambda _: 5.0, lambda _: 4.0)
    return database


def warm_trip(database: Database) -> Database:
    """The trip with its conditions and loggers (see the module)."""
    registered(database)
    set_conditions(database, StorageConditions.of(2, 8, excursion=ExcursionAllowance(0, 12, 60)))
    warm = (T0 + 5 * HOUR, T0 + 5 * HOUR + 20 * MINUTE)
    pallet_and_place(database, lambda at: 11.0 if warm[0] <= at < warm[1] else 5.0, lambda _: 4.0)
    logged(
        database,
        "U3",
        kind="unit",
        target=UNIT_3_EPC,
        attached=(RECEIVED + 30 * MINUTE, None),
        readings=every(RECEIVED + 30 * MINUTE, T0 + 14 * HOUR, 10 * MINUTE, lambda _: 20.0),
    )
    return database


@dataclass(frozen=True, slots=True)
class Judged:
    """An excursion as judging records it."""

    device: str
    kind: str
    target: str
    verdict: str
    peak_c: float
    minutes: float
    units: int
    judged_after: dt.timedelta
    gtin: str = GTIN.value
    held: bool = False

    @property
    def judged_at(self) -> dt.datetime:
        return JUDGED + self.judged_after


def shipment_to(database: Database, party: str) -> str:
    """The eventID of the trip's shipment to ``party``."""
    with database.unit_of_work(read_only=True) as uow:
        return str(
            uow.connection.execute(
                select(epcis_events.c.event_id).where(
                    epcis_events.c.party_id == party, epcis_events.c.biz_step.like("%shipping")
                )
            ).scalar_one()
        )


def record(database: Database, excursions: list[Judged]) -> None:
    """Write ``excursions`` as judging would, the trip's lot L1 (of their GTIN) each."""
    with database.unit_of_work() as uow:
        connection = uow.connection
        devices: dict[str, int] = {
            row.device: row.id for row in connection.execute(select(sensor_devices))
        }
        for index, found in enumerate(excursions):
            if found.device not in devices:
                devices[found.device] = connection.execute(
                    insert(sensor_devices)
                    .values(device=found.device, created_at=JUDGED)
                    .returning(sensor_devices.c.id)
                ).scalar_one()
            product_id, lot_id = connection.execute(
                select(products.c.id, lots.c.id)
                .join(lots, lots.c.product_id == products.c.id)
                .where(products.c.gtin == found.gtin, lots.c.lot == LOT)
            ).one()
            start = epoch_ms(T0) + index * 60_000
            connection.execute(
                insert(cold_chain_excursions).values(
                    product_id=product_id,
                    lot_id=lot_id,
                    device_id=devices[found.device],
                    target_kind=found.kind,
                    target=found.target,
                    start_ms=start,
                    end_ms=start + int(found.minutes * 60_000),
                    peak_c=found.peak_c,
                    minutes=found.minutes,
                    verdict=found.verdict,
                    units=found.units,
                    held=found.held,
                    details={},
                    judged_at=found.judged_at,
                )
            )
        uow.commit()
