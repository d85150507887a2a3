"""A unit under an open clone or grey-market alert: every later scan answers ``suspicious``
with a message a consumer understands, even one that alone would look fine, until the alert
is closed; a product that blocks flagged units answers ``counterfeit`` instead. A recalled,
expired or inactive unit keeps its verdict. Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.services.issued_units import ADMIN, GTIN, LINE, issue, serial_of
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.lifecycle import allocate, commission
from unitrace.store.unit_of_work import Database

Headers = dict[str, str]
COMMISSIONED = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
KUALA_LUMPUR = {"lat": 3.139, "lon": 101.6869}
SINGAPORE = {"lat": 1.29, "lon": 103.85}
PENANG = {"lat": 5.4164, "lon": 100.3327}
CHECKED = "Warning: this code has been reported for checks"
BLOCKED = "This code has been blocked by the brand while it is checked"


@pytest.fixture
def world(database: Database) -> Database:
    """Vitamin C, sold in Malaysia and Singapore: units 1-5 at Distributor B (no territory),
    6-10 at Distributor A (Kuala Lumpur and Selangor only)."""
    with database.unit_of_work() as uow:
        register_product(
            uow,
            gtin=GTIN.value,
            name="Vitamin C",
            actor=ADMIN,
            company_prefix_length=7,
            target_markets=["MY", "SG"],
        )
        register_lot(uow, gtin=GTIN.value, lot="L1", expiry=dt.date(2040, 12, 31), actor=ADMIN)
        register_party(
            uow,
            id="dist-a",
            name="A",
            role="distributor",
            actor=ADMIN,
            territory=["MY-14", "MY-10"],
        )
        register_party(uow, id="dist-b", name="B", role="distributor", actor=ADMIN)
        issue(uow, GTIN, "L1", 10)
        commission(uow, gtin=GTIN, lot="L1", seq_from=1, seq_to=10, actor=LINE, at=COMMISSIONED)
        for party, first, last in (("dist-b", 1, 5), ("dist-a", 6, 10)):
            allocate(
                uow,
                party=party,
                actor=ADMIN,
                gtin=GTIN.value,
                lot="L1",
                seq_from=first,
                seq_to=last,
                at=COMMISSIONED + dt.timedelta(hours=1),
            )
        uow.commit()
    return database


def scan(api: TestClient, seq: int, who: str, **where: Any) -> Any:
    answer = api.post(
        "/api/scans",
        json={"code": f"(01){GTIN.value}(21){serial_of(GTIN, seq)}", "client": who, **where},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def cloned(api: TestClient, seq: int) -> Any:
    """The unit scanned in Kuala Lumpur, then in Singapore a moment later: a clone alert."""
    scan(api, seq, "phone-kl", **KUALA_LUMPUR)
    return scan(api, seq, "phone-sg", **SINGAPORE)


def open_alert(api: TestClient, admin: Headers, seq: int, kind: str) -> int:
    found = api.get("/api/alerts", params={"type": kind, "status": "new"}, headers=admin).json()
    (alert,) = [a for a in found if a["serial"] == serial_of(GTIN, seq)]
    number: int = alert["id"]
    return number


def close(api: TestClient, admin: Headers, alert_id: int) -> None:
    answer = api.post(
        f"/api/alerts/{alert_id}", json={"status": "closed", "reason": "checked"}, headers=admin
    )
    assert answer.status_code == 200, answer.text


def block_flagged_units(api: TestClient, admin: Headers) -> None:
    answer = api.put(
        f"/api/products/{GTIN.value}/detection-rules",
        json={"block_flagged_units": True},
        headers=admin,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["own_detection_rules"] == {"block_flagged_units": True}


def test_a_clone_is_suspicious_to_the_next_innocent_scan_until_its_alert_is_closed(
    world: Database, client: TestClient, admin: Headers
) -> None:
    assert cloned(client, 1)["reasons"] == ["impossible_travel"]
    alert_id = open_alert(client, admin, 1, "clone")
    # a scan that alone looks fine: no place, a new phone
    later = scan(client, 1, "phone-3")
    assert (later["verdict"], later["reasons"]) == ("suspicious", ["flagged_clone"])
    assert later["message"].startswith(CHECKED)
    assert "copied" in later["message"]
    # under investigation, the alert is still open
    moved = client.post(f"/api/alerts/{alert_id}", json={"status": "investigating"}, headers=admin)
    assert moved.status_code == 200
    assert scan(client, 1, "phone-4")["verdict"] == "suspicious"
    close(client, admin, alert_id)
    after = scan(client, 1, "phone-5")
    assert (after["verdict"], after["reasons"]) == ("genuine", [])
    assert after["message"].startswith("Authentic.")


def test_the_scan_that_finds_a_clone_gives_its_own_reason_not_the_flag(
    world: Database, client: TestClient, admin: Headers
) -> None:
    cloned(client, 2)
    # Kuala Lumpur again at once: the travel is impossible again, said by the scan itself
    again = scan(client, 2, "phone-kl-2", **KUALA_LUMPUR)
    assert (again["verdict"], again["reasons"]) == ("suspicious", ["impossible_travel"])
    assert "copied" in again["message"]


def test_a_grey_market_unit_is_suspicious_everywhere_until_its_alert_is_closed(
    world: Database, client: TestClient, admin: Headers
) -> None:
    leaked = scan(client, 6, "phone-pg", **PENANG)
    assert (leaked["verdict"], leaked["reasons"]) == ("suspicious", ["outside_territory"])
    later = scan(client, 6, "phone-2")
    assert (later["verdict"], later["reasons"]) == ("suspicious", ["flagged_grey_market"])
    assert later["message"].startswith(CHECKED)
    assert "not meant to be sold" in later["message"]
    close(client, admin, open_alert(client, admin, 6, "grey_market"))
    assert scan(client, 6, "phone-3")["verdict"] == "genuine"


def test_a_unit_without_alerts_is_unaffected(
    world: Database, client: TestClient, admin: Headers
) -> None:
    cloned(client, 1)
    block_flagged_units(client, admin)
    other = scan(client, 3, "phone-1")
    assert (other["verdict"], other["reasons"], other["first_scan"]) == ("genuine", [], True)


def test_a_product_that_blocks_flagged_units_answers_counterfeit_until_the_alert_is_closed(
    world: Database, client: TestClient, admin: Headers
) -> None:
    block_flagged_units(client, admin)
    found = cloned(client, 4)
    assert (found["verdict"], found["reasons"]) == (
        "counterfeit",
        ["impossible_travel", "flagged_blocked"],
    )
    assert found["message"].startswith(BLOCKED)
    later = scan(client, 4, "phone-3")
    assert (later["verdict"], later["reasons"]) == (
        "counterfeit",
        ["flagged_clone", "flagged_blocked"],
    )
    assert later["message"].startswith(BLOCKED)
    gs1 = client.get(
        f"/01/{GTIN.value}/21/{serial_of(GTIN, 4)}",
        params={"linkType": "gs1:verificationService"},
    ).json()
    assert (gs1["verified"], gs1["verificationFailureReason"]) == (
        False,
        "Not_for_re-distribution",
    )
    close(client, admin, open_alert(client, admin, 4, "clone"))
    assert scan(client, 4, "phone-4")["verdict"] == "genuine"


def test_a_flagged_unit_taken_out_of_circulation_keeps_its_verdict(
    world: Database, client: TestClient, admin: Headers
) -> None:
    block_flagged_units(client, admin)
    cloned(client, 5)
    changed = client.post(
        "/api/state-changes",
        json={"codes": [f"(01){GTIN.value}(21){serial_of(GTIN, 5)}"], "state": "sample"},
        headers=admin,
    )
    assert changed.status_code == 201, changed.text
    later = scan(client, 5, "phone-3")
    assert (later["verdict"], later["reasons"]) == ("inactive", ["sample", "flagged_clone"])


def test_the_verification_page_shows_a_flagged_unit_as_suspicious(
    world: Database, client: TestClient, admin: Headers
) -> None:
    cloned(client, 1)
    page = client.get(f"/01/{GTIN.value}/21/{serial_of(GTIN, 1)}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "verdict-suspicious" in page.text
    assert CHECKED in page.text
    assert "Authentic" not in page.text
