"""A lot's recall."""

from __future__ import annotations

from tests.services.issued_units import ADMIN, GTIN, LINE, LOT, OTHER_GTIN, PHARMACY, T0
from tests.services.lifecycle.scenes import (
    HOUR,
    code,
    dispensed,
    done,
    record,
    refused,
    unit,
    units,
)
from unitrace.registry.errors import Conflict
from unitrace.registry.errors import TransitionRefused as Refusal
from unitrace.registry.model import LotStatus, UnitState
from unitrace.services.lifecycle import change_state, commission, set_lot_status
from unitrace.store.unit_of_work import Database


def test_recalling_a_lot(scene: Database) -> None:
    dispensed(scene, [12], T0 + 2 * HOUR)
    at = T0 + 48 * HOUR
    event = done(
        scene,
        lambda uow: set_lot_status(
            uow,
            gtin=GTIN.value,
            lot=LOT,
            status="recalled",
            reason="contamination",
            actor=ADMIN,
            at=at,
        ),
    )
    assert record(event) == (
        "ObjectEvent",
        "OBSERVE",
        at,
        None,
        "recalled",
        None,
        None,
        None,
        "ada",
    )
    with scene.unit_of_work(read_only=True) as uow:
        states = units(uow)
        lot = uow.lots.get(GTIN, LOT)
        other = uow.lots.get(OTHER_GTIN, LOT)
        assert uow.events.epc_count(event.event_id) == 29
    assert {seq: row[0] for seq, row in states.items()} == {
        **dict.fromkeys(range(1, 30), "recalled"),
        30: "destroyed",
        **dict.fromkeys(range(31, 41), "issued"),
    }
    assert lot is not None
    assert other is not None
    assert (lot.status, lot.status_reason, other.status) == (
        LotStatus.RECALLED,
        "contamination",
        LotStatus.RELEASED,
    )
    # irreversible: nothing undoes it, and the lot's issued serials are never commissioned
    for work, error, message in [
        (
            lambda uow: set_lot_status(
                uow, gtin=GTIN.value, lot=LOT, status="withdrawn", reason="x", actor=ADMIN
            ),
            Conflict,
            f"lot L1 of {GTIN.value} is recalled already: a recall or withdrawal is irreversible",
        ),
        (
            lambda uow: commission(uow, gtin=GTIN, lot=LOT, seq_from=31, seq_to=31, actor=LINE),
            Conflict,
            f"lot L1 of {GTIN.value} is recalled: its units are never commissioned",
        ),
        (
            lambda uow: change_state(
                uow, codes=[code(12)], to=UnitState.ACTIVE, actor=PHARMACY, at=at
            ),
            Refusal,
            f"unit {unit(12)} is recalled: recalled is irreversible: the unit may never be active again",
        ),
    ]:
        refused(scene, work, error, message)
    done(
        scene, lambda uow: change_state(uow, codes=[code(13)], to=UnitState.DESTROYED, actor=ADMIN)
    )
