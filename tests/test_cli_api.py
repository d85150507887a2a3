"""Every use case of the HTTP API on the command line: for the same call against the same
database, ``--json`` prints the API's own answer. A read is compared as it is; a change is
made once by each face on twin data (other seqs, another case), and the two answers compared
but for what names the event (its id and time), the one who recorded it, and the twin's own
identifiers. A change the state table refuses exits 3 and prints the API's own detail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.api.conftest import RESOLVER, admin, client, token_for
from unitrace.cli import app
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.store.unit_of_work import Database

__all__ = ["admin", "client", "token_for"]  # the API's fixtures, used here

runner = CliRunner()
GTIN = "09506000134352"
CASE_GTIN = "19506000134359"
Headers = dict[str, str]


def gln(number: int) -> str:
    payload = f"950600000{number:03d}"
    return payload + gs1_check_digit(payload)


def sscc(number: int) -> str:
    payload = f"0950600{number:010d}"
    return f"(00){payload}{gs1_check_digit(payload)}"


@pytest.fixture
def brand(
    client: TestClient, admin: Headers, database: Database, monkeypatch: pytest.MonkeyPatch
) -> TestClient:
    """Two lots of a product, 60 units issued in L1 (not commissioned), 20 commissioned in L2,
    two distributors; the command line pointed at the same database."""
    for path, body in [
        ("/api/products", {"gtin": GTIN, "name": "Vitamin C", "company_prefix_length": 7,
                           "target_markets": ["MY"]}),
        ("/api/lots", {"gtin": GTIN, "lot": "L1", "expiry": "2028-06-30"}),
        ("/api/lots", {"gtin": GTIN, "lot": "L2", "expiry": "2028-07-31"}),
        ("/api/parties", {"id": "dist-a", "name": "A", "role": "distributor",
                          "territory": ["MY-14"]}),
        ("/api/parties", {"id": "dist-b", "name": "B", "role": "distributor",
                          "territory": ["SG"]}),
        ("/api/serial-requests", {"gtin": GTIN, "lot": "L1", "count": 60}),
        ("/api/serial-requests", {"gtin": GTIN, "lot": "L2", "count": 20, "commission": True}),
    ]:  # fmt: skip
        answer = client.post(path, json=body, headers=admin)
        assert answer.status_code == 201, answer.json()
    url = database.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("UNITRACE_DATABASE_URL", url)
    monkeypatch.setenv("UNITRACE_RESOLVER_BASE", RESOLVER)
    return client


def codes(client: TestClient, admin: Headers, request: int = 1) -> list[str]:
    answer = client.get(f"/api/serial-requests/{request}/codes", headers=admin)
    assert answer.status_code == 200
    return [row["hri"] for row in answer.json()]


def cli(*arguments: str) -> Any:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def api(client: TestClient, admin: Headers, method: str, path: str, body: Any = None) -> Any:
    answer = client.request(method, path, json=body, headers=admin)
    assert answer.status_code in (200, 201), answer.json()
    return answer.json()


VOLATILE = {"event_id", "event_time", "recorded_by"}


def without(answer: Any, *names: str) -> Any:
    """``answer`` without what differs between twin changes: the event's id and time, who
    recorded it, and ``names``."""
    if isinstance(answer, dict):
        return {
            key: without(value, *names)
            for key, value in answer.items()
            if key not in VOLATILE and key not in names
        }
    if isinstance(answer, list):
        return [without(item, *names) for item in answer]
    return answer


READS = [
    (["products", "list"], "/api/products"),
    (["products", "show", GTIN], f"/api/products/{GTIN}"),
    (["lots", "list", GTIN], f"/api/lots/{GTIN}"),
    (["lots", "show", GTIN, "L2"], f"/api/lots/{GTIN}/L2"),
    (["parties", "list"], "/api/parties"),
]


@pytest.mark.parametrize(("arguments", "path"), READS)
def test_a_read_prints_the_apis_answer(
    brand: TestClient, admin: Headers, arguments: list[str], path: str
) -> None:
    assert cli(*arguments) == api(brand, admin, "GET", path)


def test_tokens_list_prints_the_apis_answer(brand: TestClient, admin: Headers) -> None:
    api(brand, admin, "GET", "/api/tokens")  # the admin token's last use, to five minutes
    assert cli("tokens", "list") == api(brand, admin, "GET", "/api/tokens")


def test_a_unit_by_gtin_and_serial_or_by_its_code(brand: TestClient, admin: Headers) -> None:
    code = codes(brand, admin, 2)[0]
    serial = code.rsplit("(21)", 1)[1]
    answer = api(brand, admin, "GET", f"/api/units/{GTIN}/{serial}")
    assert cli("units", "show", GTIN, serial) == answer
    assert cli("units", "show", code) == answer
    assert answer["state"] == "active"


def test_registering_products_lots_and_parties(brand: TestClient, admin: Headers) -> None:
    product = {"name": "Zinc", "company_prefix_length": 7, "serial_length": 14,
               "target_markets": ["MY", "SG"], "storage_conditions": "below 25 C"}  # fmt: skip
    made = cli(
        "products", "register", "--gtin", "09506000134369", "--name", "Zinc",
        "--company-prefix-length", "7", "--serial-length", "14", "--target-market", "MY",
        "--target-market", "SG", "--storage-conditions", "below 25 C",
    )  # fmt: skip
    twin = api(brand, admin, "POST", "/api/products", {"gtin": "09506000134376", **product})
    assert without(made, "gtin") == without(twin, "gtin")
    assert made == api(brand, admin, "GET", "/api/products/09506000134369")

    lot = cli(
        "lots", "register", "--gtin", GTIN, "--lot", "L3", "--expiry", "2029-01-31",
        "--production-date", "2026-01-05", "--site", "Penang",
    )  # fmt: skip
    twin = api(brand, admin, "POST", "/api/lots", {"gtin": GTIN, "lot": "L4", "expiry": "2029-01-31",
               "production_date": "2026-01-05", "site": "Penang"})  # fmt: skip
    assert without(lot, "lot") == without(twin, "lot")
    assert lot == api(brand, admin, "GET", f"/api/lots/{GTIN}/L3")

    party = cli(
        "parties", "create", "--id", "ph-1", "--name", "Pharmacy", "--role", "pharmacy",
        "--territory", "MY-10", "--gln", gln(1),
    )  # fmt: skip
    twin = api(brand, admin, "POST", "/api/parties", {"id": "ph-2", "name": "Pharmacy",
               "role": "pharmacy", "territory": ["MY-10"], "gln": gln(2)})  # fmt: skip
    assert without(party, "id", "gln") == without(twin, "id", "gln")
    assert [party, twin] == api(brand, admin, "GET", "/api/parties")[2:]


def test_the_life_of_units_on_both_faces(brand: TestClient, admin: Headers) -> None:
    """Commission, pack, unpack, pack again, ship, receive, allocate and change state: each
    step made by the command line on some units and by the API on their twins."""
    units = codes(brand, admin)

    def both(cli_arguments: list[str], path: str, body: dict[str, Any], *names: str) -> Any:
        by_cli = cli(*cli_arguments)
        by_api = api(brand, admin, "POST", path, body)
        assert without(by_cli, *names) == without(by_api, *names)
        return by_cli

    commissioned = both(
        ["units", "commission", "--gtin", GTIN, "--lot", "L1", "--seq-from", "1", "--seq-to", "20"],
        "/api/commissions",
        {"gtin": GTIN, "lot": "L1", "seq_from": 21, "seq_to": 40},
    )
    assert commissioned["biz_step"] == "commissioning"
    case_a, case_b = f"(01){CASE_GTIN}(21)CA", f"(01){CASE_GTIN}(21)CB"
    both(["units", "pack", case_a, *units[0:5]], "/api/aggregations",
         {"parent": case_b, "children": units[20:25]})  # fmt: skip
    both(["units", "unpack", case_a], "/api/disaggregations", {"parent": case_b})
    both(["units", "pack", case_a, *units[0:5]], "/api/aggregations",
         {"parent": case_b, "children": units[20:25]})  # fmt: skip
    pallet_a, pallet_b = sscc(1), sscc(2)
    both(["units", "pack", pallet_a, case_a], "/api/aggregations",
         {"parent": pallet_b, "children": [case_b]})  # fmt: skip
    for pallet in (pallet_a, pallet_b):
        assert cli("containers", "show", pallet) == api(
            brand, admin, "GET", f"/api/containers/{pallet}"
        )
    shipped = both(["units", "ship", pallet_a, "--party", "dist-a"], "/api/shipments",
                   {"codes": [pallet_b], "party": "dist-a"}, "containers")  # fmt: skip
    assert shipped["units"] == 5
    both(["units", "receive", pallet_a, "--location-gln", gln(1)], "/api/receipts",
         {"codes": [pallet_b], "location_gln": gln(1)})  # fmt: skip
    allocated = both(
        ["units", "allocate", "--party", "dist-b", "--gtin", GTIN, "--lot", "L1",
         "--seq-from", "6", "--seq-to", "10"],
        "/api/allocations",
        {"party": "dist-b", "gtin": GTIN, "lot": "L1", "seq_from": 26, "seq_to": 30},
    )  # fmt: skip
    assert allocated["units"] == 5
    both(["units", "allocate", "--party", "dist-b", units[10]], "/api/allocations",
         {"party": "dist-b", "codes": [units[30]]})  # fmt: skip
    both(["units", "state", units[11], units[12], "--to", "destroyed"], "/api/state-changes",
         {"codes": [units[31], units[32]], "state": "destroyed"})  # fmt: skip
    serial = units[11].rsplit("(21)", 1)[1]
    assert cli("units", "show", units[11]) == api(
        brand, admin, "GET", f"/api/units/{GTIN}/{serial}"
    )


def test_a_lot_recalled_or_withdrawn(brand: TestClient, admin: Headers) -> None:
    api(brand, admin, "POST", "/api/lots", {"gtin": GTIN, "lot": "L3", "expiry": "2029-01-31"})
    api(brand, admin, "POST", "/api/serial-requests",
        {"gtin": GTIN, "lot": "L3", "count": 5, "commission": True})  # fmt: skip
    recalled = cli("lots", "recall", GTIN, "L2", "--reason", "label misprint")
    twin = api(brand, admin, "POST", f"/api/lots/{GTIN}/L3/status",
               {"status": "recalled", "reason": "label misprint"})  # fmt: skip
    assert without(recalled) == without(twin)
    assert cli("lots", "show", GTIN, "L2")["status"] == "recalled"
    withdrawn = runner.invoke(app, ["lots", "withdraw", GTIN, "L1", "--reason", "x"])
    assert withdrawn.exit_code == 0, withdrawn.output
    assert withdrawn.stdout.startswith(f"lot L1 of {GTIN} withdrawn: x (event ")


def test_a_refused_change_exits_3_with_the_apis_detail(brand: TestClient, admin: Headers) -> None:
    code = codes(brand, admin, 2)[0]
    api(brand, admin, "POST", "/api/state-changes", {"codes": [code], "state": "destroyed"})
    by_api = brand.post(
        "/api/state-changes", json={"codes": [code], "state": "active"}, headers=admin
    )
    by_cli = runner.invoke(app, ["units", "state", code, "--to", "active"])
    assert (by_api.status_code, by_cli.exit_code) == (409, 3)
    assert by_cli.stderr == f"error: {by_api.json()['detail']}\n"
    recall = runner.invoke(app, ["lots", "recall", GTIN, "L2", "--reason", "misprint"])
    again = runner.invoke(app, ["lots", "withdraw", GTIN, "L2", "--reason", "x"])
    refused = brand.post(
        f"/api/lots/{GTIN}/L2/status", json={"status": "withdrawn", "reason": "x"}, headers=admin
    )
    assert (recall.exit_code, refused.status_code) == (0, 409)
    assert again.stderr == f"error: {refused.json()['detail']}\n"
    assert again.exit_code == (3 if refused.json()["type"] == "/problems/transition-refused" else 2)


BAD = [
    (["units", "state", "(01)09506000134352(21)NOSUCH", "--to", "supplied"], "error: codes[0]: unit (01)09506000134352(21)NOSUCH is not registered"),
    (["units", "state", "(01)09506000134352(21)X", "--to", "sold-ish"], "error: --to: 'sold-ish' is not a unit state"),
    (["units", "show", "(01)09506000134353(21)X"], "error: "),
    (["units", "show", "(01)09506000134352"], "error: (01)09506000134352: not a unit's code"),
    (["units", "allocate", "--party", "dist-a"], "error: give either codes, or --gtin"),
    (["lots", "recall", GTIN, "L2", "--reason", " "], "error: reason: must say why"),
    (["lots", "show", GTIN, "NOPE"], "error: lot: NOPE of 09506000134352 is not registered"),
    (["products", "register", "--gtin", "09506000134352", "--name", "Again"], "error: "),
    (["parties", "register", "--id", "bad id", "--name", "X", "--role", "distributor"], "error: id: 'bad id'"),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "line"), BAD)
def test_bad_input_is_one_line_and_exit_2(
    brand: TestClient, arguments: list[str], line: str
) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(line)
    assert result.stderr.count("\n") == 1


def test_a_change_prints_one_line_without_json(brand: TestClient, admin: Headers) -> None:
    lines = [
        runner.invoke(app, arguments).stdout
        for arguments in (
            ["units", "commission", "--gtin", GTIN, "--lot", "L1", "--seq-from", "1", "--seq-to", "2"],
            ["units", "ship", *codes(brand, admin)[:2], "--party", "dist-a"],
            ["parties", "register", "--id", "x", "--name", "X", "--role", "pharmacy"],
        )
    ]  # fmt: skip
    assert lines[0].startswith(f"commissioned seq 1-2 of {GTIN} lot L1: event ")
    assert lines[1].startswith("shipped 2 units to dist-a: event ")
    assert lines[2] == "registered party x (X, pharmacy)\n"
