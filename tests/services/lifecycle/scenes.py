"""What the lifecycle tests share: the codes of the scene, and helpers to run work, read the
units back and check a refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.services.issued_units import ADMIN, GTIN, PHARMACY, T0, projection, serial_of
from unitrace.gs1 import Gtin
from unitrace.registry.errors import Refused
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle import allocate, change_state
from unitrace.store import schema
from unitrace.store.events import EventRecord
from unitrace.store.unit_of_work import Database, UnitOfWork

HOUR = dt.timedelta(hours=1)
CASE_GTIN = "19506000134359"
CASE_1, CASE_2, CASE_3 = (f"(01){CASE_GTIN}(21)C{n}" for n in (1, 2, 3))
CASE_1_EPC, CASE_2_EPC = "urn:epc:id:sgtin:9506000.113435.C1", "urn:epc:id:sgtin:9506000.113435.C2"
PALLET, PALLET_EPC = "(00)195060000000000012", "urn:epc:id:sscc:9506000.1000000001"
PALLET_2 = "(00)195060000000000029"
PLANT = "urn:epc:id:sgln:9506000.00004.0"
DIST_A_PLACE = "urn:epc:id:sgln:9506000.00001.0"


def code(seq: int, gtin: Gtin = GTIN) -> str:
    return f"(01){gtin.value}(21){serial_of(gtin, seq)}"


def unit(seq: int) -> str:
    """How messages name unit ``seq`` of the lot."""
    return code(seq)


def epc(seq: int) -> str:
    return f"urn:epc:id:sgtin:9506000.013435.{serial_of(GTIN, seq)}"


def done(database: Database, work: Callable[[UnitOfWork], Any]) -> Any:
    with database.unit_of_work() as uow:
        result = work(uow)
        uow.commit()
    return result


def units(uow: UnitOfWork) -> dict[int, tuple[Any, ...]]:
    """Unit seq → (state, custodian, container EPC, location) for the main product."""
    rows = uow.connection.execute(
        select(
            schema.units.c.seq,
            schema.units.c.state,
            schema.units.c.custodian_id,
            schema.containers.c.epc,
            schema.units.c.location_gln,
        )
        .join(schema.products, schema.products.c.id == schema.units.c.product_id)
        .outerjoin(schema.containers, schema.containers.c.id == schema.units.c.container_id)
        .where(schema.products.c.gtin == GTIN.value)
        .order_by(schema.units.c.seq)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def record(event: EventRecord) -> tuple[Any, ...]:
    """An event record without its (random) ID."""
    return (
        event.type,
        event.action,
        event.event_time,
        event.biz_step,
        event.disposition,
        event.read_point,
        event.biz_location,
        event.party_id,
        event.recorded_by,
    )


def dispensed(
    scene: Database, seqs: list[int], at: dt.datetime, to: UnitState = UnitState.SUPPLIED
) -> None:
    def work(uow: UnitOfWork) -> None:
        allocate(uow, party="pharmacy-1", actor=ADMIN, codes=[code(n) for n in seqs], at=T0 + HOUR)
        change_state(uow, codes=[code(n) for n in seqs], to=to, actor=PHARMACY, at=at)

    done(scene, work)


def refused(
    database: Database, work: Callable[[UnitOfWork], Any], error: type[Refused], message: str
) -> None:
    """``work`` is refused with ``error`` and ``message``, and leaves the registry as it was,
    even though the caller commits after the refusal."""
    with database.unit_of_work(read_only=True) as uow:
        before = projection(uow)
    with database.unit_of_work() as uow:
        with pytest.raises(Refused) as raised:
            work(uow)
        uow.commit()
    assert (type(raised.value), str(raised.value)) == (error, message)
    with database.unit_of_work(read_only=True) as uow:
        assert projection(uow) == before


G = GTIN.value
