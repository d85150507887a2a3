"""Judging a lot and acting on it: a breach records its excursion, raises one
``temperature_excursion`` alert and holds the units it covers (shipping refused, a scan answers
inactive, a passing inspection releases them); an allowed excursion is recorded without a
hold; judging again changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.services.cold_chain.scene import (
    MINUTE,
    PALLET_LOGGER,
    pallet_and_place,
    set_conditions,
)
from tests.services.cold_chain.test_exposure import COLD, LOT_CODE, spiking, steady
from tests.services.issued_units import ADMIN, DIST_A, T0
from tests.services.lifecycle.scenes import HOUR, PALLET, PALLET_EPC, code
from tests.services.test_verification import scan
from unitrace.coldchain import MktWindow, StorageConditions
from unitrace.registry.errors import Conflict
from unitrace.services.alert_workflow import list_alerts
from unitrace.services.cold_chain.breaches import LotJudged, judge_devices, judge_targets
from unitrace.services.lifecycle import inspect, ship
from unitrace.services.verification import Verdict
from unitrace.store import schema
from unitrace.store.unit_of_work import Database

SCAN_AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
ALL_TIME = (0, 2**62)


def judged(database: Database) -> list[LotJudged]:
    with database.unit_of_work() as uow:
        found = judge_devices(uow, [1, 2], from_ms=ALL_TIME[0], until_ms=ALL_TIME[1], actor=ADMIN)
        uow.commit()
    return found


def excursions(database: Database) -> list[tuple[Any, ...]]:
    table = schema.cold_chain_excursions
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(
                table.c.target_kind,
                table.c.target,
                table.c.peak_c,
                table.c.minutes,
                table.c.verdict,
                table.c.units,
                table.c.held,
                table.c.alert_id.is_not(None),
            ).order_by(table.c.id)
        )
        return [tuple(row) for row in rows]


def holds(database: Database) -> tuple[int, int]:
    """Open cold chain holds, and holds released."""
    table = schema.holds
    with database.unit_of_work(read_only=True) as uow:
        return (
            uow.connection.execute(
                select(func.count()).where(
                    table.c.cause == "cold_chain", table.c.released_at.is_(None)
                )
            ).scalar_one(),
            uow.connection.execute(
                select(func.count()).where(table.c.released_at.is_not(None))
            ).scalar_one(),
        )


def test_a_breach_holds_every_unit_it_covers_and_raises_one_alert(scene: Database) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, spiking(5.0, 11.0), steady(4.0))
    (lot,) = judged(scene)
    assert lot == LotJudged("09506000134352", "L1", 10, {"breach": 10}, 1, 1, 10, lot.alerts)
    assert excursions(scene) == [("container", PALLET_EPC, 11.0, 20.0, "breach", 10, True, True)]
    assert holds(scene) == (10, 0)
    with scene.unit_of_work(read_only=True) as uow:
        (alert,) = list_alerts(uow, actor=ADMIN, type="temperature_excursion")
    assert (alert.id, alert.gtin, alert.lot) == (lot.alerts[0], "09506000134352", "L1")
    assert {key: alert.evidence[key] for key in ("container", "device", "peak_c", "period")} == {
        "container": PALLET_EPC,
        "device": PALLET_LOGGER,
        "peak_c": 11.0,
        "period": {"from": "2026-03-02T06:00:00Z", "until": "2026-03-02T06:20:00Z"},
    }
    # the scan, the shipment and the hold's event
    held = scan(scene, code(1), at=SCAN_AT)
    assert (held.verdict, held.message) == (
        Verdict.INACTIVE,
        "This pack is on hold: storage conditions were not kept. Do not use it; contact the brand.",
    )
    with scene.unit_of_work() as uow, pytest.raises(Conflict) as refused:
        ship(uow, codes=[PALLET], party="dist-b", actor=DIST_A)
    assert "on hold: storage conditions were not kept" in str(refused.value)
    with scene.unit_of_work(read_only=True) as uow:
        steps = uow.connection.execute(
            select(schema.epcis_events.c.biz_step, schema.epcis_events.c.disposition).where(
                schema.epcis_events.c.biz_step == "holding"
            )
        ).all()
    assert [tuple(step) for step in steps] == [("holding", "non_sellable_other")]


def test_judging_again_records_alerts_and_holds_nothing_twice(scene: Database) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, spiking(5.0, 11.0), steady(4.0))
    judged(scene)
    (again,) = judged(scene)
    assert (again.verdicts, again.excursions, again.breaches, again.held, again.alerts) == (
        {"breach": 10},
        0,
        0,
        0,
        (),
    )
    assert len(excursions(scene)) == 1
    assert holds(scene) == (10, 0)


def test_a_passing_inspection_releases_the_hold(scene: Database) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, spiking(5.0, 11.0), steady(4.0))
    judged(scene)
    with scene.unit_of_work() as uow:
        inspect(uow, targets=[LOT_CODE], result="pass", actor=ADMIN)
        uow.commit()
    assert holds(scene) == (0, 10)
    assert scan(scene, code(1), at=SCAN_AT).verdict is Verdict.GENUINE
    # released, the excursion is still judged once
    judged(scene)
    assert holds(scene) == (0, 10)


def test_an_allowed_excursion_is_recorded_without_a_hold(scene: Database) -> None:
    set_conditions(scene, COLD)
    pallet_and_place(scene, spiking(5.0, 9.5), steady(4.0))
    (lot,) = judged(scene)
    assert (lot.verdicts, lot.excursions, lot.breaches, lot.held, lot.alerts) == (
        {"allowed_excursion": 10},
        1,
        0,
        0,
        (),
    )
    assert excursions(scene) == [
        ("container", PALLET_EPC, 9.5, 20.0, "allowed_excursion", 10, False, False)
    ]
    assert holds(scene) == (0, 0)
    assert scan(scene, code(1), at=SCAN_AT).verdict is Verdict.GENUINE


def test_a_breach_of_the_mean_kinetic_temperature_alone_is_recorded_over_the_stretch(
    scene: Database,
) -> None:
    set_conditions(scene, StorageConditions.of(2, 8, mkt_max_c=7.0, mkt_window=MktWindow.DAY))
    pallet_and_place(scene, steady(7.5), steady(7.5))
    (lot,) = judged(scene)
    assert (lot.verdicts, lot.breaches, lot.held) == ({"breach": 10}, 1, 10)
    # told over the pallet logger's stretch, the longest measured
    assert excursions(scene) == [("container", PALLET_EPC, 7.5, 0.0, "breach", 10, True, True)]


def test_only_the_units_that_were_there_are_judged_and_held(scene: Database) -> None:
    set_conditions(scene, COLD)
    # a spike at dist-a's place once unit 3 had left: 9 units breach, unit 3 does not
    warm = (T0 + 12 * HOUR, T0 + 12 * HOUR + 20 * MINUTE)
    pallet_and_place(scene, steady(5.0), lambda at: 12.0 if warm[0] <= at < warm[1] else 4.0)
    (lot,) = judged(scene)
    assert (lot.verdicts, lot.held) == ({"within": 1, "breach": 9}, 9)
    assert scan(scene, code(3), at=SCAN_AT).message != scan(scene, code(1), at=SCAN_AT).message


def test_nothing_to_judge_when_no_device_was_attached_there(scene: Database) -> None:
    with scene.unit_of_work() as uow:
        assert judge_devices(uow, [99], from_ms=0, until_ms=1, actor=ADMIN) == []
        assert judge_targets(uow, [("container", "urn:epc:id:sscc:0.0")], actor=ADMIN) == []
