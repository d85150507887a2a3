"""Events captured once for a module of query tests, and the queries' answers by the names
tests give the events: shared by the tests of the sensor and the extension-field parameters."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import emptied
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.registry.model import Actor, Role
from unitrace.services.epcis_capture import capture
from unitrace.services.tokens import create_token
from unitrace.store.unit_of_work import Database

SETUP = Actor("test-setup", Role.ADMIN)


@dataclass(frozen=True)
class Captured:
    database: Database
    token: dict[str, str]
    #: eventID → the name tests use
    names: dict[str, str]

    def intact(self) -> bool:
        """Whether the events are all there still (a test that empties the database may
        have run meanwhile)."""
        with self.database.unit_of_work(read_only=True) as uow:
            return uow.events.count() == len(self.names)


def capture_documents(
    engine: Engine,
    documents: Sequence[tuple[str, dict[str, Any]]],
    name_of: Callable[[str, str, int, int], str],
    *,
    from_xml: Sequence[str] = (),
) -> Captured:
    """An emptied database with ``documents`` captured (those named in ``from_xml`` as read
    from XML), each event named ``name_of(document's name, eventID, index, count)``."""
    database = emptied(engine)
    names: dict[str, str] = {}
    with database.unit_of_work() as uow:
        for name, sent in documents:
            result = capture(uow, sent, actor=SETUP, from_xml=name in from_xml)
            assert result.problems == (), (name, result.problems)
            for index, event_id in enumerate(result.captured):
                names[event_id] = name_of(name, event_id, index, len(result.captured))
        token = create_token(uow, role="admin", actor=SETUP)
        uow.commit()
    return Captured(database, {"Authorization": f"Bearer {token}"}, names)


def event_document(events: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """An EPCISDocument of ``events`` with the standard context alone."""
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-02T00:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def found(
    client: TestClient,
    captured: Captured,
    parameters: dict[str, str],
    headers: dict[str, str] | None = None,
) -> list[str]:
    """The names of the events ``GET /epcis/events`` finds with ``parameters``, sorted."""
    answer = client.get(
        "/epcis/events",
        params={"perPage": "100", **parameters},
        headers={**captured.token, **(headers or {})},
    )
    assert answer.status_code == 200, answer.text
    events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return sorted(captured.names[event["eventID"]] for event in events)


def assert_names_parameter(answer: Any, named: str) -> None:
    """``answer`` is a QueryParameterException naming ``named``."""
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["type"] == "epcisException:QueryParameterException"
    assert problem["parameter"] == named
    assert problem["detail"].startswith(f"{named}: ")


def assert_valid_query(conformance: Path, query: dict[str, Any]) -> None:
    """``query`` validates against the REST binding's query schema, as the standard means it:
    ``nullable`` is OpenAPI's word, not JSON Schema's (``EXISTS_`` parameters are null), and
    the schema's patterns of extension-field names escape their colon twice (``\\\\:``, a
    backslash and a colon), which no name has: they are read with one escape."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((conformance / "epcis" / "rest-bindings" / "query-schema.json").read_text())
    definition = schema["definitions"]["EPCIS-Query"]
    definition["patternProperties"] = {
        pattern.replace("\\\\", "\\"): rule
        for pattern, rule in definition["patternProperties"].items()
    }
    jsonschema.validate(
        {key: value for key, value in query.items() if value is not None},
        {**schema, "$ref": "#/definitions/EPCIS-Query"},
    )
