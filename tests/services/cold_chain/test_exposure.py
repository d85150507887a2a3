"""A unit's, a container's and a lot's exposure, stitched from the scene's containment history
and judged: which logger measured which stretch, the gaps, the figures and the verdict."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.services.cold_chain.scene import (
    DISPENSED,
    MINUTE,
    PALLET_LOGGER,
    PLACE_LOGGER,
    RECEIVED,
    build_cold_chain_scene,
    pallet_and_place,
    set_conditions,
)
from tests.services.issued_units import ADMIN, DIST_A_GLN, T0, build_registry, issue, GTIN, LOT
from tests.services.lifecycle.scenes import HOUR, PALLET_EPC, code
from unitrace.api.cold_chain_answers import ExposureOut
from unitrace.coldchain import ExcursionAllowance, StorageConditions
from unitrace.services.cold_chain.exposure import cold_chain_of
from unitrace.services.cold_chain.view import Exposure
from unitrace.store.unit_of_work import Database


@pytest.fixture
def scene(database: Database) -> Database:
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 10)
        uow.commit()
    build_cold_chain_scene(database)
    return database


def test_print(scene: Database) -> None:
    set_conditions(scene, StorageConditions.of(2, 8, excursion=ExcursionAllowance(0, 12, 60)))
    spike = (T0 + 5 * HOUR, T0 + 5 * HOUR + 20 * MINUTE)
    pallet_and_place(
        scene,
        lambda at: 11.0 if spike[0] <= at < spike[1] else 5.0,
        lambda at: 4.0,
    )
    with scene.unit_of_work(read_only=True) as uow:
        found = cold_chain_of(uow, code=code(3), actor=ADMIN)
    assert isinstance(found, Exposure)
    print(ExposureOut.of(found).model_dump_json(indent=1, by_alias=True))
    assert False
