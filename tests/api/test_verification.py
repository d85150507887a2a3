"""Public verification over HTTP: POST /api/scans and the GS1 Digital Link resolver, answered
as page, scan JSON, GS1 verification response or linkset; bad syntax 400; rate limits; nothing
a client sends reflected unescaped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.store.unit_of_work import Database

GTIN = "09506000134352"
Headers = dict[str, str]


@pytest.fixture
def units(client: TestClient, admin: Headers) -> list[dict[str, Any]]:
    """20 commissioned units of one lot; the product sells in Malaysia and Singapore."""
    for path, body in [
        (
            "/api/products",
            {
                "gtin": GTIN,
                "name": "Vitamin C 500 mg",
                "company_prefix_length": 7,
                "target_markets": ["MY", "SG"],
            },
        ),
        ("/api/lots", {"gtin": GTIN, "lot": "L1", "expiry": "2028-06-30"}),
        (
            "/api/parties",
            {
                "id": "dist-a",
                "name": "Distributor A",
                "role": "distributor",
                "territory": ["MY-14", "MY-10"],
            },
        ),
        ("/api/serial-requests", {"gtin": GTIN, "lot": "L1", "count": 20, "commission": True}),
        (
            "/api/allocations",
            {"party": "dist-a", "gtin": GTIN, "lot": "L1", "seq_from": 1, "seq_to": 10},
        ),
    ]:
        assert client.post(path, json=body, headers=admin).status_code == 201
    rows: list[dict[str, Any]] = client.get("/api/serial-requests/1/codes", headers=admin).json()
    return rows


def path_of(digital_link: str) -> str:
    return "/" + digital_link.split("/", 3)[3]


def test_a_first_scan_in_kuala_lumpur_is_genuine_and_names_the_place(
    client: TestClient, units: list[dict[str, Any]]
) -> None:
    code = units[0]["digital_link"]
    first = client.post("/api/scans", json={"code": code, "lat": 3.139, "lon": 101.6869}).json()
    assert {k: first[k] for k in ("verdict", "first_scan", "scan_count", "reasons")} == {
        "verdict": "genuine", "first_scan": True, "scan_count": 1, "reasons": [],
    }  # fmt: skip
    assert first["product"] == {
        "gtin": GTIN, "name": "Vitamin C 500 mg", "lot": "L1", "expiry": "2028-06-30",
        "serial": units[0]["serial"],
    }  # fmt: skip
    assert "Kuala Lumpur" in first["message"]
    again = client.post("/api/scans", json={"code": code, "lat": 3.139, "lon": 101.6869}).json()
    assert (again["verdict"], again["first_scan"], again["scan_count"]) == ("genuine", False, 2)
    assert again["first_scanned"]["place"]["city"] == "Kuala Lumpur"


def test_the_resolver_answers_a_browser_with_the_verification_page(
    client: TestClient, units: list[dict[str, Any]]
) -> None:
    page = client.get(path_of(units[0]["digital_link"]), headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-verdict="genuine"' in page.text
    assert "Vitamin C 500 mg" in page.text
    assert page.headers["access-control-allow-origin"] == "*"


def test_the_resolver_answers_json_the_gs1_verification_service_and_a_linkset(
    client: TestClient, units: list[dict[str, Any]]
) -> None:
    path = path_of(units[0]["digital_link"])
    scan = client.get(path, headers={"Accept": "application/json"}).json()
    assert scan["verdict"] == "genuine"
    gs1 = client.get(path, params={"linkType": "gs1:verificationService"}).json()
    assert gs1["verified"] is True
    fake = path.replace(units[0]["serial"], "NOTISSUED123")
    refused = client.get(fake, params={"linkType": "gs1:verificationService"}).json()
    assert refused["verified"] is False
    assert refused["verificationFailureReason"] == "No_match_GTIN_Serial"
    linkset = client.get(path, headers={"Accept": "application/linkset+json"})
    assert linkset.headers["content-type"] == "application/linkset+json"
    (links,) = linkset.json()["linkset"]
    assert links["anchor"].endswith(path.split("?")[0])
    assert [
        (link["href"], link["type"]) for link in links["https://gs1.org/voc/verificationService"]
    ] == [
        (f"http://testserver/verify/lms{links['anchor'][17:]}", "application/json"),
        (f"http://testserver/verify{links['anchor'][17:]}", "text/html"),
    ]
    assert links["https://gs1.org/voc/defaultLink"][0]["title"] == "Verify Vitamin C 500 mg"


BAD_LINKS = [
    "/01/09506000134353/21/X1",
    "/01/09506000134352/21/X1/10/L1",
    "/01/09506000134352/21/X1?17=281301",
    "/01/095060001343/21/X1",
]


@pytest.mark.parametrize("path", BAD_LINKS)
def test_a_bad_digital_link_is_a_400_never_a_200(client: TestClient, path: str) -> None:
    page = client.get(path)
    as_json = client.get(path, headers={"Accept": "application/json"})
    assert (page.status_code, as_json.status_code) == (400, 400)
    assert 'data-verdict="malformed"' in page.text
    assert as_json.headers["content-type"] == "application/problem+json"


def test_head_looks_without_logging_and_options_answers_cors(
    client: TestClient, units: list[dict[str, Any]]
) -> None:
    path = path_of(units[0]["digital_link"])
    assert client.head(path).status_code == 200
    options = client.options(path)
    assert (options.status_code, options.headers["allow"]) == (204, "GET, HEAD, OPTIONS")
    first = client.get(path, headers={"Accept": "application/json"}).json()
    assert (first["first_scan"], first["scan_count"]) == (True, 1)


HOSTILE = [
    "<script>alert(1)</script>",
    "'; DROP TABLE units; --",
    "https://e.com/01/09506000134352/21/<img src=x onerror=alert(1)>",
    "x" * 2048,
    '(01)09506000134352(21)"><svg onload=alert(1)>',
]


@pytest.mark.parametrize("code", HOSTILE)
def test_hostile_input_is_answered_logged_as_counterfeit_and_never_reflected(
    client: TestClient, units: list[dict[str, Any]], code: str
) -> None:
    answer = client.post("/api/scans", json={"code": code})
    assert answer.status_code == 200
    assert answer.json()["verdict"] == "counterfeit"
    page = client.get("/01/09506000134352/21/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert "<script>alert(1)</script>" not in page.text


def test_oversized_input_is_a_422(client: TestClient) -> None:
    answer = client.post("/api/scans", json={"code": "x" * 5000})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_client_over_its_rate_limit_gets_429_with_retry_after(database: Database) -> None:
    client = TestClient(create_app(database, Settings(scans_per_minute=60, scan_burst=3)))
    answers = [
        client.post("/api/scans", json={"code": "(01)09506000134352(21)X"}) for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].headers["retry-after"] == "1"


def test_alerts_workflow_over_http(
    client: TestClient,
    units: list[dict[str, Any]],
    admin: Headers,
    token_for: Callable[..., Headers],
) -> None:
    code = units[0]["digital_link"]
    for lat, lon in [
        (3.139, 101.6869),
        (1.29, 103.85),
        (5.41, 100.33),
        (13.75, 100.5),
        (-6.2, 106.8),
    ]:
        client.post("/api/scans", json={"code": code, "lat": lat, "lon": lon})
    alerts = client.get("/api/alerts", params={"type": "clone"}, headers=admin).json()
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["status"], alert["serial"]) == ("new", units[0]["serial"])
    moved = client.post(
        f"/api/alerts/{alert['id']}", json={"status": "investigating"}, headers=admin
    )
    assert moved.json()["status"] == "investigating"
    refused = client.post(f"/api/alerts/{alert['id']}", json={"status": "closed"}, headers=admin)
    assert refused.status_code == 422
    closed = client.post(
        f"/api/alerts/{alert['id']}",
        json={"status": "closed", "reason": "test scans"},
        headers=admin,
    )
    assert (closed.json()["status"], closed.json()["closed_reason"]) == ("closed", "test scans")
    assert client.get("/api/alerts", headers=token_for("line")).status_code == 403


def test_a_pharmacist_verifies_then_dispenses_and_a_second_dispense_is_refused(
    client: TestClient,
    units: list[dict[str, Any]],
    admin: Headers,
    token_for: Callable[..., Headers],
) -> None:
    serial = units[4]["serial"]
    pharmacist = token_for("verifier")
    pack = {"lot": "L1", "expiry": "2028-06-30", "country": "MY", "region": "MY-14"}
    checked = client.post(f"/api/units/{GTIN}/{serial}/verify", json=pack, headers=pharmacist)
    assert (checked.status_code, checked.json()["verdict"]) == (200, "genuine")
    dispensed = client.post(f"/api/units/{GTIN}/{serial}/decommission", json=pack, headers=admin)
    assert dispensed.status_code == 200, dispensed.json()
    assert dispensed.json()["dispensed"] is True
    again = client.post(f"/api/units/{GTIN}/{serial}/decommission", json=pack, headers=admin)
    assert again.status_code == 409
    problem = again.json()
    assert problem["scan"]["dispensed"] is False
    assert "decommissioned_twice" in problem["scan"]["reasons"]
    unit = client.get(f"/api/units/{GTIN}/{serial}", headers=admin).json()
    assert unit["state"] == "supplied"
    lifecycle = client.get("/api/alerts", params={"type": "lifecycle"}, headers=admin).json()
    assert [alert["serial"] for alert in lifecycle] == [serial]
    wrong_lot = client.post(
        f"/api/units/{GTIN}/{units[5]['serial']}/verify",
        json={**pack, "lot": "L2"},
        headers=pharmacist,
    )
    assert wrong_lot.json()["verdict"] == "counterfeit"
    assert "lot_mismatch" in wrong_lot.json()["reasons"]


def test_the_page_of_a_repeat_scan_names_the_first_place_only_where_known(
    client: TestClient, units: list[dict[str, Any]]
) -> None:
    unknown, known = path_of(units[1]["digital_link"]), units[2]["digital_link"]
    client.get(unknown)
    page = client.get(unknown).text
    assert "Checked 2 times. First checked" in page
    assert "unknown place" not in page
    client.post("/api/scans", json={"code": known, "lat": 3.139, "lon": 101.6869})
    assert "in Kuala Lumpur" in client.get(path_of(known)).text
