"""``GET /api/cold-chain``: the exposure of a unit, container or lot as JSON, in the issue's
field names, and its refusals."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.services.cold_chain.scene import build_cold_chain_scene, pallet_and_place, set_conditions
from tests.services.cold_chain.test_exposure import COLD, LOT_CODE, spiking, steady
from tests.services.issued_units import GTIN, LOT, build_registry, issue
from tests.services.lifecycle.scenes import PALLET, PALLET_EPC, code, epc
from unitrace.store.unit_of_work import Database
from unitrace.store.units.selections import LotRange

Headers = dict[str, str]


@pytest.fixture
def scene(database: Database) -> Database:
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 10)
        uow.commit()
    build_cold_chain_scene(database)
    set_conditions(database, COLD)
    pallet_and_place(database, spiking(5.0, 11.0), steady(4.0))
    return database


def test_a_unit_answers_its_periods_gaps_figures_excursions_and_verdict(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    answer = client.get("/api/cold-chain", params={"code": code(3)}, headers=admin)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert {key: found[key] for key in ("subject", "epc", "from", "until", "verdict")} == {
        "subject": "unit",
        "epc": epc(3),
        "from": "2026-03-02T01:00:00Z",
        "until": "2026-03-02T15:00:00Z",
        "verdict": "breach",
    }
    assert found["conditions"] == {
        "min_c": 2.0,
        "max_c": 8.0,
        "excursion": {"min_c": 0.0, "max_c": 10.0, "max_minutes": 60},
        "mkt": {"max_c": 8.0, "window": "24h", "delta_h_over_r": 10000.0},
    }
    assert [
        (p["from"], p["until"], p["source"]["kind"], p["source"]["device"], p["readings"])
        for p in found["periods"]
    ] == [
        ("2026-03-02T02:00:00Z", "2026-03-02T11:00:00Z", "container", "PAL-1", 108),
        ("2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z", "location", "WH-A", 6),
    ]
    assert [(g["from"], g["until"], g["minutes"]) for g in found["gaps"]] == [
        ("2026-03-02T01:00:00Z", "2026-03-02T02:00:00Z", 60.0),
        ("2026-03-02T12:00:00Z", "2026-03-02T15:00:00Z", 180.0),
    ]
    assert (found["min_c"], found["max_c"], found["minutes_out_of_range"]) == (4.0, 11.0, 20.0)
    assert isinstance(found["mean_c"], float)
    assert isinstance(found["mkt_c"], float)
    assert found["excursions"] == [
        {
            "start": "2026-03-02T06:00:00Z",
            "end": "2026-03-02T06:20:00Z",
            "peak_c": 11.0,
            "minutes": 20.0,
            "allowed": False,
            "source": {
                "kind": "container",
                "target": PALLET_EPC,
                "device": "PAL-1",
                "label": f"PAL-1 on container {PALLET_EPC}",
            },
        }
    ]
    assert len(found["reasons"]) == 1


def test_a_lot_answers_its_verdicts_counted(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    found = client.get("/api/cold-chain", params={"code": LOT_CODE}, headers=admin).json()
    assert {key: found[key] for key in ("subject", "gtin", "lot", "units", "verdicts")} == {
        "subject": "lot",
        "gtin": GTIN.value,
        "lot": LOT,
        "units": 10,
        "verdicts": {"within": 0, "allowed_excursion": 0, "breach": 10, "none": 0},
    }
    # units 1-2, 4-10 went through the same stretches; unit 3 left early
    assert [group["units"] for group in found["groups"]] == [9, 1]


def test_a_container_answers_its_own_exposure(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    found = client.get("/api/cold-chain", params={"code": PALLET}, headers=admin).json()
    assert (found["subject"], found["epc"], found["verdict"]) == ("container", PALLET_EPC, "breach")


@pytest.mark.parametrize(
    ("params", "role", "status", "detail"),
    [
        ({"code": code(1)}, None, 401, None),
        ({"code": code(1)}, "verifier", 403, None),
        ({"code": code(1)}, "dist-b", 404, "names no unit, container or lot"),
        ({}, "admin", 422, "code"),
        ({"code": "garbage"}, "admin", 422, "code"),
        ({"code": "x" * 3000}, "admin", 422, "code"),
        ({"code": "(01)09506000134352(21)NOPE"}, "admin", 404, "names no unit"),
    ],
)
def test_refusals(
    scene: Database,
    client: TestClient,
    token_for: Callable[..., Headers],
    params: dict[str, str],
    role: str | None,
    status: int,
    detail: str | None,
) -> None:
    headers = (
        {}
        if role is None
        else token_for("distributor", "dist-b")
        if role == "dist-b"
        else token_for(role)
    )
    answer = client.get("/api/cold-chain", params=params, headers=headers)
    assert answer.status_code == status, answer.text
    if detail is not None:
        assert detail in answer.text


def test_judging_on_demand_holds_the_breach_once(
    scene: Database, client: TestClient, admin: Headers
) -> None:
    first = client.post("/api/cold-chain/judgements", json={"code": LOT_CODE}, headers=admin)
    assert first.status_code == 200, first.text
    ((lot,),) = [first.json()]
    assert {key: lot[key] for key in ("gtin", "lot", "units", "verdicts", "breaches", "held")} == {
        "gtin": GTIN.value,
        "lot": LOT,
        "units": 10,
        "verdicts": {"breach": 10},
        "breaches": 1,
        "held": 10,
    }
    assert len(lot["alerts"]) == 1
    with scene.unit_of_work(read_only=True) as uow:
        held = uow.holds.held(LotRange(1, 1, 1, 10))
    assert held is not None
    assert (held.count, held.cause) == (10, "cold_chain")
    alerts = client.get("/api/alerts", params={"type": "temperature_excursion"}, headers=admin)
    assert [alert["id"] for alert in alerts.json()] == lot["alerts"]
    # a unit's code judges its lot; nothing new the second time
    again = client.post("/api/cold-chain/judgements", json={"code": code(1)}, headers=admin)
    assert [(found["breaches"], found["held"]) for found in again.json()] == [(0, 0)]
    scanned = client.post("/api/scans", json={"code": code(1)})
    assert (scanned.json()["verdict"], scanned.json()["message"]) == (
        "inactive",
        "This pack is on hold: storage conditions were not kept. Do not use it; contact the brand.",
    )


@pytest.mark.parametrize(
    ("body", "role", "status"),
    [
        ({"code": LOT_CODE}, "line", 403),
        ({"code": LOT_CODE}, None, 401),
        ({"code": "garbage"}, "admin", 422),
        ({"code": LOT_CODE, "extra": 1}, "admin", 422),
        ({}, "admin", 422),
        ({"code": "(01)09506000134352(10)NOPE"}, "admin", 404),
    ],
)
def test_judging_refusals(
    scene: Database,
    client: TestClient,
    token_for: Callable[..., Headers],
    body: dict[str, object],
    role: str | None,
    status: int,
) -> None:
    headers = {} if role is None else token_for(role)
    answer = client.post("/api/cold-chain/judgements", json=body, headers=headers)
    assert answer.status_code == status, answer.text
    with scene.unit_of_work(read_only=True) as uow:
        assert uow.holds.held(LotRange(1, 1, 1, 10)) is None
