"""The registry the assembly and inspection route tests start from: the lifecycle tests'
products and parties, units 1-20 of lot L1 active (1-5 in case C1, 11-12 at dist-a), 21-24
issued, 25 destroyed; 4 active units of the other product."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.services.issued_units import (
    ADMIN,
    GTIN,
    LINE,
    LOT,
    OTHER_GTIN,
    build_registry,
    issue,
    serial_of,
)
from unitrace.registry.model import UnitState
from unitrace.services import lifecycle
from unitrace.store import schema
from unitrace.store.unit_of_work import Database

CASE_1 = "(01)19506000134359(21)C1"


def code(seq: int) -> str:
    return f"(01){GTIN.value}(21){serial_of(GTIN, seq)}"


def epc(seq: int) -> str:
    return f"urn:epc:id:sgtin:9506000.013435.{serial_of(GTIN, seq)}"


def build_quality_world(database: Database) -> None:
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 25)
        issue(uow, OTHER_GTIN, LOT, 4)
        lifecycle.commission(uow, gtin=GTIN, lot=LOT, seq_from=1, seq_to=20, actor=LINE)
        lifecycle.commission(uow, gtin=GTIN, lot=LOT, seq_from=25, seq_to=25, actor=LINE)
        lifecycle.commission(uow, gtin=OTHER_GTIN, lot=LOT, seq_from=1, seq_to=4, actor=LINE)
        lifecycle.aggregate(uow, parent=CASE_1, children=[code(n) for n in range(1, 6)], actor=LINE)
        lifecycle.allocate(uow, party="dist-a", codes=[code(11), code(12)], actor=ADMIN)
        lifecycle.change_state(uow, codes=[code(25)], to=UnitState.DESTROYED, actor=ADMIN)
        uow.commit()


def written(database: Database) -> tuple[int, ...]:
    """The counts of what a write leaves: events, holds, audit lines, and units by state."""
    with database.unit_of_work(read_only=True) as uow:
        counts = [
            uow.connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (schema.epcis_events, schema.holds, schema.audit_trail)
        ]
        states = uow.connection.execute(
            select(func.count())
            .select_from(schema.units)
            .where(schema.units.c.state == UnitState.CHECKED_OUT.value)
        ).scalar_one()
    return (*counts, states)
