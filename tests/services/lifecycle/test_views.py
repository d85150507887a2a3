"""A unit's and a container's view, and who sees them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.services.issued_units import (
    ADMIN,
    DIST_A,
    DIST_A_GLN,
    DIST_B,
    GTIN,
    LOT,
    T0,
    VERIFIER,
    serial_of,
)
from tests.services.lifecycle.scenes import CASE_1_EPC, HOUR, PALLET, PALLET_EPC, done, epc
from unitrace.registry.errors import Forbidden, NotFound
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle import container_view, receive, ship, unit_view
from unitrace.store.unit_of_work import Database


def test_a_units_view_and_history(scene: Database) -> None:
    done(
        scene, lambda uow: ship(uow, codes=[PALLET], party="dist-a", actor=ADMIN, at=T0 + 2 * HOUR)
    )
    done(scene, lambda uow: receive(uow, codes=[PALLET], actor=DIST_A, at=T0 + 3 * HOUR))
    with scene.unit_of_work(read_only=True) as uow:
        view = unit_view(uow, gtin=GTIN.value, serial=serial_of(GTIN, 2), actor=DIST_A)
    assert (
        view.gtin,
        view.serial,
        view.epc,
        view.lot,
        view.seq,
        view.expiry,
        view.state,
        view.container,
        view.custodian,
        view.location,
        view.state_since,
    ) == (
        GTIN,
        "S00002",
        epc(2),
        LOT,
        2,
        dt.date(2030, 12, 31),
        UnitState.ACTIVE,
        CASE_1_EPC,
        "dist-a",
        DIST_A_GLN,
        T0,
    )
    assert [
        (e.type, e.action, e.biz_step, e.disposition, e.event_time, e.party_id)
        for e in view.history
    ] == [
        ("ObjectEvent", "ADD", "commissioning", "active", T0, None),
        ("AggregationEvent", "ADD", "packing", None, T0, None),
        ("ObjectEvent", "OBSERVE", "shipping", "in_transit", T0 + 2 * HOUR, "dist-a"),
        ("ObjectEvent", "OBSERVE", "receiving", "in_progress", T0 + 3 * HOUR, "dist-a"),
    ]


def test_a_distributor_sees_only_units_in_its_custody(scene: Database) -> None:
    with scene.unit_of_work(read_only=True) as uow:
        assert unit_view(uow, gtin=GTIN.value, serial="S00021", actor=DIST_B).custodian == "dist-b"
        for serial in ("S00021", "S00011", "NOPE"):
            with pytest.raises(NotFound) as hidden:
                unit_view(uow, gtin=GTIN.value, serial=serial, actor=DIST_A)
            assert str(hidden.value) == f"unit (01){GTIN.value}(21){serial} is not registered"
        with pytest.raises(NotFound, match=f"^code: container {PALLET_EPC} is not registered$"):
            container_view(uow, code=PALLET, actor=DIST_A)
        with pytest.raises(Forbidden):
            unit_view(uow, gtin=GTIN.value, serial="S00021", actor=VERIFIER)
