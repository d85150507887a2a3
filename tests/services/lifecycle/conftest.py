"""The registries the lifecycle tests start from."""

from __future__ import annotations

import pytest

from tests.services.issued_units import (
    ADMIN,
    GTIN,
    LINE,
    LOT,
    OTHER_GTIN,
    PLANT_GLN,
    T0,
    build_registry,
    issue,
)
from tests.services.lifecycle.scenes import CASE_1, CASE_2, HOUR, PALLET, code, done
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle import aggregate, allocate, change_state, commission
from unitrace.store.unit_of_work import Database, UnitOfWork


@pytest.fixture
def world(database: Database) -> Database:
    """Products, lots and parties; 40 issued units of the main product, 4 of the other."""
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 40)
        issue(uow, OTHER_GTIN, LOT, 4)
        uow.commit()
    return database


@pytest.fixture
def scene(world: Database) -> Database:
    """Units 1-30 active: 1-5 in case C1 and 6-10 in C2, both on the pallet; 21-25 at
    dist-b; 30 destroyed; 31-40 still issued. The other product's 4 units are active."""

    def build(uow: UnitOfWork) -> None:
        commission(
            uow,
            gtin=GTIN,
            lot=LOT,
            seq_from=1,
            seq_to=30,
            actor=LINE,
            location_gln=PLANT_GLN,
            at=T0,
        )
        commission(uow, gtin=OTHER_GTIN, lot=LOT, seq_from=1, seq_to=4, actor=LINE, at=T0)
        aggregate(uow, parent=CASE_1, children=[code(n) for n in range(1, 6)], actor=LINE, at=T0)
        aggregate(uow, parent=CASE_2, children=[code(n) for n in range(6, 11)], actor=LINE, at=T0)
        aggregate(uow, parent=PALLET, children=[CASE_1, CASE_2], actor=LINE, at=T0)
        allocate(
            uow,
            party="dist-b",
            actor=ADMIN,
            gtin=GTIN.value,
            lot=LOT,
            seq_from=21,
            seq_to=25,
            at=T0 + HOUR,
        )
        change_state(uow, codes=[code(30)], to=UnitState.DESTROYED, actor=ADMIN, at=T0 + HOUR)

    done(world, build)
    return world
