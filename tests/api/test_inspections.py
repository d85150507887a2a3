"""``POST /api/inspections``: a failed inspection holds the units it covers against shipping,
dispensing and a scan's ``genuine``; a passing one releases them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.quality_world import CASE_1, build_quality_world, code, epc, written
from unitrace.store.unit_of_work import Database

Headers = dict[str, str]
LOT = "(01)09506000134352(10)L1"
CERTIFICATION = {
    "agency": "TÜV SÜD",
    "standard": "IEC 60335",
    "value": "fail",
    "identification": "https://tuv.example/c/42",
}
HELD = (
    "is on hold after a failed inspection: a unit on hold may not be {} until a passing "
    "inspection of what failed releases it"
)


@pytest.fixture
def world(database: Database) -> Database:
    build_quality_world(database)
    return database


def _inspect(client: TestClient, headers: Headers, **body: Any) -> Any:
    return client.post("/api/inspections", json=body, headers=headers)


@pytest.mark.parametrize(
    ("target", "units"),
    [(code(6), 1), (CASE_1, 5), (LOT, 25)],
)
def test_a_failed_inspection_answers_its_event_and_the_units_on_hold(
    world: Database, client: TestClient, admin: Headers, target: str, units: int
) -> None:
    answer = _inspect(
        client,
        admin,
        target=target,
        result="fail",
        certification=CERTIFICATION,
        notes="leak test",
        at="2026-03-02T09:00:00+08:00",
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert {key: value for key, value in made.items() if key != "event_id"} == {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "event_time": "2026-03-02T09:00:00+08:00",
        "biz_step": "inspecting",
        "disposition": "non_conformant",
        "read_point": None,
        "biz_location": None,
        "party": None,
        "recorded_by": "token:1",
        "result": "fail",
        "units": units,
        "on_hold": units,
    }
    query = client.get(f"/epcis/events/{made['event_id']}", headers=admin).json()
    (event,) = query["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert (event["certificationInfo"], event["gs1:certification"]) == (
        "https://tuv.example/c/42",
        {
            "gs1:certificationAgency": "TÜV SÜD",
            "gs1:certificationStandard": "IEC 60335",
            "gs1:certificationValue": "fail",
            "gs1:certificationIdentification": "https://tuv.example/c/42",
        },
    )


def test_a_held_unit_is_not_shipped_dispensed_or_genuine_until_a_pass(
    world: Database, client: TestClient, admin: Headers
) -> None:
    assert _inspect(client, admin, target=code(6), result="fail").status_code == 201
    shipped = client.post(
        "/api/shipments", json={"codes": [code(6)], "party": "dist-a"}, headers=admin
    )
    dispensed = client.post(
        "/api/state-changes", json={"codes": [code(6)], "state": "supplied"}, headers=admin
    )
    scanned = client.post("/api/scans", json={"code": code(6)}).json()
    assert [shipped.status_code, dispensed.status_code] == [409, 409]
    assert [shipped.json()["detail"], dispensed.json()["detail"]] == [
        f"unit {code(6)} " + HELD.format("shipped"),
        f"unit {code(6)} " + HELD.format("dispensed or sold"),
    ]
    assert (scanned["verdict"], scanned["reasons"], scanned["message"]) == (
        "inactive",
        ["on_hold", "before_shipping"],  # it never left the brand, too
        "This pack is on hold after a failed inspection. Do not use it; contact the brand.",
    )
    passed = _inspect(client, admin, target=code(6), result="pass")
    assert (passed.status_code, passed.json()["on_hold"]) == (201, 0)
    shipped = client.post(
        "/api/shipments", json={"codes": [code(6)], "party": "dist-a"}, headers=admin
    )
    assert shipped.status_code == 201, shipped.text


def test_the_pharmacists_dispense_respects_a_hold(
    world: Database, client: TestClient, admin: Headers, token_for: Callable[..., Headers]
) -> None:
    client.post(
        "/api/shipments",
        json={"codes": [code(11)], "party": "pharmacy-1"},
        headers=token_for("distributor", "dist-a"),
    )
    _inspect(client, admin, target=LOT, result="fail")
    pharmacist = token_for("distributor", "pharmacy-1")
    answer = client.post(
        f"/api/units/09506000134352/{epc(11).rsplit('.', 1)[1]}/decommission",
        json={},
        headers=pharmacist,
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["detail"] == (
        f"unit {code(11)} is not dispensed: verification says inactive (on_hold)"
    )


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"target": code(6), "result": "maybe"}, 422, "result"),
        ({"target": "(01)09506000134352(21)NOPE", "result": "fail"}, 404,
         "target[0]: unit (01)09506000134352(21)NOPE is not registered"),
        ({"target": "(01)09506000134352(10)L9", "result": "fail"}, 404,
         "target: lot L9 of 09506000134352 is not registered"),
        ({"target": "(00)195060000000000999", "result": "fail"}, 404, "is not registered"),
        ({"target": "garbage", "result": "fail"}, 422, "target[0]"),
        ({"target": code(6), "result": "fail", "certification": {"agency": "x"}}, 422,
         "certification"),
        ({"target": code(6), "result": "fail", "certification": {**CERTIFICATION, "value": " "}},
         422, "certification.value: empty"),
        ({"target": code(6), "result": "fail", "at": "9999-12-31T23:00:00-05:00"}, 422,
         "falls off the calendar"),
    ],
)  # fmt: skip
def test_a_bad_inspection_is_a_problem_and_writes_nothing(
    world: Database, client: TestClient, admin: Headers, body: dict[str, Any], status: int,
    detail: str,
) -> None:  # fmt: skip
    before = written(world)
    answer = client.post("/api/inspections", json=body, headers=admin)
    assert (answer.status_code, answer.headers["content-type"]) == (
        status,
        "application/problem+json",
    )
    assert detail in str(answer.json()["detail"])
    assert written(world) == before


@pytest.mark.parametrize(
    ("role", "party", "target", "status"),
    [
        ("admin", None, code(11), 201),
        ("line", None, code(11), 201),
        ("distributor", "dist-a", code(11), 201),  # its own stock
        ("distributor", "dist-b", code(11), 403),  # another party's
        ("distributor", "dist-a", LOT, 403),  # a lot is in many hands
        ("verifier", None, code(11), 403),
        (None, None, code(11), 401),
    ],
)
def test_who_may_record_an_inspection(
    world: Database,
    client: TestClient,
    token_for: Callable[..., Headers],
    role: str | None,
    party: str | None,
    target: str,
    status: int,
) -> None:
    headers = token_for(role, party) if role else {}
    before = written(world)
    answer = client.post(
        "/api/inspections", json={"target": target, "result": "fail"}, headers=headers
    )
    assert answer.status_code == status, answer.text
    assert (written(world) == before) is (status != 201)
