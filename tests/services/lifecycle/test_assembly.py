"""Assembly: components (units, or lots and quantities) go into a serialized device."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.services.issued_units import ADMIN, DIST_B, LINE, OTHER_GTIN, PLANT_GLN, T0
from tests.services.lifecycle.scenes import (
    CASE_1,
    HOUR,
    PALLET_EPC,
    code,
    done,
    epc,
    refused,
    unit,
    units,
)
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.errors import Conflict, Forbidden, InvalidRequest, NotFound, Refused
from unitrace.registry.model import Actor
from unitrace.services.lifecycle import LotComponent, assemble, inspect, set_lot_status
from unitrace.store.unit_of_work import Database, UnitOfWork

CASE_1_EPC = "urn:epc:id:sgtin:9506000.113435.C1"
OTHER_LOT_CLASS = f"https://id.gs1.org/01/{OTHER_GTIN.value}/10/L1"
FOREIGN_GTIN = "0061414100001" + gs1_check_digit("0061414100001")


def test_an_assembly_consumes_its_components_into_the_device(scene: Database) -> None:
    """Units 13 and 14 and two of the other product's lot L1 go into device 12: one
    TransformationEvent ``assembling``, the device its output, the components its inputs; the
    serialized components are checked out, the device stays active."""
    made = done(
        scene,
        lambda uow: assemble(
            uow,
            device=code(12),
            components=[code(13), code(14), LotComponent(OTHER_GTIN.value, "L1", 2)],
            actor=LINE,
            location_gln=PLANT_GLN,
            at=T0 + 2 * HOUR,
        ),
    )
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event.event_id)
        states = units(uow)
        audit = uow.audit.of(made.event.event_id)
    assert document is not None
    assert {key: document[key] for key in _SHAPE} == {
        "type": "TransformationEvent",
        "bizStep": "assembling",
        "inputEPCList": [epc(13), epc(14)],
        "inputQuantityList": [{"epcClass": OTHER_LOT_CLASS, "quantity": 2}],
        "outputEPCList": [epc(12)],
        "bizLocation": {"id": "urn:epc:id:sgln:9506000.00004.0"},
    }
    assert "transformationID" not in document
    assert (made.device, made.components) == (epc(12), (epc(13), epc(14)))
    assert [states[seq][0] for seq in (12, 13, 14, 15)] == [
        "active",
        "checked_out",
        "checked_out",
        "active",
    ]
    assert [(entry.action, entry.details) for entry in audit] == [
        (
            "units.assembled",
            {
                "device": epc(12),
                "components": [epc(13), epc(14)],
                "lots": [{"epcClass": OTHER_LOT_CLASS, "quantity": 2}],
            },
        )
    ]


_SHAPE = ("type", "bizStep", "inputEPCList", "inputQuantityList", "outputEPCList", "bizLocation")


def _consumed(uow: UnitOfWork) -> None:
    assemble(uow, device=code(12), components=[code(13)], actor=ADMIN, at=T0 + 2 * HOUR)
    uow.commit()
    assemble(uow, device=code(15), components=[code(14), code(13)], actor=ADMIN)


def _held(uow: UnitOfWork) -> None:
    inspect(uow, targets=[code(13)], result="fail", actor=ADMIN, at=T0 + 2 * HOUR)
    uow.commit()
    assemble(uow, device=code(15), components=[code(13)], actor=ADMIN)


@pytest.mark.parametrize(
    ("device", "components", "actor", "error", "message"),
    [
        (code(12), [], ADMIN, InvalidRequest, "components: none given; an assembly puts "
         "something into the device"),
        (code(12), [code(30)], ADMIN, Conflict, f"components[0]: unit {unit(30)} is destroyed: "
         "only an active unit goes into a device"),
        (code(12), [code(13), code(31)], ADMIN, Conflict, f"components[1]: unit {unit(31)} is "
         "issued: only an active unit goes into a device"),
        (code(31), [code(13)], ADMIN, Conflict, f"device: unit {unit(31)} is issued: components "
         "go into an active (commissioned) device only"),
        (code(12), [code(12)], ADMIN, InvalidRequest, "components[0]: is the device itself"),
        (code(12), [CASE_1], ADMIN, InvalidRequest, "components: urn:epc:id:sgtin:9506000."
         "113435.C1 is a case or pallet; name the units that go into the device"),
        ("(00)195060000000000012", [code(13)], ADMIN, InvalidRequest, f"device: {PALLET_EPC} "
         "is a case or pallet; a device is a serialized unit"),
        (code(12), ["(01)09506000134352(21)NOPE"], ADMIN, NotFound, "components[0]: unit "
         "(01)09506000134352(21)NOPE is not registered"),
        (code(12), [f"(01){FOREIGN_GTIN}(21)X1"], ADMIN, NotFound, f"components[0]: unit "
         f"(01){FOREIGN_GTIN}(21)X1 is not registered"),
        ("(01)09506000134352(21)NOPE", [code(13)], ADMIN, NotFound, "device[0]: unit "
         "(01)09506000134352(21)NOPE is not registered"),
        (code(12), [LotComponent(OTHER_GTIN.value, "L9", 1)], ADMIN, NotFound,
         f"components[0].lot: lot L9 of {OTHER_GTIN.value} is not registered"),
        (code(12), [code(13), LotComponent(FOREIGN_GTIN, "L1", 1)], ADMIN, NotFound,
         f"components[1].gtin: {FOREIGN_GTIN} is not a registered product"),
        (code(12), [LotComponent(OTHER_GTIN.value, "L1", 0)], ADMIN, InvalidRequest,
         "components[0].quantity: 0 is not above 0"),
        (code(12), [code(13), LotComponent(OTHER_GTIN.value, "L1", 1e30)], ADMIN, InvalidRequest,
         "components[1].quantity: 1e+30 is above 1_000_000_000, the most of a lot one assembly "
         "may use"),
        (code(12), [LotComponent(OTHER_GTIN.value, "L1", float("inf"))], LINE, InvalidRequest,
         "components[0].quantity: inf is above 1_000_000_000, the most of a lot one assembly "
         "may use"),
        (code(12), [LotComponent(OTHER_GTIN.value, "L1", float("nan"))], LINE, InvalidRequest,
         "components[0].quantity: nan is not above 0"),
        (code(12), [LotComponent(OTHER_GTIN.value, "L1", True)], LINE, InvalidRequest,
         "components[0].quantity: True is not a number"),
        (code(12), [LotComponent(OTHER_GTIN.value, "L1", "5")], LINE, InvalidRequest,  # type: ignore[arg-type]
         "components[0].quantity: '5' is not a number"),
        (code(12), [code(13)], DIST_B, Forbidden, "a distributor may not assemble; needs admin, "
         "line"),
        (code(12), [code(13), code(3)], LINE, Conflict, f"components[1]: unit {unit(3)} is "
         f"packed in {CASE_1_EPC}: unpack it first; a packed unit does not go into a device"),
        (code(12), [code(21)], ADMIN, Conflict, f"components[0]: unit {unit(21)} is in the "
         "custody of dist-b: an assembly uses only units in the assembler's own custody"),
        (code(12), [code(22)], LINE, Conflict, f"components[0]: unit {unit(22)} is in the "
         "custody of dist-b: an assembly uses only units in the assembler's own custody"),
        (code(21), [code(13)], LINE, Conflict, f"device: unit {unit(21)} is in the custody of "
         "dist-b: an assembly uses only units in the assembler's own custody"),
    ],
)  # fmt: skip
def test_an_assembly_the_rules_forbid_is_refused_and_writes_nothing(
    scene: Database,
    device: str,
    components: list[str | LotComponent],
    actor: Actor,
    error: type[Refused],
    message: str,
) -> None:
    with scene.unit_of_work(read_only=True) as uow:
        events = uow.events.count()
    refused(
        scene,
        lambda uow: assemble(uow, device=device, components=components, actor=actor),
        error,
        message,
    )
    with scene.unit_of_work(read_only=True) as uow:
        assert uow.events.count() == events


def _device_held(uow: UnitOfWork) -> None:
    inspect(uow, targets=[code(15)], result="fail", actor=ADMIN, at=T0 + 2 * HOUR)
    uow.commit()
    assemble(uow, device=code(15), components=[code(13)], actor=ADMIN)


def _device_lot_held(uow: UnitOfWork) -> None:
    inspect(uow, targets=["(01)09506000134352(10)L1"], result="fail", actor=ADMIN, at=T0 + 2 * HOUR)
    uow.commit()
    assemble(uow, device=code(15), components=[code(13)], actor=ADMIN)


@pytest.mark.parametrize(
    ("work", "message"),
    [
        (_device_held, f"unit {unit(15)} is on hold after a failed inspection: a unit on hold "
         "may not be made into a device until a passing inspection of what failed releases it"),
        (_device_lot_held, f"unit {unit(15)} is on hold after a failed inspection: a unit on "
         "hold may not be made into a device until a passing inspection of what failed "
         "releases it"),
        (_consumed, f"components[1]: unit {unit(13)} is already consumed by another device "
         f"({epc(12)}): a component goes into one device only"),
        (_held, f"unit {unit(13)} is on hold after a failed inspection: a unit on hold may not "
         "be assembled into a device until a passing inspection of what failed releases it"),
    ],
)  # fmt: skip
def test_a_component_consumed_or_held_is_refused_naming_the_rule(
    scene: Database, work: object, message: str
) -> None:
    with scene.unit_of_work() as uow, pytest.raises(Conflict) as raised:
        work(uow)  # type: ignore[operator]
    assert str(raised.value) == message


_OTHER_LOT = f"(01){OTHER_GTIN.value}(10)L1"


def _lot_held(uow: UnitOfWork) -> None:
    inspect(uow, targets=[_OTHER_LOT], result="fail", actor=ADMIN, at=T0 + 2 * HOUR)


def _lot_recalled(uow: UnitOfWork) -> None:
    set_lot_status(uow, gtin=OTHER_GTIN.value, lot="L1", status="recalled", reason="x", actor=ADMIN)


def _lot_withdrawn(uow: UnitOfWork) -> None:
    set_lot_status(
        uow, gtin=OTHER_GTIN.value, lot="L1", status="withdrawn", reason="x", actor=ADMIN
    )


_LOT_NAME = f"components[1]: lot L1 of {OTHER_GTIN.value}"


@pytest.mark.parametrize(
    ("before", "at", "message"),
    [
        (_lot_held, None, f"{_LOT_NAME} is on hold after a failed inspection: a lot on hold may "
         "not be assembled into a device until a passing inspection of the lot releases it"),
        (_lot_recalled, None, f"{_LOT_NAME} is recalled: a recalled or withdrawn lot does not go "
         "into a device"),
        (_lot_withdrawn, None, f"{_LOT_NAME} is withdrawn: a recalled or withdrawn lot does not "
         "go into a device"),
        (None, dt.datetime(2031, 1, 1, tzinfo=dt.UTC), f"{_LOT_NAME} expired on 2030-12-31: an "
         "expired lot does not go into a device"),
    ],
)  # fmt: skip
def test_a_lot_component_held_recalled_withdrawn_or_expired_is_refused(
    scene: Database, before: object, at: dt.datetime | None, message: str
) -> None:
    """A component known by lot is checked as a serialized one is: its lot's hold, its
    recall or withdrawal and its expiry refuse the assembly, which writes nothing."""
    if before is not None:
        done(scene, before)  # type: ignore[arg-type]
    with scene.unit_of_work(read_only=True) as uow:
        events = uow.events.count()
    refused(
        scene,
        lambda uow: assemble(
            uow,
            device=code(12),
            components=[code(13), LotComponent(OTHER_GTIN.value, "L1", 3)],
            actor=LINE,
            at=at,
        ),
        Conflict,
        message,
    )
    with scene.unit_of_work(read_only=True) as uow:
        assert uow.events.count() == events
