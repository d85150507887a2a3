"""The cold chain scene, as a fixture."""

from __future__ import annotations

import pytest

from tests.services.cold_chain.scene import build_cold_chain_scene
from tests.services.issued_units import GTIN, LOT, build_registry, issue
from unitrace.store.unit_of_work import Database


@pytest.fixture
def scene(database: Database) -> Database:
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 10)
        uow.commit()
    build_cold_chain_scene(database)
    return database
