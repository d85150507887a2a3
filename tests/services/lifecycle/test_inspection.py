"""Inspections: a failed one holds the units it covers (a unit, a container's units, a lot),
which may then not be shipped, dispensed or consumed; a passing one releases them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.services.issued_units import ADMIN, DIST_A, DIST_B, LINE, PHARMACY, PLANT_GLN, T0
from tests.services.lifecycle.scenes import (
    CASE_1,
    CASE_1_EPC,
    HOUR,
    PALLET,
    code,
    done,
    epc,
    refused,
    unit,
)
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor, UnitState
from unitrace.services.lifecycle import (
    Certification,
    allocate,
    change_state,
    disaggregate,
    inspect,
    ship,
    transform,
)
from unitrace.store.unit_of_work import Database, UnitOfWork

LOT_CODE = "(01)09506000134352(10)L1"
LOT_CLASS = "urn:epc:class:lgtin:9506000.013435.L1"
CERTIFICATE = Certification("Bureau Veritas", "ISO 9001", "pass", "BV-2026-0042")


def _inspected(scene: Database, target: str, result: str, hour: int = 2) -> Any:
    return done(
        scene,
        lambda uow: inspect(uow, targets=[target], result=result, actor=ADMIN, at=T0 + hour * HOUR),
    )


def test_a_failed_inspection_is_an_inspecting_event_with_its_certificate(scene: Database) -> None:
    made = done(
        scene,
        lambda uow: inspect(
            uow,
            targets=[code(12)],
            result="fail",
            certification=CERTIFICATE,
            notes="seal broken",
            actor=LINE,
            location_gln=PLANT_GLN,
            at=T0 + 2 * HOUR,
        ),
    )
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event.event_id)
        audit = uow.audit.of(made.event.event_id)
    assert document is not None
    assert {key: document.get(key) for key in _SHAPE} == {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "disposition": "non_conformant",
        "epcList": [epc(12)],
        "quantityList": None,
        "certificationInfo": "urn:unitrace:certification:Bureau%20Veritas:BV-2026-0042",
        "gs1:certification": {
            "gs1:certificationAgency": "Bureau Veritas",
            "gs1:certificationStandard": "ISO 9001",
            "gs1:certificationValue": "pass",
            "gs1:certificationIdentification": "BV-2026-0042",
        },
    }
    assert (made.result, made.units, made.on_hold) == ("fail", 1, 1)
    assert [(entry.action, entry.details) for entry in audit] == [
        (
            "inspections.recorded",
            {
                "targets": [epc(12)],
                "result": "fail",
                "units": 1,
                "on_hold": 1,
                "holds_released": 0,
                "certification": document["gs1:certification"],
                "notes": "seal broken",
            },
        )
    ]


_SHAPE = (
    "type",
    "action",
    "bizStep",
    "disposition",
    "epcList",
    "quantityList",
    "certificationInfo",
    "gs1:certification",
)


def test_a_certificate_with_a_uri_of_its_own_is_named_by_it(scene: Database) -> None:
    certificate = Certification("UL", "UL 94", "V-0", "https://ul.example/cert/E123")
    made = done(
        scene,
        lambda uow: inspect(
            uow, targets=[code(12)], result="pass", certification=certificate, actor=ADMIN
        ),
    )
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event.event_id)
    assert document is not None
    assert (document["certificationInfo"], document["disposition"]) == (
        "https://ul.example/cert/E123",
        "conformant",
    )


def test_a_lot_inspection_names_the_lot_class_and_holds_it_with_one_row(scene: Database) -> None:
    made = _inspected(scene, LOT_CODE, "fail")
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event.event_id)
        rows = uow.connection.exec_driver_sql("SELECT scope, lot_id FROM holds").all()
    assert document is not None
    assert (document.get("epcList"), document["quantityList"]) == (None, [{"epcClass": LOT_CLASS}])
    assert (made.units, made.on_hold) == (40, 40)
    assert [row[0] for row in rows] == ["lot"]


def _ship(seq: int) -> Callable[[UnitOfWork], Any]:
    return lambda uow: ship(uow, codes=[code(seq)], party="dist-a", actor=ADMIN)


def _allocate(seq: int) -> Callable[[UnitOfWork], Any]:
    return lambda uow: allocate(uow, party="dist-a", codes=[code(seq)], actor=ADMIN)


def _dispense(seq: int, actor: Actor = ADMIN) -> Callable[[UnitOfWork], Any]:
    return lambda uow: change_state(uow, codes=[code(seq)], to=UnitState.SUPPLIED, actor=actor)


def _export(seq: int) -> Callable[[UnitOfWork], Any]:
    return lambda uow: change_state(uow, codes=[code(seq)], to=UnitState.EXPORTED, actor=ADMIN)


def _transform(seq: int) -> Callable[[UnitOfWork], Any]:
    return lambda uow: transform(uow, inputs=[code(seq)], actor=ADMIN)


def _held(seq: int, doing: str, more: str = "") -> str:
    return (
        f"unit {unit(seq)}{more} is on hold after a failed inspection: a unit on hold may not be "
        f"{doing} until a passing inspection of what failed releases it"
    )


@pytest.mark.parametrize(
    ("target", "work", "message"),
    [
        (code(12), _ship(12), _held(12, "shipped")),
        (code(12), _allocate(12), _held(12, "shipped")),
        (code(12), _dispense(12), _held(12, "dispensed or sold")),
        (code(12), _export(12), _held(12, "exported")),
        (code(12), _transform(12), _held(12, "consumed (checked out) by a transformation or an "
         "assembly")),
        (PALLET, lambda uow: ship(uow, codes=[PALLET], party="dist-a", actor=ADMIN),
         _held(1, "shipped", " (and 9 more)")),
        (CASE_1, _dispense(3), _held(3, "dispensed or sold")),
        (LOT_CODE, _ship(15), _held(15, "shipped")),
        (LOT_CODE, lambda uow: allocate(uow, party="dist-a", gtin="09506000134352", lot="L1",
         seq_from=11, seq_to=20, actor=ADMIN), _held(11, "shipped", " (and 9 more)")),
    ],
)  # fmt: skip
def test_units_a_failed_inspection_covers_may_not_be_shipped_or_dispensed(
    scene: Database, target: str, work: Callable[[UnitOfWork], Any], message: str
) -> None:
    _inspected(scene, target, "fail")
    refused(scene, work, Conflict, message)


def test_a_unit_in_a_pharmacy_on_hold_is_not_dispensed(scene: Database) -> None:
    done(scene, _allocate(12))
    done(scene, lambda uow: ship(uow, codes=[code(12)], party="pharmacy-1", actor=DIST_A))
    _inspected(scene, code(12), "fail")
    refused(scene, _dispense(12, PHARMACY), Conflict, _held(12, "dispensed or sold"))


def test_a_unit_held_with_its_case_stays_held_once_unpacked(scene: Database) -> None:
    _inspected(scene, CASE_1, "fail")
    done(scene, lambda uow: disaggregate(uow, parent=CASE_1, children=None, actor=ADMIN))
    refused(scene, _ship(2), Conflict, _held(2, "shipped"))


@pytest.mark.parametrize(
    ("failed", "passed", "on_hold", "shipped"),
    [
        (code(12), code(12), 0, True),
        (CASE_1, CASE_1, 0, True),
        (CASE_1, code(3), 0, True),  # the unit's own row is released
        (LOT_CODE, LOT_CODE, 0, True),
        (LOT_CODE, code(3), 1, False),  # a unit passing does not lift its lot's hold
        # a unit's own failure is not the lot's: the lot passing leaves that unit's hold
        (code(3), LOT_CODE, 1, False),
        (CASE_1, LOT_CODE, 5, False),
    ],
)
def test_a_passing_inspection_releases_the_units_it_covers(
    scene: Database, failed: str, passed: str, on_hold: int, shipped: bool
) -> None:
    _inspected(scene, failed, "fail")
    made = _inspected(scene, passed, "pass", hour=3)
    assert made.on_hold == on_hold
    with scene.unit_of_work() as uow:
        if shipped:
            disaggregate(uow, parent=CASE_1, children=[code(3)], actor=ADMIN)
            ship(uow, codes=[code(3)], party="dist-a", actor=ADMIN)
        else:
            with pytest.raises(Conflict):
                _ship(3)(uow)


def test_two_failures_need_no_two_passes(scene: Database) -> None:
    _inspected(scene, code(12), "fail")
    _inspected(scene, code(12), "fail", hour=3)
    made = _inspected(scene, code(12), "pass", hour=4)
    with scene.unit_of_work(read_only=True) as uow:
        open_rows = uow.connection.exec_driver_sql(
            "SELECT count(*) FROM holds WHERE released_at IS NULL"
        ).scalar_one()
        released_by = (
            uow.connection.exec_driver_sql("SELECT DISTINCT released_by_event_id FROM holds")
            .scalars()
            .all()
        )
    assert (made.on_hold, open_rows, released_by) == (0, 0, [made.event.event_id])


def test_a_distributor_inspects_what_it_holds(scene: Database) -> None:
    made = done(scene, lambda uow: inspect(uow, targets=[code(21)], result="fail", actor=DIST_B))
    assert (made.event.party_id, made.on_hold) == ("dist-b", 1)


@pytest.mark.parametrize(
    ("target", "result", "actor", "error", "message"),
    [
        (code(12), "maybe", ADMIN, InvalidRequest, "result: 'maybe' is not an inspection result "
         "(pass, fail)"),
        ("(01)09506000134352(21)NOPE", "fail", ADMIN, NotFound, "target[0]: unit "
         "(01)09506000134352(21)NOPE is not registered"),
        ("(01)09506000134352(10)L9", "fail", ADMIN, NotFound, "target: lot L9 of 09506000134352 "
         "is not registered"),
        ("(01)04012345000009(10)L1", "fail", DIST_B, Forbidden, "target: a lot's units are in "
         "many parties' custody; a distributor inspects the units and containers it holds"),
        (code(12), "fail", DIST_B, Forbidden, f"unit {unit(12)}: not in the custody of dist-b"),
        ("not a code", "fail", ADMIN, InvalidRequest, "target[0]: "),
    ],
)  # fmt: skip
def test_an_inspection_the_rules_forbid_is_refused_and_writes_nothing(
    scene: Database, target: str, result: str, actor: Actor, error: type[Refused], message: str
) -> None:
    with scene.unit_of_work(read_only=True) as uow:
        events = uow.events.count()
    with scene.unit_of_work() as uow, pytest.raises(error) as raised:
        inspect(uow, targets=[target], result=result, actor=actor)
    assert str(raised.value).startswith(message)
    with scene.unit_of_work(read_only=True) as uow:
        assert uow.events.count() == events
        assert uow.connection.exec_driver_sql("SELECT count(*) FROM holds").scalar_one() == 0


def test_an_empty_certificate_field_is_refused(scene: Database) -> None:
    certificate = Certification("UL", " ", "V-0", "E1")
    with scene.unit_of_work() as uow, pytest.raises(InvalidRequest) as raised:
        inspect(uow, targets=[code(12)], result="pass", certification=certificate, actor=ADMIN)
    assert str(raised.value) == "certification.standard: empty; say it"


def test_a_case_inspection_names_the_case_and_indexes_its_units(scene: Database) -> None:
    made = _inspected(scene, CASE_1, "fail")
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event.event_id)
        naming_3 = [record.event_id for record in uow.events.naming([epc(3)])]
    assert document is not None
    assert (document["epcList"], made.units, made.on_hold) == ([CASE_1_EPC], 5, 5)
    assert made.event.event_id in naming_3


def test_a_unit_held_alone_and_with_its_lot_is_counted_once(scene: Database) -> None:
    _inspected(scene, code(12), "fail")
    _inspected(scene, LOT_CODE, "fail", hour=3)
    refused(
        scene,
        lambda uow: allocate(
            uow,
            party="dist-a",
            gtin="09506000134352",
            lot="L1",
            seq_from=11,
            seq_to=20,
            actor=ADMIN,
        ),
        Conflict,
        _held(11, "shipped", " (and 9 more)"),
    )


def _held_rows(scene: Database) -> int:
    with scene.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.exec_driver_sql(
                "SELECT count(*) FROM holds WHERE released_at IS NULL"
            ).scalar_one()
        )


@pytest.mark.parametrize(
    ("failer", "passer", "on_hold"),
    [
        (ADMIN, DIST_B, 1),  # the brand's hold on a unit in dist-b's hands is not dist-b's
        (LINE, DIST_B, 1),
        (DIST_B, DIST_B, 0),  # dist-b releases the hold its own failed inspection placed
        (DIST_B, ADMIN, 0),  # admin and line release any
        (DIST_B, LINE, 0),
    ],
)
def test_a_distributor_releases_only_the_holds_it_placed(
    scene: Database, failer: Actor, passer: Actor, on_hold: int
) -> None:
    done(scene, lambda uow: inspect(uow, targets=[code(21)], result="fail", actor=failer))
    made = done(scene, lambda uow: inspect(uow, targets=[code(21)], result="pass", actor=passer))
    assert made.on_hold == on_hold
    assert _held_rows(scene) == on_hold


@pytest.mark.parametrize("target", [code(12), CASE_1, LOT_CODE])
def test_a_pass_releases_no_hold_placed_after_it(scene: Database, target: str) -> None:
    """A pass recorded (late) with an event time before a failure does not clear it."""
    _inspected(scene, target, "fail", hour=3)
    made = _inspected(scene, target, "pass", hour=2)
    assert made.on_hold > 0
    assert _held_rows(scene) > 0
    with scene.unit_of_work(read_only=True) as uow:
        audit = uow.audit.of(made.event.event_id)
    assert audit[0].details["holds_released"] == 0


def test_a_lot_pass_releases_the_unit_holds_its_own_failure_placed(scene: Database) -> None:
    """One failed inspection that named the lot and one of its units with it: the
    lot's pass releases both of its holds, and leaves a single unit's own failure held."""
    done(
        scene,
        lambda uow: inspect(
            uow, targets=[LOT_CODE, code(12)], result="fail", actor=ADMIN, at=T0 + 2 * HOUR
        ),
    )
    _inspected(scene, code(13), "fail", hour=2)
    assert _held_rows(scene) == 3
    made = _inspected(scene, LOT_CODE, "pass", hour=3)
    assert _held_rows(scene) == 1
    assert made.on_hold == 1  # unit 13, its own failure
    with scene.unit_of_work(read_only=True) as uow:
        audit = uow.audit.of(made.event.event_id)
    assert audit[0].details["holds_released"] == 2
