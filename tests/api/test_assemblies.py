"""``POST /api/assemblies``: components into a serialized device, over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import RESOLVER
from tests.api.quality_world import CASE_1, build_quality_world, code, epc, written
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.store.unit_of_work import Database

Headers = dict[str, str]
OTHER_LOT = {"gtin": "04012345000009", "lot": "L1", "quantity": 3}
FOREIGN_GTIN = "0061414100001" + gs1_check_digit("0061414100001")


@pytest.fixture
def world(database: Database) -> Database:
    build_quality_world(database)
    return database


def test_an_assembly_answers_its_event_and_what_went_in(
    world: Database, client: TestClient, token_for: Callable[..., Headers]
) -> None:
    answer = client.post(
        "/api/assemblies",
        json={
            "device": code(6),
            "components": [code(7), OTHER_LOT],
            "at": "2026-03-02T09:00:00+08:00",
            "location": "9506000000046",
        },
        headers=token_for("line"),
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert {key: value for key, value in made.items() if key != "event_id"} == {
        "type": "TransformationEvent",
        "action": None,
        "event_time": "2026-03-02T09:00:00+08:00",
        "biz_step": "assembling",
        "disposition": None,
        "read_point": "urn:epc:id:sgln:9506000.00004.0",
        "biz_location": "urn:epc:id:sgln:9506000.00004.0",
        "party": None,
        "recorded_by": "token:1",
        "device": epc(6),
        "components": [epc(7)],
        "lots": [{"epc_class": "https://id.gs1.org/01/04012345000009/10/L1", "quantity": 3.0}],
    }
    unit = client.get(
        f"/api/units/09506000134352/{epc(7).rsplit('.', 1)[1]}", headers=token_for("admin")
    )
    assert unit.json()["state"] == "checked_out"


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"device": code(6), "components": []}, 422, "components: none given"),
        ({"device": code(6), "components": ["(01)09506000134352(21)NOPE"]}, 404,
         "components[0]: unit (01)09506000134352(21)NOPE is not registered"),
        ({"device": code(6), "components": [f"(01){FOREIGN_GTIN}(21)X"]}, 404,
         f"components[0]: unit (01){FOREIGN_GTIN}(21)X is not registered"),
        ({"device": code(6), "components": [{"gtin": FOREIGN_GTIN, "lot": "B7", "quantity": 1}]},
         404, f"components[0].gtin: {FOREIGN_GTIN} is not a registered product"),
        ({"device": code(6), "components": [{**OTHER_LOT, "lot": "L9"}]}, 404,
         "components[0].lot: lot L9 of 04012345000009 is not registered"),
        ({"device": code(6), "components": [{**OTHER_LOT, "quantity": -1}]}, 422,
         "components[0].quantity: -1 is not above 0"),
        ({"device": code(6), "components": [code(25)]}, 409, f"components[0]: unit {code(25)} "
         "is destroyed: only an active unit goes into a device"),
        ({"device": code(21), "components": [code(7)]}, 409, f"device: unit {code(21)} is "
         "issued: components go into an active (commissioned) device only"),
        ({"device": code(6), "components": [code(6)]}, 422, "components[0]: is the device itself"),
        ({"device": code(6), "components": [code(3)]}, 409, f"components[0]: unit {code(3)} is "
         "packed in urn:epc:id:sgtin:9506000.113435.C1: unpack it first"),
        ({"device": code(6), "components": [code(11)]}, 409, f"components[0]: unit {code(11)} is "
         "in the custody of dist-a: an assembly uses only units in the assembler's own custody"),
        ({"device": code(12), "components": [code(7)]}, 409, f"device: unit {code(12)} is in the "
         "custody of dist-a"),
        ({"device": code(6), "components": [CASE_1]}, 422, "is a case or pallet"),
        ({"device": code(6), "components": [code(7)], "at": "2026-03-02T09:00:00"}, 422, "at"),
        ({"device": code(6), "components": [code(7)], "location": "123"}, 422, "location_gln"),
        ({"device": code(6), "components": [code(7)], "colour": "red"}, 422, "colour"),
    ],
)  # fmt: skip
def test_a_bad_assembly_is_a_problem_and_writes_nothing(
    world: Database, client: TestClient, admin: Headers, body: dict[str, Any], status: int,
    detail: str,
) -> None:  # fmt: skip
    before = written(world)
    answer = client.post("/api/assemblies", json=body, headers=admin)
    assert (answer.status_code, answer.headers["content-type"]) == (
        status,
        "application/problem+json",
    )
    assert detail in str(answer.json()["detail"])
    assert written(world) == before


def test_a_component_in_one_device_goes_into_no_other(
    world: Database, client: TestClient, admin: Headers
) -> None:
    first = client.post(
        "/api/assemblies", json={"device": code(6), "components": [code(7)]}, headers=admin
    )
    before = written(world)
    second = client.post(
        "/api/assemblies", json={"device": code(8), "components": [code(9), code(7)]}, headers=admin
    )
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["detail"] == (
        f"components[1]: unit {code(7)} is already consumed by another device ({epc(6)}): a "
        "component goes into one device only"
    )
    assert written(world) == before


@pytest.mark.parametrize(
    ("role", "party", "status"),
    [("admin", None, 201), ("line", None, 201), ("distributor", "dist-a", 403),
     ("verifier", None, 403), (None, None, 401)],
)  # fmt: skip
def test_who_may_record_an_assembly(
    world: Database, client: TestClient, token_for: Callable[..., Headers], role: str | None,
    party: str | None, status: int,
) -> None:  # fmt: skip
    before = written(world)
    headers = token_for(role, party) if role else {}
    after_tokens = written(world)
    answer = client.post(
        "/api/assemblies", json={"device": code(13), "components": [code(14)]}, headers=headers
    )
    assert answer.status_code == status, answer.text
    if status != 201:
        assert written(world) == after_tokens
    else:
        assert written(world) != before


def test_two_assemblies_racing_for_one_component_one_wins(world: Database) -> None:
    """Two devices, one component, two requests at once: one is recorded, the other refused
    (409, naming the rule or the race), never a fault."""
    app = create_app(world, Settings(resolver_base=RESOLVER))
    from tests.api.conftest import SYSTEM
    from unitrace.services.tokens import create_token

    with world.unit_of_work() as uow:
        token = create_token(uow, role="admin", party=None, actor=SYSTEM)
        uow.commit()
    headers = {"Authorization": f"Bearer {token}"}
    start = threading.Barrier(2)
    statuses: list[int] = []
    details: list[str] = []

    def assemble(device: int) -> None:
        with TestClient(app) as client:
            start.wait()
            answer = client.post(
                "/api/assemblies",
                json={"device": code(device), "components": [code(7)]},
                headers=headers,
            )
            statuses.append(answer.status_code)
            if answer.status_code != 201:
                details.append(answer.json()["detail"])

    threads = [threading.Thread(target=assemble, args=(device,)) for device in (6, 8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    assert "already consumed by another device" in details[0] or "changed while" in details[0]
    with world.unit_of_work(read_only=True) as uow:
        assert (
            uow.connection.exec_driver_sql(
                "SELECT count(*) FROM epcis_events WHERE biz_step = 'assembling'"
            ).scalar_one()
            == 1
        )


@pytest.mark.parametrize(
    "before",
    [
        {
            "path": "/api/inspections",
            "json": {"target": "(01)04012345000009(10)L1", "result": "fail"},
        },
        {
            "path": "/api/lots/04012345000009/L1/status",
            "json": {"status": "recalled", "reason": "x"},
        },
        {
            "path": "/api/lots/04012345000009/L1/status",
            "json": {"status": "withdrawn", "reason": "x"},
        },
    ],
)
def test_a_lot_component_held_or_recalled_is_refused(
    world: Database, client: TestClient, admin: Headers, token_for: Callable[..., Headers],
    before: dict[str, Any],
) -> None:  # fmt: skip
    set_up = client.post(before["path"], json=before["json"], headers=admin)
    assert set_up.status_code in (200, 201), set_up.text
    line = token_for("line")
    kept = written(world)
    answer = client.post(
        "/api/assemblies", json={"device": code(6), "components": [OTHER_LOT]}, headers=line
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["detail"].startswith("components[0]: lot L1 of 04012345000009 is ")
    assert written(world) == kept


@pytest.mark.parametrize(
    "quantity",
    [1e30, 1e308, 1_000_000_001, 1_000_000_000.5, True, False, "5", None, 0, -1, [3], {"n": 3}],
)
def test_a_lot_quantity_not_a_sane_number_is_refused_and_writes_nothing(
    world: Database, client: TestClient, admin: Headers, quantity: Any
) -> None:
    before = written(world)
    answer = client.post(
        "/api/assemblies",
        json={"device": code(6), "components": [code(7), {**OTHER_LOT, "quantity": quantity}]},
        headers=admin,
    )
    assert answer.status_code == 422, answer.text
    assert written(world) == before


def test_a_lot_quantity_of_a_billion_is_the_most(
    world: Database, client: TestClient, admin: Headers
) -> None:
    answer = client.post(
        "/api/assemblies",
        json={"device": code(6), "components": [{**OTHER_LOT, "quantity": 1_000_000_000}]},
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["lots"][0]["quantity"] == 1_000_000_000
