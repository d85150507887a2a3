"""Serial requests, shipping, state changes and unit look-ups over HTTP."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import RESOLVER

GTIN = "09506000134352"
Headers = dict[str, str]


@pytest.fixture
def brand(client: TestClient, admin: Headers) -> TestClient:
    """A product with one lot of 20 commissioned units, and two distributors."""
    for path, body in [
        ("/api/products", {"gtin": GTIN, "name": "Vitamin C", "company_prefix_length": 7}),
        ("/api/lots", {"gtin": GTIN, "lot": "L1", "expiry": "2028-06-30"}),
        (
            "/api/parties",
            {"id": "dist-a", "name": "A", "role": "distributor", "territory": ["MY-14"]},
        ),
        ("/api/parties", {"id": "dist-b", "name": "B", "role": "distributor", "territory": ["SG"]}),
        ("/api/serial-requests", {"gtin": GTIN, "lot": "L1", "count": 20, "commission": True}),
    ]:
        answer = client.post(path, json=body, headers=admin)
        assert answer.status_code == 201, answer.json()
    return client


def codes(client: TestClient, admin: Headers) -> list[dict[str, Any]]:
    answer = client.get("/api/serial-requests/1/codes", headers=admin)
    assert answer.status_code == 200
    rows: list[dict[str, Any]] = answer.json()
    return rows


def test_a_serial_request_gives_every_code_as_json_and_csv(
    brand: TestClient, admin: Headers
) -> None:
    request = brand.get("/api/serial-requests/1", headers=admin).json()
    assert {k: request[k] for k in ("id", "gtin", "lot", "count", "seq_from", "seq_to", "commissioned", "possible", "codes")} == {
        "id": 1, "gtin": GTIN, "lot": "L1", "count": 20, "seq_from": 1, "seq_to": 20,
        "commissioned": True, "possible": 32**12, "codes": "/api/serial-requests/1/codes",
    }  # fmt: skip
    assert request["guess_probability"] == 20 / 32**12
    rows = codes(brand, admin)
    assert [row["seq"] for row in rows] == list(range(1, 21))
    serials = [row["serial"] for row in rows]
    assert len(set(serials)) == 20
    first = rows[0]
    assert first == {
        "seq": 1,
        "serial": first["serial"],
        "hri": f"(01){GTIN}(17)280630(10)L1(21){first['serial']}",
        "element_string": f"01{GTIN}1728063010L1\x1d21{first['serial']}",
        "digital_link": f"{RESOLVER}/01/{GTIN}/10/L1/21/{first['serial']}?17=280630",
    }
    table = list(
        csv.DictReader(
            io.StringIO(brand.get("/api/serial-requests/1/codes?format=csv", headers=admin).text)
        )
    )
    assert [dict(row, seq=int(row["seq"])) for row in table] == rows


def test_labels_and_symbols_of_a_request(brand: TestClient, admin: Headers) -> None:
    pdf = brand.get("/api/serial-requests/1/labels.pdf", headers=admin)
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:4]) == (
        200,
        "application/pdf",
        b"%PDF",
    )
    archive = zipfile.ZipFile(
        io.BytesIO(brand.get("/api/serial-requests/1/symbols.zip", headers=admin).content)
    )
    names = archive.namelist()
    assert len(names) == 20
    assert names[0].startswith("01-")
    assert archive.read(names[0]).startswith(b"<svg") or b"<svg" in archive.read(names[0])[:200]


def test_allocating_a_seq_range_ships_those_units_to_the_party(
    brand: TestClient, admin: Headers
) -> None:
    answer = brand.post(
        "/api/allocations",
        json={"party": "dist-a", "gtin": GTIN, "lot": "L1", "seq_from": 1, "seq_to": 10},
        headers=admin,
    )
    assert answer.status_code == 201
    shipment = answer.json()
    assert (shipment["party"], shipment["units"], shipment["containers"]) == ("dist-a", 10, [])
    assert (shipment["event"]["biz_step"], shipment["event"]["disposition"]) == (
        "shipping",
        "in_transit",
    )
    rows = codes(brand, admin)
    custody = [
        brand.get(f"/api/units/{GTIN}/{row['serial']}", headers=admin).json()["custodian"]
        for row in rows
    ]
    assert custody == ["dist-a"] * 10 + [None] * 10


def test_a_unit_with_its_history(brand: TestClient, admin: Headers) -> None:
    serial = codes(brand, admin)[0]["serial"]
    brand.post(
        "/api/shipments",
        json={"codes": [f"(01){GTIN}(21){serial}"], "party": "dist-b"},
        headers=admin,
    )
    unit = brand.get(f"/api/units/{GTIN}/{serial}", headers=admin).json()
    assert {k: unit[k] for k in ("gtin", "serial", "epc", "lot", "seq", "expiry", "state", "container", "custodian")} == {
        "gtin": GTIN, "serial": serial, "epc": f"urn:epc:id:sgtin:9506000.013435.{serial}",
        "lot": "L1", "seq": 1, "expiry": "2028-06-30", "state": "active", "container": None,
        "custodian": "dist-b",
    }  # fmt: skip
    assert [(e["type"], e["action"], e["biz_step"], e["disposition"]) for e in unit["history"]] == [
        ("ObjectEvent", "ADD", "commissioning", "active"),
        ("ObjectEvent", "OBSERVE", "shipping", "in_transit"),
    ]


def test_a_pallet_of_cases_moves_every_unit_inside(brand: TestClient, admin: Headers) -> None:
    rows = codes(brand, admin)
    cases = ["(01)19506000134359(21)C1", "(01)19506000134359(21)C2"]
    pallet = "(00)095060001234567893"
    for case, units in zip(cases, (rows[:5], rows[5:10]), strict=True):
        answer = brand.post(
            "/api/aggregations",
            json={"parent": case, "children": [r["hri"] for r in units]},
            headers=admin,
        )
        assert answer.status_code == 201, answer.json()
    assert (
        brand.post(
            "/api/aggregations", json={"parent": pallet, "children": cases}, headers=admin
        ).status_code
        == 201
    )
    shipment = brand.post(
        "/api/shipments", json={"codes": [pallet], "party": "dist-a"}, headers=admin
    ).json()
    assert shipment["units"] == 10
    view = brand.get(f"/api/containers/{pallet}", headers=admin).json()
    assert (view["kind"], view["unit_count"], view["custodian"], len(view["containers"])) == (
        "sscc",
        10,
        "dist-a",
        2,
    )


REFUSED = [
    ("/api/serial-requests", {"gtin": GTIN, "lot": "L9", "count": 5}, 404, "lot: L9 of 09506000134352 is not a registered lot"),
    ("/api/serial-requests", {"gtin": GTIN, "lot": "L1", "count": 0}, 422, "count: 0 is not between 1 and the maximum"),
    ("/api/serial-requests", {"gtin": "04006381333931", "lot": "L1", "count": 5}, 404, "gtin"),
    ("/api/allocations", {"party": "dist-z", "gtin": GTIN, "lot": "L1", "seq_from": 1, "seq_to": 5}, 404, "dist-z"),
    ("/api/allocations", {"party": "dist-a", "gtin": GTIN, "lot": "L1", "seq_from": 5, "seq_to": 1}, 422, "seq"),
    ("/api/allocations", {"party": "dist-a", "seq_from": 1}, 422, "give either codes, or gtin, lot, seq_from and seq_to"),
    ("/api/shipments", {"codes": ["(01)09506000134352(21)NOSUCH"], "party": "dist-a"}, 404, "NOSUCH"),
    ("/api/state-changes", {"codes": ["(01)09506000134352(21)NOSUCH"], "state": "supplied"}, 404, "NOSUCH"),
    ("/api/state-changes", {"codes": [], "state": "supplied"}, 422, "codes"),
    ("/api/state-changes", {"codes": ["(01)09506000134353(21)X"], "state": "supplied"}, 422, "check digit"),
    ("/api/lots/09506000134352/L1/status", {"status": "paused", "reason": "why not"}, 422, "status"),
    ("/api/lots/09506000134352/L1/status", {"status": "recalled", "reason": " "}, 422, "reason: must say why"),
    ("/api/aggregations", {"parent": "(00)095060001234567893", "children": ["(00)095060001234567893"]}, 404, "is not registered"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "status", "detail"), REFUSED)
def test_refusals_name_the_rule_and_change_nothing(
    brand: TestClient, admin: Headers, path: str, body: dict[str, Any], status: int, detail: str
) -> None:
    before = snapshot(brand, admin)
    answer = brand.post(path, json=body, headers=admin)
    assert answer.status_code == status, answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert detail in answer.json()["detail"]
    assert snapshot(brand, admin) == before


def snapshot(client: TestClient, admin: Headers) -> list[Any]:
    return [
        client.get(f"/api/units/{GTIN}/{row['serial']}", headers=admin).json()
        for row in codes(client, admin)[:12]
    ] + [client.get("/api/lots/09506000134352", headers=admin).json()]


def test_a_forbidden_transition_is_a_409_naming_unit_state_and_rule(
    brand: TestClient, admin: Headers
) -> None:
    code = codes(brand, admin)[0]["hri"]
    assert (
        brand.post(
            "/api/state-changes", json={"codes": [code], "state": "destroyed"}, headers=admin
        ).status_code
        == 201
    )
    before = snapshot(brand, admin)
    answer = brand.post(
        "/api/state-changes", json={"codes": [code], "state": "active"}, headers=admin
    )
    assert answer.status_code == 409
    problem = answer.json()
    assert (problem["type"], problem["state"]) == ("/problems/transition-refused", "destroyed")
    assert problem["unit"] in code or code.endswith(problem["unit"].split("(21)")[-1])
    assert problem["rule"]
    assert snapshot(brand, admin) == before


def test_a_recall_is_irreversible(brand: TestClient, admin: Headers) -> None:
    body = {"status": "recalled", "reason": "label misprint"}
    first = brand.post("/api/lots/09506000134352/L1/status", json=body, headers=admin)
    again = brand.post(
        "/api/lots/09506000134352/L1/status",
        json={"status": "withdrawn", "reason": "x"},
        headers=admin,
    )
    assert (first.status_code, first.json()["disposition"]) == (201, "recalled")
    assert again.status_code == 409
    lot = brand.get("/api/lots/09506000134352/L1", headers=admin).json()
    assert (lot["status"], lot["status_reason"]) == ("recalled", "label misprint")
    serial = codes(brand, admin)[0]["serial"]
    assert brand.get(f"/api/units/{GTIN}/{serial}", headers=admin).json()["state"] == "recalled"


def test_a_distributor_sees_and_changes_only_units_in_its_custody(
    brand: TestClient, admin: Headers, token_for: Callable[..., Headers]
) -> None:
    rows = codes(brand, admin)
    brand.post(
        "/api/allocations",
        json={"party": "dist-a", "gtin": GTIN, "lot": "L1", "seq_from": 1, "seq_to": 2},
        headers=admin,
    )
    mine = token_for("distributor", "dist-a")
    assert brand.get(f"/api/units/{GTIN}/{rows[0]['serial']}", headers=mine).status_code == 200
    assert brand.get(f"/api/units/{GTIN}/{rows[5]['serial']}", headers=mine).status_code == 404
    sold = brand.post(
        "/api/state-changes", json={"codes": [rows[0]["hri"]], "state": "supplied"}, headers=mine
    )
    assert sold.status_code == 201
    refused = brand.post(
        "/api/state-changes", json={"codes": [rows[5]["hri"]], "state": "supplied"}, headers=mine
    )
    assert refused.status_code in (403, 404)
    assert (
        brand.post(
            "/api/serial-requests", json={"gtin": GTIN, "lot": "L1", "count": 1}, headers=mine
        ).status_code
        == 403
    )


def test_a_container_may_not_contain_itself(brand: TestClient, admin: Headers) -> None:
    rows = codes(brand, admin)
    case, pallet = "(01)19506000134359(21)C1", "(00)095060001234567893"
    brand.post(
        "/api/aggregations", json={"parent": case, "children": [rows[0]["hri"]]}, headers=admin
    )
    brand.post("/api/aggregations", json={"parent": pallet, "children": [case]}, headers=admin)
    before = brand.get(f"/api/containers/{pallet}", headers=admin).json()
    answer = brand.post(
        "/api/aggregations", json={"parent": case, "children": [pallet]}, headers=admin
    )
    assert answer.status_code == 409
    assert "itself" in answer.json()["detail"]
    assert brand.get(f"/api/containers/{pallet}", headers=admin).json() == before


def test_the_registrys_own_events_are_answered_by_the_epcis_query_interface(
    brand: TestClient, admin: Headers
) -> None:
    rows = codes(brand, admin)
    shipped = brand.post(
        "/api/allocations",
        json={"party": "dist-a", "gtin": GTIN, "lot": "L1", "seq_from": 1, "seq_to": 5},
        headers=admin,
    )
    assert shipped.status_code == 201, shipped.json()
    epc = f"urn:epc:id:sgtin:9506000.013435.{rows[0]['serial']}"
    answer = brand.get("/epcis/events", params={"MATCH_epc": epc}, headers=admin)
    assert answer.status_code == 200, answer.text
    events = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [(e["type"], e.get("bizStep")) for e in events] == [
        ("ObjectEvent", "commissioning"),
        ("ObjectEvent", "shipping"),
    ]
    assert epc in events[1]["epcList"]
    assert events[1]["destinationList"][0]["type"] == "owning_party"
