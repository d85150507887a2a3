"""EPCIS capture over HTTP: every official example document, JSON-LD and XML, captured as a
job, stored, read back and written again valid against the official JSON Schema and XSD; the
capture limits; errors naming the event and field; who may capture."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_epcis_problems import document as epcis_document
from tests.epcis.official import schema_errors
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.epcis.xml import validate_xml
from unitrace.epcis.xml_write import document_to_xml
from unitrace.store.unit_of_work import Database

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "epcis"
JSON_EXAMPLES = sorted(
    str(path.relative_to(CONFORMANCE / "JSON")) for path in CONFORMANCE.glob("JSON/**/*.jsonld")
)
XML_EXAMPLES = sorted(
    str(path.relative_to(CONFORMANCE / "XML"))
    for path in CONFORMANCE.glob("XML/**/*.xml")
    if path.parent.name != "CaptureJob"  # capture-job status documents, not EPCIS documents
)
#: Where the official JSON Schema itself is narrower than the XSD the example follows (see
#: tests/epcis/test_xml.py): the schema leaves persistentDisposition out of AggregationEvent
#: and wants a type on every sensorReport. Their events are still written back as XML valid
#: against the XSD.
SCHEMA_NARROWER_THAN_XSD = {
    "WithSensorData/SensorDataExamples.xml",
    "Example-PersistentDisposition.xml",
}


def finished(client: TestClient, location: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job: dict[str, Any] = client.get(location, headers=headers).json()
        if not job["running"] or time.monotonic() > deadline:
            return job
        time.sleep(0.02)


def stored_document(database: Database, event_ids: list[str]) -> dict[str, Any]:
    """The captured events read back, in one EPCISDocument."""
    context: list[Any] = [EPCIS_CONTEXT]
    events = []
    with database.unit_of_work(read_only=True) as uow:
        for event_id in event_ids:
            event = uow.events.document(event_id)
            assert event is not None, event_id
            for entry in event.pop("@context", []):
                if isinstance(entry, dict) and entry not in context:
                    context.append(entry)
            events.append(event)
    return {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-21T00:00:00Z",
        "epcisBody": {"eventList": events},
    }


def event_ids(database: Database) -> list[str]:
    from sqlalchemy import select

    from unitrace.store.schema import epcis_events

    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(select(epcis_events.c.event_id).order_by(epcis_events.c.id))
        return list(rows.scalars())


@pytest.mark.conformance
@pytest.mark.parametrize(
    ("name", "media_type"),
    [(f"JSON/{name}", "application/ld+json") for name in JSON_EXAMPLES]
    + [(f"XML/{name}", "application/xml") for name in XML_EXAMPLES],
)
def test_every_official_example_is_captured_stored_and_written_back_valid(
    conformance: Path,
    client: TestClient,
    database: Database,
    admin: dict[str, str],
    name: str,
    media_type: str,
) -> None:
    epcis = conformance / "epcis"
    sent = client.post(
        "/epcis/capture",
        content=(epcis / name).read_bytes(),
        headers={**admin, "Content-Type": media_type},
    )
    assert sent.status_code == 202, sent.text
    job = finished(client, sent.headers["Location"], admin)
    assert (job["running"], job["success"], job["errors"]) == (False, True, [])
    ids = event_ids(database)
    # events without an eventID that are the very same (one CBV hash) are captured once
    assert job["captured"] == len(ids) <= job["events"]
    back = stored_document(database, ids)
    if name.removeprefix("XML/") not in SCHEMA_NARROWER_THAN_XSD:
        assert schema_errors(conformance, back) == []
    validate_xml(document_to_xml(back))


def test_the_capture_limits_are_advertised(client: TestClient) -> None:
    answer = client.options("/epcis/capture")
    assert answer.status_code == 204
    assert {
        key: answer.headers[key]
        for key in (
            "GS1-EPCIS-Capture-Limit",
            "GS1-EPCIS-Capture-File-Size-Limit",
            "GS1-Capture-Error-Behaviour",
            "GS1-EPCIS-Version",
        )
    } == {
        "GS1-EPCIS-Capture-Limit": "100000",
        "GS1-EPCIS-Capture-File-Size-Limit": str(64 * 1024 * 1024),
        "GS1-Capture-Error-Behaviour": "rollback, proceed",
        "GS1-EPCIS-Version": "2.0.0",
    }


BROKEN_EVENT = {
    "type": "ObjectEvent",
    "eventID": "urn:uuid:6e1f3d0b-0000-4000-8000-00000000000b",
    "eventTime": "2026-03-02T09:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "OBSERVE",
    "bizStep": "shiping",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
}
GOOD_EVENT = {**BROKEN_EVENT, "eventID": "urn:uuid:6e1f3d0b-0000-4000-8000-00000000000a"}
GOOD_EVENT["bizStep"] = "shipping"


@pytest.mark.parametrize(
    ("behaviour", "captured"), [("rollback", []), ("proceed", [GOOD_EVENT["eventID"]])]
)
def test_a_job_with_a_broken_event_lists_its_errors(
    client: TestClient,
    database: Database,
    admin: dict[str, str],
    behaviour: str,
    captured: list[str],
) -> None:
    document = epcis_document(GOOD_EVENT, BROKEN_EVENT)
    sent = client.post(
        "/epcis/capture", json=document, headers={**admin, "GS1-Capture-Error-Behaviour": behaviour}
    )
    job = finished(client, sent.headers["Location"], admin)
    assert (job["running"], job["success"], job["captureErrorBehaviour"]) == (
        False,
        False,
        behaviour,
    )
    (error,) = job["errors"]
    assert error["detail"].startswith(f"event 1 ({BROKEN_EVENT['eventID']}): bizStep: ")
    assert event_ids(database) == captured


@pytest.mark.parametrize(
    ("role", "body", "headers", "status", "detail"),
    [
        ("verifier", {}, {}, 403, "verifier token may not do this"),
        ("admin", {"type": "EPCISDocument"}, {}, 400, "epcisBody.eventList"),
        ("admin", [], {}, 400, "a JSON object"),
        (
            "admin",
            {"epcisBody": {"eventList": []}},
            {"GS1-Capture-Error-Behaviour": "maybe"},
            400,
            "neither rollback nor proceed",
        ),
    ],
)
def test_captures_refused_at_the_door_leave_no_job(
    client: TestClient,
    database: Database,
    token_for: Callable[..., dict[str, str]],
    role: str,
    body: Any,
    headers: dict[str, str],
    status: int,
    detail: str,
) -> None:
    auth = token_for(role)
    answer = client.post("/epcis/capture", json=body, headers={**auth, **headers})
    assert answer.status_code == status
    assert answer.json()["type"] == (
        "epcisException:SecurityException"
        if status == 403
        else "epcisException:ValidationException"
    )
    assert detail in answer.json()["detail"]
    assert client.get("/epcis/capture", headers=token_for("admin")).json()["captureJobs"] == []


def test_one_event_is_created_once(client: TestClient, admin: dict[str, str]) -> None:
    first = client.post(
        "/epcis/events", json={**GOOD_EVENT, "@context": EPCIS_CONTEXT}, headers=admin
    )
    assert first.status_code == 201
    assert (
        first.headers["Location"]
        == "/epcis/events/urn%3Auuid%3A6e1f3d0b-0000-4000-8000-00000000000a"
    )
    again = client.post("/epcis/events", json=GOOD_EVENT, headers=admin)
    assert again.status_code == 409
    assert again.json()["type"] == "epcisException:ResourceAlreadyExistsException"
    assert "captured already" in again.json()["detail"]
    broken = client.post("/epcis/events", json=BROKEN_EVENT, headers=admin)
    assert broken.status_code == 400
    assert broken.json()["type"] == "epcisException:ValidationException"
    assert "bizStep" in broken.json()["detail"]


def test_a_partner_sees_only_its_own_capture_jobs(
    client: TestClient, database: Database, token_for: Callable[..., dict[str, str]]
) -> None:
    from tests.api.conftest import SYSTEM
    from unitrace.services.catalog import register_party

    with database.unit_of_work() as uow:
        for party in ("dist-a", "dist-b"):
            register_party(uow, id=party, name=party, role="distributor", actor=SYSTEM)
        uow.commit()
    a, b = token_for("distributor", "dist-a"), token_for("distributor", "dist-b")
    document = epcis_document(GOOD_EVENT)
    location = client.post("/epcis/capture", json=document, headers=a).headers["Location"]
    assert finished(client, location, a)["success"] is True
    assert client.get(location, headers=b).status_code == 404
    assert [
        job["captureID"] for job in client.get("/epcis/capture", headers=b).json()["captureJobs"]
    ] == []


#: (caller, the jobs it lists, newest first): jobs 1 (admin's), 2 (dist-a's) and 3 (a line
#: token's, bound to the brand's plant) are captured. A job is its capturer's owner's: the
#: brand's tokens share theirs, an admin reads every job, a verifier none.
JOB_READERS = [
    ("admin", [3, 2, 1]),
    ("line", [3, 1]),
    ("line@plant", [3, 1]),
    ("dist-a", [2]),
    ("dist-b", []),
    ("verifier", None),
]


@pytest.mark.parametrize(("caller", "listed"), JOB_READERS)
def test_each_caller_lists_the_capture_jobs_it_may_read_one_by_one(
    client: TestClient,
    database: Database,
    token_for: Callable[..., dict[str, str]],
    caller: str,
    listed: list[int] | None,
) -> None:
    from tests.api.conftest import SYSTEM
    from unitrace.services.catalog import register_party

    with database.unit_of_work() as uow:
        register_party(uow, id="plant", name="Plant", role="manufacturer", actor=SYSTEM)
        for party in ("dist-a", "dist-b"):
            register_party(uow, id=party, name=party, role="distributor", actor=SYSTEM)
        uow.commit()
    tokens = {
        "admin": token_for("admin"),
        "line": token_for("line"),
        "line@plant": token_for("line", "plant"),
        "dist-a": token_for("distributor", "dist-a"),
        "dist-b": token_for("distributor", "dist-b"),
        "verifier": token_for("verifier"),
    }
    for number, capturer in enumerate(("admin", "dist-a", "line@plant"), start=1):
        event = {**GOOD_EVENT, "eventID": f"urn:uuid:6e1f3d0b-0000-4000-8000-0000000000c{number}"}
        document = epcis_document(event)
        sent = client.post("/epcis/capture", json=document, headers=tokens[capturer])
        assert sent.headers["Location"] == f"/epcis/capture/{number}"
        assert finished(client, sent.headers["Location"], tokens["admin"])["success"] is True
    token = tokens[caller]
    answer = client.get("/epcis/capture", headers=token)
    read = [
        number
        for number in (1, 2, 3)
        if client.get(f"/epcis/capture/{number}", headers=token).status_code == 200
    ]
    if listed is None:
        assert answer.status_code == 403
        assert answer.json()["type"] == "epcisException:SecurityException"
        assert [
            client.get(f"/epcis/capture/{n}", headers=token).status_code for n in (1, 2, 3)
        ] == [403] * 3
        return
    assert [job["captureID"] for job in answer.json()["captureJobs"]] == [str(n) for n in listed]
    assert read == sorted(listed)
