"""Transformations: inputs checked out, outputs commissioned."""

from __future__ import annotations

import re

import pytest

from tests.services.issued_units import ADMIN, LINE, PLANT_GLN, T0
from tests.services.lifecycle.scenes import CASE_1, CASE_1_EPC, HOUR, code, done, epc, unit, units
from unitrace.registry.errors import Forbidden, InvalidRequest
from unitrace.registry.errors import TransitionRefused as Refusal
from unitrace.registry.model import Actor
from unitrace.services.lifecycle import transform
from unitrace.store.unit_of_work import Database


def test_a_transformation_checks_out_its_inputs_and_commissions_its_outputs(
    scene: Database,
) -> None:
    """Case C1 (units 1-5) and unit 11 go into a kit whose outputs are units 31 and 32: one
    TransformationEvent, the inputs checked out (the units inside C1 too), the outputs
    active."""
    made = done(
        scene,
        lambda uow: transform(
            uow,
            inputs=[CASE_1, code(11)],
            outputs=[code(31), code(32)],
            commissioning=True,
            actor=ADMIN,
            location_gln=PLANT_GLN,
            at=T0 + 2 * HOUR,
        ),
    )
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event_id)
        states = units(uow)
        contained = [record.event_id for record in uow.events.naming([epc(3)])]
        audit = uow.audit.of(made.event_id)
    assert document is not None
    assert (document["type"], document["bizStep"], document["disposition"]) == (
        "TransformationEvent",
        "commissioning",
        "active",
    )
    assert sorted(document["inputEPCList"]) == [epc(11), CASE_1_EPC]
    assert document["outputEPCList"] == [epc(31), epc(32)]
    assert "transformationID" not in document
    assert document["ilmd"] == {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2030-12-31"}
    assert [seq for seq, row in states.items() if row[0] == "checked_out"] == [1, 2, 3, 4, 5, 11]
    assert [seq for seq, row in states.items() if row[0] == "active" and seq > 30] == [31, 32]
    assert made.event_id in contained  # a unit of C1: the event is in its history
    assert [(entry.action, entry.details) for entry in audit] == [
        ("units.transformed", {"consumed": 6, "commissioned": 2})
    ]


def test_a_transformation_of_one_side_gets_a_transformation_id(scene: Database) -> None:
    made = done(scene, lambda uow: transform(uow, inputs=[code(12)], actor=ADMIN))
    with scene.unit_of_work(read_only=True) as uow:
        document = uow.events.document(made.event_id)
    assert document is not None
    assert document["transformationID"].startswith("urn:uuid:")
    assert "outputEPCList" not in document


@pytest.mark.parametrize(
    ("inputs", "outputs", "actor", "error", "message"),
    [
        ([], [], ADMIN, InvalidRequest, "inputs: none given, and no outputs commissioned"),
        ([code(30)], [], ADMIN, Refusal, f"unit {unit(30)} is destroyed"),
        ([code(12)], [code(13)], ADMIN, Refusal, f"unit {unit(13)} is active"),
        ([code(12)], [code(31)], LINE, Forbidden, "line"),
        ([code(12), code(12)], [], ADMIN, InvalidRequest, "inputs[1]: names the same thing"),
    ],
)
def test_a_transformation_the_rules_forbid_changes_nothing(
    scene: Database,
    inputs: list[str],
    outputs: list[str],
    actor: Actor,
    error: type[Exception],
    message: str,
) -> None:
    with scene.unit_of_work(read_only=True) as uow:
        before = units(uow)
    with pytest.raises(error, match=re.escape(message)), scene.unit_of_work() as uow:
        transform(uow, inputs=inputs, outputs=outputs, commissioning=bool(outputs), actor=actor)
    with scene.unit_of_work(read_only=True) as uow:
        assert units(uow) == before
