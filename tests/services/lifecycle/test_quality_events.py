"""The assembly and inspection events unitrace writes are valid EPCIS 2.0: by unitrace's own
validator (the schema's rules and the CBV's), and by the official JSON Schema where the
conformance material is at hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.epcis.official import schema_errors
from tests.services.issued_units import ADMIN, OTHER_GTIN, PLANT_GLN, T0
from tests.services.lifecycle.scenes import CASE_1, HOUR, code, done
from unitrace.epcis.validation import event_problems
from unitrace.services.lifecycle import Certification, LotComponent, assemble, inspect
from unitrace.store.unit_of_work import Database, UnitOfWork

CERTIFICATE = Certification("Bureau Veritas", "ISO 9001", "A", "BV 42/7")


def _events(scene: Database) -> list[dict[str, Any]]:
    def record(uow: UnitOfWork) -> list[str]:
        at, place = T0 + 2 * HOUR, PLANT_GLN
        made = assemble(
            uow,
            device=code(12),
            components=[code(13), LotComponent(OTHER_GTIN.value, "L1", 2.5)],
            actor=ADMIN,
            location_gln=place,
            at=at,
        )
        failed = [
            inspect(
                uow,
                targets=[target],
                result="fail",
                certification=CERTIFICATE,
                actor=ADMIN,
                location_gln=place,
                at=at,
            )
            for target in (code(14), CASE_1, "(01)09506000134352(10)L1")
        ]
        passed = inspect(uow, targets=[code(14)], result="pass", actor=ADMIN, at=at + HOUR)
        return [made.event.event_id, *(i.event.event_id for i in failed), passed.event.event_id]

    ids = done(scene, record)
    with scene.unit_of_work(read_only=True) as uow:
        documents = [uow.events.document(event_id) for event_id in ids]
    assert all(document is not None for document in documents)
    return [document for document in documents if document is not None]


def test_the_events_pass_unitraces_own_validation(scene: Database) -> None:
    namespaces = {"gs1": "https://gs1.org/voc/"}
    problems = [event_problems(document, namespaces) for document in _events(scene)]
    assert problems == [[], [], [], [], []]


@pytest.mark.conformance
def test_the_events_pass_the_official_schema(scene: Database, conformance: Path) -> None:
    assert [schema_errors(conformance, document) for document in _events(scene)] == [[]] * 5
