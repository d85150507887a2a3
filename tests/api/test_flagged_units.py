"""A unit under an open, corroborated clone or grey-market alert: every later scan answers ``suspicious``
with a message a consumer understands, even one that alone would look fine, until the alert
is closed; a product that blocks flagged units answers ``counterfeit`` instead. A recalled,
expired or inactive unit keeps its verdict. Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.services.issued_units import ADMIN, GTIN, LINE, issue, serial_of
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.lifecycle import allocate, commission
from unitrace.services.verification import DEFAULT_RULES
from unitrace.store.unit_of_work import Database

Headers = dict[str, str]
COMMISSIONED = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
KUALA_LUMPUR = {"lat": 3.139, "lon": 101.6869}
SINGAPORE = {"lat": 1.29, "lon": 103.85}
PENANG = {"lat": 5.4164, "lon": 100.3327}
CHECKED = "Warning: this code has been reported for checks"
BLOCKED = "This code is blocked while it is checked"
#: each phone's own address (the service knows a caller by its address)
ADDRESSES: dict[str, str] = {}


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


def scan(api: TestClient, seq: int, who: str, headers: Headers | None = None, **where: Any) -> Any:
    """Unit ``seq`` scanned by the phone ``who``, from an address of its own."""
    address = ADDRESSES.setdefault(who, f"198.51.100.{len(ADDRESSES) + 1}")
    phone = TestClient(api.app, client=(address, 50000))
    answer = phone.post(
        "/api/scans",
        json={"code": f"(01){GTIN.value}(21){serial_of(GTIN, seq)}", "client": who, **where},
        headers=headers or {},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def cloned(api: TestClient, seq: int) -> Any:
    """The unit scanned in Kuala Lumpur, then in Singapore a moment later, by two phones: a
    clone alert, made by two callers."""
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


def test_a_grey_market_unit_is_suspicious_everywhere_once_the_brand_takes_it_up(
    world: Database, client: TestClient, admin: Headers
) -> None:
    """One anonymous scan, whose place its sender chose, opens the alert for the brand but
    flags the unit for no one else until the brand takes the alert up."""
    leaked = scan(client, 6, "phone-pg", **PENANG)
    assert (leaked["verdict"], leaked["reasons"]) == ("suspicious", ["outside_territory"])
    alert_id = open_alert(client, admin, 6, "grey_market")
    assert scan(client, 6, "phone-2")["verdict"] == "genuine"
    moved = client.post(f"/api/alerts/{alert_id}", json={"status": "investigating"}, headers=admin)
    assert moved.status_code == 200
    later = scan(client, 6, "phone-3")
    assert (later["verdict"], later["reasons"]) == ("suspicious", ["flagged_grey_market"])
    assert later["message"].startswith(CHECKED)
    assert "not meant to be sold" in later["message"]
    close(client, admin, alert_id)
    assert scan(client, 6, "phone-4")["verdict"] == "genuine"


def test_a_scanner_with_a_token_seeing_a_grey_market_unit_flags_it_at_once(
    world: Database, client: TestClient, token_for: Callable[..., Headers]
) -> None:
    pharmacy = token_for("verifier")
    leaked = scan(client, 7, "pharmacy-app", pharmacy, **PENANG)
    assert leaked["reasons"] == ["outside_territory"]
    later = scan(client, 7, "phone-2")
    assert (later["verdict"], later["reasons"]) == ("suspicious", ["flagged_grey_market"])


def test_one_caller_forging_places_flags_nothing(
    world: Database, client: TestClient, admin: Headers
) -> None:
    """Kuala Lumpur then Singapore a second apart from one address, with a new client id each
    time: a place forged, not a code copied. No clone alert, and the next consumer reads
    the unit as genuine."""
    ADDRESSES["forger-2"] = ADDRESSES.setdefault("forger-1", "203.0.113.9")
    scan(client, 3, "forger-1", **KUALA_LUMPUR)
    second = scan(client, 3, "forger-2", **SINGAPORE)
    assert (second["verdict"], second["reasons"]) == ("genuine", [])
    assert client.get("/api/alerts", params={"type": "clone"}, headers=admin).json() == []
    assert scan(client, 3, "phone-9")["verdict"] == "genuine"


def test_scans_of_a_blocked_unit_are_no_guesses(
    world: Database, client: TestClient, admin: Headers, token_for: Callable[..., Headers]
) -> None:
    """A pharmacy scanning a blocked unit again and again, then mistyping one code, is not
    held as a guesser: a blocked unit is a unit."""
    block_flagged_units(client, admin)
    cloned(client, 8)
    pharmacy = token_for("verifier")
    answers = [scan(client, 8, "pharmacy-7", pharmacy) for _ in range(DEFAULT_RULES.guess_limit)]
    assert {answer["verdict"] for answer in answers} == {"counterfeit"}
    address = ADDRESSES["pharmacy-7"]
    typo = TestClient(client.app, client=(address, 50000)).post(
        "/api/scans", json={"code": f"(01){GTIN.value}(21)NOSUCHSERIAL1"}, headers=pharmacy
    )
    assert (typo.status_code, typo.json()["verdict"]) == (200, "counterfeit")
    assert scan(client, 9, "pharmacy-7", pharmacy)["verdict"] == "genuine"  # not held: no 429


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
    # the scan that finds the clone is suspicious; blocked are the scans after it
    found = cloned(client, 4)
    assert (found["verdict"], found["reasons"]) == ("suspicious", ["impossible_travel"])
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
