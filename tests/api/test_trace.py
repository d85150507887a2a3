"""``GET /api/trace``: the JSON answers, the streamed CSV, roles and bad input, on the trace
scene (:mod:`tests.services.trace_scene`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.services.issued_units import DIST_A_GLN, GTIN, LOT
from tests.services.lifecycle.conftest import scene, world  # noqa: F401 - the scene's fixtures
from tests.services.lifecycle.scenes import code, done, epc
from tests.services.trace_scene import DEVICE_CODE, RAW_CODE, build_trace_scene
from unitrace.store.events import StoredEvent
from unitrace.store.schema import epcis_events
from unitrace.store.unit_of_work import Database, UnitOfWork

Headers = Callable[..., dict[str, str]]
LOT_CODE = f"(01){GTIN.value}(10){LOT}"


@pytest.fixture
def traced(scene: Database) -> Database:  # noqa: F811 - the scene fixture
    return build_trace_scene(scene)


def test_forward_from_a_lot_as_json(
    traced: Database, client: TestClient, admin: dict[str, str]
) -> None:
    answer = client.get("/api/trace", params={"code": LOT_CODE}, headers=admin)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["direction"], body["subject"]["kind"], body["units"]) == (
        "forward",
        "lot",
        {
            "count": 41,
            "by_state": {"active": 30, "issued": 8, "checked_out": 2, "destroyed": 1},
            "by_custodian": {"brand": 36, "dist-b": 5},
            "by_region": {"unknown": 36, "MY": 5},
        },
    )
    assert [(c["code"], c["units"]) for c in body["containers"]] == [
        ("(00)195060000000000012", 10),
        ("(01)19506000134359(21)C1", 5),
        ("(01)19506000134359(21)C2", 5),
    ]
    assert [(s["party"], s["units"]) for s in body["shipments"]] == [("dist-b", 5)]


def test_back_from_a_device_as_json(
    traced: Database, client: TestClient, admin: dict[str, str]
) -> None:
    answer = client.get(
        "/api/trace", params={"code": DEVICE_CODE, "direction": "back"}, headers=admin
    )
    assert answer.status_code == 200
    body = answer.json()
    nodes = {(n["code"], n["depth"], len(n["inspections"])) for n in body["made_from"]["nodes"]}
    assert nodes == {
        (DEVICE_CODE, 0, 0),
        (code(31), 1, 0),
        (RAW_CODE, 1, 1),
        (code(11), 2, 1),
        (code(12), 2, 0),
    }
    assert body["custodians"][0]["party"] == "brand"


@pytest.mark.parametrize(
    ("party", "params", "serials"),
    [
        (None, {"code": "(01)19506000134359(21)C1"}, [f"S0000{n}" for n in range(1, 6)]),
        ("dist-b", {"gtin": GTIN.value, "lot": LOT}, [f"S000{n}" for n in range(21, 26)]),
    ],
)
def test_the_csv_has_a_row_per_unit_reached(
    traced: Database,
    client: TestClient,
    token_for: Headers,
    party: str | None,
    params: dict[str, str],
    serials: list[str],
) -> None:
    headers = token_for("distributor", party) if party else token_for("admin")
    answer = client.get("/api/trace", params={**params, "format": "csv"}, headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == [
        "gtin",
        "serial",
        "lot",
        "state",
        "container",
        "pallet",
        "custodian",
        "last_place",
        "last_event_at",
    ]
    assert [row[1] for row in rows[1:]] == serials
    assert {row[6] for row in rows[1:]} == {party or "brand"}


@pytest.mark.parametrize(
    ("party", "params", "status", "detail"),
    [
        (None, {"code": code(99)}, 404, f"code: {code(99)} names no unit, container or lot"),
        (None, {"code": f"(414){DIST_A_GLN}"}, 422, "trace needs a unit (GTIN + serial)"),
        (None, {"code": "not a code"}, 422, "code"),
        (None, {"code": LOT_CODE, "format": "xml"}, 422, "format: 'xml' is neither"),
        (None, {"code": LOT_CODE, "format": "csv", "direction": "back"}, 422, "format: csv"),
        (None, {"code": LOT_CODE, "direction": "up"}, 422, "direction: 'up'"),
        (None, {"code": code(99), "format": "csv"}, 404, "names no unit"),
        ("dist-a", {"code": LOT_CODE}, 404, f"code: {LOT_CODE} names no unit"),
        ("dist-a", {"code": LOT_CODE, "format": "csv"}, 404, "names no unit"),
        ("dist-b", {"code": code(3)}, 404, f"code: {code(3)} names no unit"),
    ],
)
def test_refusals_are_problems(
    traced: Database,
    client: TestClient,
    token_for: Headers,
    party: str | None,
    params: dict[str, str],
    status: int,
    detail: str,
) -> None:
    headers = token_for("distributor", party) if party else token_for("admin")
    answer = client.get("/api/trace", params=params, headers=headers)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert detail in answer.json()["detail"]


def test_a_caller_without_a_token_is_refused(traced: Database, client: TestClient) -> None:
    answer = client.get("/api/trace", params={"code": LOT_CODE})
    assert answer.status_code == 401


def test_a_verifier_is_forbidden(traced: Database, client: TestClient, token_for: Headers) -> None:
    answer = client.get("/api/trace", params={"code": LOT_CODE}, headers=token_for("verifier"))
    assert answer.status_code == 403


def _quantity_naming(instance: str, event_id: str | None = None) -> dict[str, object]:
    event: dict[str, object] = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "other",
        "eventTime": "2026-12-04T22:20:00Z",
        "eventTimeZoneOffset": "+00:00",
        "quantityList": [{"epcClass": instance, "quantity": 1}],
    }
    if event_id is not None:
        event["eventID"] = event_id
    return event


def _event_count(database: Database) -> int:
    with database.unit_of_work() as uow:
        return len(uow.connection.execute(epcis_events.select()).all())


@pytest.mark.parametrize(
    "instance", [epc(3), f"https://id.gs1.org/01/{GTIN.value}/21/{code(3).split('(21)')[1]}"]
)
def test_capture_refuses_a_unit_named_as_a_quantity_class(
    traced: Database, client: TestClient, token_for: Headers, instance: str
) -> None:
    dist_b = token_for("distributor", "dist-b")
    before = _event_count(traced)
    answer = client.post("/epcis/events", json=_quantity_naming(instance), headers=dist_b)
    assert answer.status_code == 400
    assert "quantityList[0].epcClass" in answer.json()["detail"]
    assert "not a class" in answer.json()["detail"]
    assert _event_count(traced) == before
    assert client.get("/api/trace", params={"code": code(3)}, headers=dist_b).status_code == 404


def test_a_unit_named_as_a_quantity_by_a_partys_event_is_not_held_by_it(
    traced: Database, client: TestClient, token_for: Headers
) -> None:
    # an event of dist-b's naming the brand's unit 3 as a quantity class, as capture took
    # it before it refused an instance EPC there: it makes unit 3 no unit dist-b held
    event = _quantity_naming(epc(3), "urn:uuid:4a0c7c1e-0000-4000-8000-0000000000b3")

    def store(uow: UnitOfWork) -> None:
        uow.events.add_documents([StoredEvent(event, party_id="dist-b", recorded_by="dist-b")])

    done(traced, store)
    dist_b = token_for("distributor", "dist-b")
    for params in ({"code": code(3)}, {"code": code(3), "direction": "back"}):
        answer = client.get("/api/trace", params=params, headers=dist_b)
        assert answer.status_code == 404
    # nor do its EPCIS queries find or show unit 3 by that event
    found = client.get("/epcis/events", params={"MATCH_anyEPC": epc(3)}, headers=dist_b)
    assert found.status_code == 200
    assert epc(3) not in found.text
