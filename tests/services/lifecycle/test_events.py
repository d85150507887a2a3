"""What every write leaves behind: an audit line, and an event the official schema accepts."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.services.issued_units import ADMIN, DIST_A, LOT, PHARMACY, T0
from tests.services.lifecycle.scenes import HOUR, PALLET, G, code, dispensed, done
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle import change_state, disaggregate, receive, set_lot_status, ship
from unitrace.store import schema
from unitrace.store.unit_of_work import Database, UnitOfWork


def test_every_write_leaves_an_audit_line(scene: Database) -> None:
    with scene.unit_of_work(read_only=True) as uow:
        actions = uow.connection.execute(
            select(schema.audit_trail.c.action, schema.audit_trail.c.actor).order_by(
                schema.audit_trail.c.id
            )
        ).all()
    assert [tuple(row) for row in actions if row.action.startswith(("units", "container"))] == [
        ("units.commissioned", "line-1"),
        ("units.commissioned", "line-1"),
        ("container.packed", "line-1"),
        ("container.packed", "line-1"),
        ("container.packed", "line-1"),
        ("units.allocated", "ada"),
        ("units.state_changed", "ada"),
    ]


@cache
def validator(schema_path: Path) -> Any:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema checks EPCIS documents")
    schema = json.loads(schema_path.read_text())
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.conformance
def test_every_stored_event_is_valid_epcis(scene: Database, conformance: Path) -> None:
    """The events of a unit's whole life, as the event store gives them back (EPC lists filled
    from the index, recordTime added), against the official schema."""
    dispensed(scene, [11], T0 + 2 * HOUR)

    def more(uow: UnitOfWork) -> None:
        ship(uow, codes=[PALLET], party="dist-a", actor=ADMIN, at=T0 + 2 * HOUR)
        receive(uow, codes=[PALLET], actor=DIST_A, at=T0 + 3 * HOUR)
        disaggregate(uow, parent=PALLET, actor=DIST_A, at=T0 + 4 * HOUR)
        change_state(uow, codes=[code(11)], to=UnitState.ACTIVE, actor=PHARMACY, at=T0 + 5 * HOUR)
        set_lot_status(
            uow, gtin=G, lot=LOT, status="withdrawn", reason="label", actor=ADMIN, at=T0 + 6 * HOUR
        )
        change_state(uow, codes=[code(40)], to=UnitState.VOIDED, actor=ADMIN)

    done(scene, more)
    checker = validator(conformance / "epcis" / "EPCIS-JSON-Schema.json")
    with scene.unit_of_work(read_only=True) as uow:
        ids = uow.connection.execute(select(schema.epcis_events.c.event_id)).scalars().all()
        documents = [uow.events.document(event_id) for event_id in ids]
    assert len(documents) == 15
    for document in documents:
        assert document is not None
        assert [error.message for error in checker.iter_errors(document)] == [], document["type"]
