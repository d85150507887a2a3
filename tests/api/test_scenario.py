"""The stories that sell serialization, played through the HTTP API on 10 products of 10,000
units each: a first scan in Kuala Lumpur, a repeat scan, a copied code turning up across many
states, a unit leaking out of its distributor's territory, guessed codes, a recalled lot."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import RESOLVER, SYSTEM
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.services.tokens import create_token
from unitrace.store.unit_of_work import Database

GTINS = [f"0950600010{n:03d}" + gs1_check_digit(f"0950600010{n:03d}") for n in range(10)]
UNITS_PER_PRODUCT = 10_000
KUALA_LUMPUR = {"lat": 3.139, "lon": 101.6869}
# a copied code, photographed and printed, turns up across Malaysia and beyond
ACROSS_STATES = [
    {"lat": 5.4141, "lon": 100.3288},  # George Town, Penang
    {"lat": 1.4927, "lon": 103.7414},  # Johor Bahru
    {"lat": 5.9804, "lon": 116.0735},  # Kota Kinabalu, Sabah
    {"lat": 1.5535, "lon": 110.3593},  # Kuching, Sarawak
    {"lat": 6.1248, "lon": 102.2381},  # Kota Bharu, Kelantan
    {"lat": 4.5975, "lon": 101.0901},  # Ipoh, Perak
]


@pytest.fixture
def world(database: Database) -> tuple[TestClient, dict[str, str], dict[str, list[dict[str, Any]]]]:
    """The brand's registry over HTTP, with the scan rate limit out of the way of the story."""
    with database.unit_of_work() as uow:
        token = create_token(uow, role="admin", actor=SYSTEM)
        uow.commit()
    admin = {"Authorization": f"Bearer {token}"}
    client = TestClient(
        create_app(
            database, Settings(resolver_base=RESOLVER, scans_per_minute=10**6, scan_burst=10**5)
        )
    )
    setup = [
        ("/api/parties", {"id": "dist-a", "name": "Distributor A", "role": "distributor", "territory": ["MY-14", "MY-10"]}),
    ]  # fmt: skip
    for n, gtin in enumerate(GTINS):
        setup += [
            ("/api/products", {"gtin": gtin, "name": f"Supplement {n}", "company_prefix_length": 7, "target_markets": ["MY", "SG"]}),
            ("/api/lots", {"gtin": gtin, "lot": f"L{n}", "expiry": "2029-01-31"}),
            ("/api/serial-requests", {"gtin": gtin, "lot": f"L{n}", "count": UNITS_PER_PRODUCT, "commission": True}),
        ]  # fmt: skip
    setup.append(
        (
            "/api/allocations",
            {"party": "dist-a", "gtin": GTINS[0], "lot": "L0", "seq_from": 1, "seq_to": 10_000},
        )
    )
    for path, body in setup:
        answer = client.post(path, json=body, headers=admin)
        assert answer.status_code == 201, answer.json()
    codes = {
        gtin: client.get(f"/api/serial-requests/{n + 1}/codes", headers=admin).json()
        for n, gtin in enumerate(GTINS)
    }
    return client, admin, codes


def test_the_stories(
    world: tuple[TestClient, dict[str, str], dict[str, list[dict[str, Any]]]],
) -> None:
    client, admin, codes = world
    assert sum(len(rows) for rows in codes.values()) == 100_000
    bottle = codes[GTINS[0]][0]["digital_link"]

    # first scan in Kuala Lumpur: genuine, first scan, the place named
    first = client.post("/api/scans", json={"code": bottle, **KUALA_LUMPUR}).json()
    assert (first["verdict"], first["first_scan"], first["scan_count"]) == ("genuine", True, 1)
    assert first["place"]["city"] == "Kuala Lumpur"
    assert "Kuala Lumpur" in first["message"]

    # the same bottle again: genuine, not the first scan, the first time and place kept
    again = client.post("/api/scans", json={"code": bottle, **KUALA_LUMPUR}).json()
    assert (again["verdict"], again["first_scan"], again["scan_count"]) == ("genuine", False, 2)
    assert again["first_scanned"]["place"]["city"] == "Kuala Lumpur"
    assert again["first_scanned"]["at"] == first["first_scanned"]["at"]

    # a copied code seen across states: suspicious, and one clone alert within the first scans
    copied = codes[GTINS[0]][1]["digital_link"]
    verdicts = []
    for place in ACROSS_STATES * 7:  # 42 scans
        verdicts.append(client.post("/api/scans", json={"code": copied, **place}).json()["verdict"])
    assert "suspicious" in verdicts[:5]
    assert verdicts[-1] == "suspicious"
    clones = client.get("/api/alerts", params={"type": "clone"}, headers=admin).json()
    assert [alert["serial"] for alert in clones] == [codes[GTINS[0]][1]["serial"]]

    # unit 549, sent to Distributor A (Kuala Lumpur and Selangor), scanned in Singapore
    leaked = codes[GTINS[0]][548]
    assert leaked["seq"] == 549
    grey = client.post(
        "/api/scans", json={"code": leaked["digital_link"], "lat": 1.29, "lon": 103.85}
    ).json()
    assert grey["verdict"] == "suspicious"
    assert "outside_territory" in grey["reasons"]
    grey_alerts = client.get("/api/alerts", params={"type": "grey_market"}, headers=admin).json()
    (alert,) = [a for a in grey_alerts if a["serial"] == leaked["serial"]]
    assert (alert["party"], alert["serial"]) == ("dist-a", leaked["serial"])

    # guessed codes from one client: counterfeit, one alert about the guesser, then the
    # guesser is refused for the guessing window (10 counterfeit answers within 10 minutes)
    guesses = [f"{RESOLVER}/01/{GTINS[1]}/21/{secrets.token_hex(6).upper()}" for _ in range(12)]
    # the guesser scans from an address of its own, on the same service
    guesser = TestClient(client.app, client=("203.0.113.66", 40000))
    answers = [guesser.post("/api/scans", json={"code": g, "client": "guesser"}) for g in guesses]
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 2
    assert {a.json()["verdict"] for a in answers[:10]} == {"counterfeit"}
    assert answers[-1].headers["Retry-After"] == "600"
    (probed,) = client.get("/api/alerts", params={"type": "guessing"}, headers=admin).json()
    assert probed["details"]["counterfeit_answers"] == 10
    assert {scan["client"] for scan in probed["details"]["scans"]} == {"guesser"}
    # the hold is the address's: another client id sent from it is held as well, and the
    # client id the guesser sent holds nobody at another address
    rotated = guesser.post("/api/scans", json={"code": guesses[0], "client": "another-app"})
    assert rotated.status_code == 429
    other = client.post("/api/scans", json={"code": guesses[0], "client": "guesser"})
    assert other.json()["verdict"] == "counterfeit"

    # a recalled lot
    recall = client.post(
        f"/api/lots/{GTINS[2]}/L2/status",
        json={"status": "recalled", "reason": "contamination"},
        headers=admin,
    )
    assert recall.status_code == 201
    recalled = client.post(
        "/api/scans", json={"code": codes[GTINS[2]][10]["digital_link"], **KUALA_LUMPUR}
    ).json()
    assert recalled["verdict"] == "recalled"
    gs1 = client.get(
        "/" + codes[GTINS[2]][10]["digital_link"].split("/", 3)[3],
        params={"linkType": "gs1:verificationService"},
    ).json()
    # the identifier is ours (verified); the recall is what the partner must know about it
    assert (gs1["verified"], gs1["additionalInfo"]) == (True, "Recalled")
