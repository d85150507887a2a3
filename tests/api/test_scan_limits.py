"""The public routes' limits go by the caller's address: the ``client`` id a caller sends can
only narrow its own limits, never lift them, and never lock another app out."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient

from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.store.unit_of_work import Database

GTIN = "09506000134352"
GUESSER = ("203.0.113.66", 40000)
ELSEWHERE = ("198.51.100.7", 40000)
# the guessing detector's rule: 10 counterfeit answers within 10 minutes
GUESS_LIMIT = 10


def guess() -> str:
    return f"(01){GTIN}(21){secrets.token_hex(5).upper()}"


def service(database: Database) -> TestClient:
    app = create_app(database, Settings(scans_per_minute=10**6, scan_burst=10**5))
    return TestClient(app, client=GUESSER)


def test_rotating_client_ids_lifts_no_hold(database: Database) -> None:
    guesser = service(database)
    answers = [
        guesser.post("/api/scans", json={"code": guess(), "client": f"app-{n}"})
        for n in range(GUESS_LIMIT + 2)
    ]
    assert [a.status_code for a in answers] == [200] * GUESS_LIMIT + [429] * 2
    assert answers[-1].headers["Retry-After"] == "600"
    # the resolver's routes hold the same caller
    resolved = guesser.get(f"/01/{GTIN}/21/X1", headers={"Accept": "application/json"})
    assert resolved.status_code == 429


def test_another_apps_id_locks_that_app_out_nowhere(database: Database) -> None:
    guesser = service(database)
    for _ in range(GUESS_LIMIT):
        guesser.post("/api/scans", json={"code": guess(), "client": "brand-app"})
    assert (
        guesser.post("/api/scans", json={"code": guess(), "client": "brand-app"}).status_code == 429
    )
    elsewhere = TestClient(guesser.app, client=ELSEWHERE)
    # the app's users at other addresses scan on, counterfeit codes included
    answer = elsewhere.post("/api/scans", json={"code": guess(), "client": "brand-app"})
    assert answer.status_code == 200
    assert answer.json()["verdict"] == "counterfeit"
    assert "guessing" not in answer.json()["reasons"]


def test_the_guesser_alert_names_the_address_and_keeps_the_client_ids(
    database: Database, admin: dict[str, str]
) -> None:
    guesser = service(database)
    for n in range(GUESS_LIMIT):
        guesser.post("/api/scans", json={"code": guess(), "client": f"app-{n}"})
    (alert,) = guesser.get("/api/alerts", params={"type": "guessing"}, headers=admin).json()
    assert alert["details"]["counterfeit_answers"] == GUESS_LIMIT
    assert {scan["client"] for scan in alert["details"]["scans"]} <= {
        f"app-{n}" for n in range(GUESS_LIMIT)
    }
