"""Products, lots and parties over HTTP: whole answers, problem details, nothing written on
bad input, and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from unitrace.store.unit_of_work import Database

PRODUCT = {"gtin": "9506000134352", "name": "Vitamin C 500 mg", "company_prefix_length": 7,
           "target_markets": ["MY", "sg"]}  # fmt: skip
LOT = {"gtin": "09506000134352", "lot": "L2611A", "expiry": "2027-12-31", "site": "Penang"}
#: The rules a product that sets none of its own is judged by.
DEFAULT_DETECTION_RULES = {"max_clients": 5, "max_places": 3, "max_speed_kmh": 900.0,
                           "min_travel_km": 50.0, "history": 50, "before_shipping": True,
                           "evidence_scans": 50, "block_flagged_units": False}  # fmt: skip
PARTY = {"id": "dist-a", "name": "Distributor A", "role": "distributor",
         "territory": ["MY-14", "my-10"], "gln": "9520123456788"}  # fmt: skip


def test_registering_a_product_a_lot_and_a_party(client: TestClient, admin: dict[str, str]) -> None:
    answers = [
        client.post("/api/products", json=PRODUCT, headers=admin),
        client.post("/api/lots", json=LOT, headers=admin),
        client.post("/api/parties", json=PARTY, headers=admin),
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.json() for a in answers] == [
        {"gtin": "09506000134352", "name": "Vitamin C 500 mg", "company_prefix_length": 7,
         "serial_length": 12, "serial_alphabet": "23456789ABCDEFGHJKLMNPQRSTUVWXYZ",
         "target_markets": ["MY", "SG"], "storage_conditions": None, "issued": 0,
         "detection_rules": DEFAULT_DETECTION_RULES, "own_detection_rules": {}},
        {"gtin": "09506000134352", "lot": "L2611A", "expiry": "2027-12-31", "production_date": None,
         "site": "Penang", "status": "released", "status_reason": None, "issued": 0},
        {"id": "dist-a", "name": "Distributor A", "role": "distributor",
         "territory": ["MY-14", "MY-10"], "gln": "9520123456788"},
    ]  # fmt: skip
    assert client.get("/api/lots/09506000134352/L2611A", headers=admin).json() == answers[1].json()
    assert client.get("/api/parties", headers=admin).json() == [answers[2].json()]


BAD = [
    ("/api/products", {**PRODUCT, "gtin": "9506000134353"}, 422, "gtin: AI (01): check digit 2 expected, got 3"),
    ("/api/products", {**PRODUCT, "serial_length": 5}, 422, "serial_length: 5 is not between 6 and 20"),
    ("/api/products", {**PRODUCT, "serial_length": 6, "serial_alphabet": "AB"}, 422, "cannot keep the guess probability below 1 in 10,000"),
    ("/api/products", {**PRODUCT, "serial_alphabet": "AB C"}, 422, "serial_alphabet: ' ' not in GS1 character set 82"),
    ("/api/products", {**PRODUCT, "target_markets": ["XX"]}, 422, "target_markets: 'XX' is not an ISO 3166-1"),
    ("/api/products", {**PRODUCT, "colour": "red"}, 422, "colour: Extra inputs are not permitted"),
    ("/api/products", {"name": "no gtin"}, 422, "gtin: Field required"),
    ("/api/lots", {**LOT, "gtin": "04006381333931"}, 404, "gtin: 04006381333931 is not a registered product"),
    ("/api/lots", {**LOT, "expiry": "2020-01-31"}, 422, "expiry: 2020-01-31 is in the past"),
    ("/api/lots", {**LOT, "expiry": "2027-13-01"}, 422, "expiry: Input should be a valid date"),
    ("/api/lots", {**LOT, "lot": "L 1"}, 422, "lot: AI (10): ' ' at position 2 is not in GS1 character set 82"),
    ("/api/lots", {**LOT, "lot": "L2611A"}, 409, "lot: L2611A of 09506000134352 is registered already"),
    ("/api/parties", {**PARTY, "territory": ["MY-99"]}, 422, "territory: 'MY-99' is not an ISO 3166-1"),
    ("/api/parties", {**PARTY, "role": "pirate"}, 422, "role: 'pirate' is not one of"),
    ("/api/parties", {**PARTY, "gln": "9520123456789"}, 422, "gln: AI (414): check digit 8 expected, got 9"),
    ("/api/parties", {**PARTY, "id": "dist a"}, 422, "id: 'dist a' must be 1-64 letters"),
    ("/api/products", PRODUCT, 409, "gtin: 09506000134352 is registered already"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "status", "detail"), BAD)
def test_bad_input_is_a_problem_naming_the_field_and_changes_nothing(
    client: TestClient,
    admin: dict[str, str],
    path: str,
    body: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    client.post("/api/products", json=PRODUCT, headers=admin)
    client.post("/api/lots", json=LOT, headers=admin)
    before = state_of(client, admin)
    answer = client.post(path, json=body, headers=admin)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["status"], problem["type"].startswith("/problems/")) == (status, True)
    assert detail in problem["detail"]
    assert state_of(client, admin) == before


def state_of(client: TestClient, admin: dict[str, str]) -> list[Any]:
    return [
        client.get("/api/products", headers=admin).json(),
        client.get("/api/lots/09506000134352", headers=admin).json(),
        client.get("/api/parties", headers=admin).json(),
    ]


def test_writes_need_a_token(client: TestClient) -> None:
    for headers, detail in [
        ({}, "this route needs an 'Authorization: Bearer <token>' header"),
        ({"Authorization": "Bearer ut_forged"}, "the bearer token is unknown or revoked"),
    ]:
        answer = client.post("/api/products", json=PRODUCT, headers=headers)
        assert (answer.status_code, answer.json()["detail"]) == (401, detail)
        assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ["line", "verifier"])
def test_only_admins_register_products(
    client: TestClient, token_for: Callable[..., dict[str, str]], role: str
) -> None:
    answer = client.post("/api/products", json=PRODUCT, headers=token_for(role))
    assert answer.status_code == 403
    assert answer.json()["detail"] == f"a {role} token may not do this; needs admin"


def test_tokens_are_created_by_admins_and_bound_to_a_party(
    client: TestClient, admin: dict[str, str]
) -> None:
    client.post("/api/parties", json=PARTY, headers=admin)
    answer = client.post(
        "/api/tokens", json={"role": "distributor", "party": "dist-a"}, headers=admin
    )
    assert answer.status_code == 201
    token = answer.json()["token"]
    assert token.startswith("ut_")
    assert len(token) > 40
    assert client.post("/api/tokens", json={"role": "distributor"}, headers=admin).json()[
        "detail"
    ] == ("party: a distributor token must name its party")
    mine = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/products", headers=mine).status_code == 403


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/products", "/api/lots", "/api/parties", "/api/tokens"} <= set(paths)
    assert client.get("/docs").status_code == 200


# --- a product's detection rules -----------------------------------------------------------------

RULES_PATH = "/api/products/09506000134352/detection-rules"


def test_a_products_detection_rules_are_set_shown_replaced_and_audited(
    client: TestClient, admin: dict[str, str], database: Database
) -> None:
    registered = client.post(
        "/api/products",
        json={**PRODUCT, "detection_rules": {"max_places": 8, "before_shipping": False}},
        headers=admin,
    )
    assert registered.status_code == 201
    shown = client.get("/api/products/09506000134352", headers=admin).json()
    assert (shown["detection_rules"], shown["own_detection_rules"]) == (
        {**DEFAULT_DETECTION_RULES, "max_places": 8, "before_shipping": False},
        {"max_places": 8, "before_shipping": False},
    )
    assert registered.json() == shown
    # PUT replaces: what is not named goes back to the default
    replaced = client.put(RULES_PATH, json={"max_speed_kmh": 120, "history": 20}, headers=admin)
    assert replaced.status_code == 200
    assert replaced.json()["detection_rules"] == {
        **DEFAULT_DETECTION_RULES,
        "max_speed_kmh": 120.0,
        "history": 20,
    }
    assert client.get("/api/products/09506000134352", headers=admin).json() == replaced.json()
    reset = client.put(RULES_PATH, json={}, headers=admin).json()
    assert (reset["detection_rules"], reset["own_detection_rules"]) == (DEFAULT_DETECTION_RULES, {})
    with database.unit_of_work(read_only=True) as uow:
        trail = [(row.actor, row.action, row.details) for row in uow.audit.of("09506000134352")]
    assert trail == [
        ("token:1", "product.registered",
         {"name": "Vitamin C 500 mg", "detection_rules": {"max_places": 8, "before_shipping": False}}),
        ("token:1", "product.detection_rules_set",
         {"detection_rules": {"max_speed_kmh": 120.0, "history": 20},
          "before": {"max_places": 8, "before_shipping": False}}),
        ("token:1", "product.detection_rules_set",
         {"detection_rules": {}, "before": {"max_speed_kmh": 120.0, "history": 20}}),
    ]  # fmt: skip


BAD_RULES = [
    ({"max_clients": 0}, 422, "max_clients: 0 is not a whole number from 1 to 1,000,000"),
    ({"max_places": -2}, 422, "max_places: -2 is not a whole number from 1 to 1,000,000"),
    ({"max_places": 2.5}, 422, "max_places: Input should be a valid integer"),
    ({"max_clients": True}, 422, "max_clients: Input should be a valid integer"),
    ({"max_clients": "5"}, 422, "max_clients: Input should be a valid integer"),
    ({"history": 1001}, 422, "history: 1001 is not a whole number from 1 to 1,000"),
    ({"evidence_scans": 0}, 422, "evidence_scans: 0 is not a whole number from 1 to 1,000"),
    ({"max_speed_kmh": 0}, 422, "max_speed_kmh: 0 is not a number above 0"),
    ({"max_speed_kmh": -900.0}, 422, "max_speed_kmh: -900.0 is not a number above 0"),
    ({"min_travel_km": -1}, 422, "min_travel_km: -1 is not a number from 0"),
    ({"before_shipping": "no"}, 422, "before_shipping: Input should be a valid boolean"),
    ({"block_flagged_units": 1}, 422, "block_flagged_units: Input should be a valid boolean"),
    ({"guess_limit": 3}, 422, "guess_limit: Extra inputs are not permitted"),
    ({"max_speed": 100}, 422, "max_speed: Extra inputs are not permitted"),
]  # fmt: skip


@pytest.mark.parametrize(("rules", "status", "detail"), BAD_RULES)
def test_bad_detection_rules_are_refused_naming_the_field_and_change_nothing(
    client: TestClient, admin: dict[str, str], rules: dict[str, Any], status: int, detail: str
) -> None:
    client.post(
        "/api/products", json={**PRODUCT, "detection_rules": {"max_clients": 7}}, headers=admin
    )
    before = state_of(client, admin)
    replaced = client.put(RULES_PATH, json=rules, headers=admin)
    registered = client.post(
        "/api/products",
        json={**PRODUCT, "gtin": "04012345000009", "detection_rules": rules},
        headers=admin,
    )
    for answer, field in ((replaced, detail), (registered, f"detection_rules.{detail}")):
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in answer.json()["detail"]
    assert state_of(client, admin) == before


def test_detection_rules_of_an_unknown_product_or_by_a_non_admin_are_refused(
    client: TestClient, admin: dict[str, str], token_for: Callable[..., dict[str, str]]
) -> None:
    client.post("/api/products", json=PRODUCT, headers=admin)
    unknown = client.put(
        "/api/products/04012345000009/detection-rules", json={"max_clients": 2}, headers=admin
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        "gtin: 04012345000009 is not a registered product",
    )
    bad_gtin = client.put(
        "/api/products/04012345000008/detection-rules", json={"max_clients": 2}, headers=admin
    )
    assert bad_gtin.status_code == 422
    before = state_of(client, admin)
    for role in ("line", "verifier"):
        refused = client.put(RULES_PATH, json={"max_clients": 2}, headers=token_for(role))
        assert (refused.status_code, refused.json()["detail"]) == (
            403,
            f"a {role} token may not do this; needs admin",
        )
    assert client.put(RULES_PATH, json={"max_clients": 2}).status_code == 401
    assert state_of(client, admin) == before
