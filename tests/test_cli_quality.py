"""``unitrace assemblies record`` and ``unitrace inspections record`` print, with ``--json``,
what ``POST /api/assemblies`` and ``POST /api/inspections`` answer for twin requests; a held
unit is refused on the command line as over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import admin, client, token_for
from tests.test_cli_api import GTIN, api, brand, cli, codes, runner, without
from unitrace.cli import app

__all__ = ["admin", "brand", "client", "token_for"]  # the fixtures, used here

Headers = dict[str, str]
CERTIFICATE = ["--agency", "UL", "--standard", "UL 94", "--value", "V-0", "--identification", "E1"]


def test_an_assembly_on_both_faces(brand: TestClient, admin: Headers) -> None:
    units = codes(brand, admin, 2)
    by_cli = cli("assemblies", "record", "--device", units[0], units[1], "--lot", f"{GTIN}:L1:2")
    by_api = api(brand, admin, "POST", "/api/assemblies",
                 {"device": units[2], "components": [units[3], {"gtin": GTIN, "lot": "L1",
                                                                "quantity": 2}]})  # fmt: skip
    assert without(by_cli, "device", "components") == without(by_api, "device", "components")
    assert (by_cli["biz_step"], len(by_cli["components"]), by_cli["lots"]) == (
        "assembling",
        1,
        [{"epc_class": "urn:epc:class:lgtin:9506000.013435.L1", "quantity": 2.0}],
    )
    again = runner.invoke(app, ["assemblies", "record", "--device", units[4], units[1]])
    assert again.exit_code == 2
    assert "is already consumed by another device" in again.stderr


def test_an_inspection_on_both_faces_and_its_hold(brand: TestClient, admin: Headers) -> None:
    units = codes(brand, admin, 2)
    by_cli = cli("inspections", "record", units[0], "--result", "fail", *CERTIFICATE)
    by_api = api(brand, admin, "POST", "/api/inspections",
                 {"target": units[1], "result": "fail", "certification": {
                     "agency": "UL", "standard": "UL 94", "value": "V-0",
                     "identification": "E1"}})  # fmt: skip
    assert without(by_cli) == without(by_api)
    assert (by_cli["disposition"], by_cli["on_hold"]) == ("non_conformant", 1)
    shipped = runner.invoke(app, ["units", "ship", units[0], "--party", "dist-a"])
    assert shipped.exit_code == 2
    serial = units[0].rsplit("(21)", 1)[1]
    assert shipped.stderr == (
        f"error: unit (01){GTIN}(21){serial} is on hold after a failed inspection: a unit on "
        "hold may not be shipped until a passing inspection of what failed releases it\n"
    )
    assert cli("inspections", "record", units[0], "--result", "pass")["on_hold"] == 0
    assert cli("units", "ship", units[0], "--party", "dist-a")["units"] == 1


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["inspections", "record", "(01)09506000134352(21)X", "--result", "maybe"],
         "error: result: 'maybe' is not an inspection result (pass, fail)\n"),
        (["inspections", "record", "(01)09506000134352(10)L9", "--result", "fail"],
         "error: target: lot L9 of 09506000134352 is not registered\n"),
        (["inspections", "record", "(01)09506000134352(10)L1", "--result", "fail", "--agency",
          "UL"], "error: --standard, --value, --identification: a certification needs all four "
         "parts\n"),
        (["inspections", "record", "(01)09506000134352(10)L1", "--result", "fail", "--at", "x"],
         "error: --at: 'x' is not an ISO 8601 time\n"),
        (["assemblies", "record", "--device", "(01)09506000134352(21)X", "--lot", "nope"],
         "error: --lot: 'nope' is not GTIN:LOT:QUANTITY\n"),
        (["assemblies", "record", "--device", "(01)09506000134352(21)X", "--lot",
          f"{GTIN}:L1:1e30"], "error: components[0].quantity: 1e+30 is above 1_000_000_000, the "
         "most of a lot one assembly may use\n"),
        (["assemblies", "record", "--device", "(01)09506000134352(21)X", "--lot",
          f"{GTIN}:L1:inf"], "error: components[0].quantity: inf is above 1_000_000_000, the "
         "most of a lot one assembly may use\n"),
        (["assemblies", "record", "--device", "(01)09506000134352(21)NOPE", "--lot",
          f"{GTIN}:L1:1"], "error: device[0]: unit (01)09506000134352(21)NOPE is not "
         "registered\n"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    brand: TestClient, arguments: list[str], line: str
) -> None:
    result = runner.invoke(app, arguments)
    assert (result.exit_code, result.stderr) == (2, line)
