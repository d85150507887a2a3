"""Every table the command line prints fits an 80-column terminal with the longest realistic
values (20-character serials and lots, long names and party ids, Digital Links): prose wraps,
and a serial, GTIN, SSCC, EPC or code is never cut nor ellipsised (a code wider than its
column folds onto the next line whole)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unitrace.cli import app
from unitrace.registry.model import Actor, Role
from unitrace.services import lifecycle
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.services.tokens import create_token
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

runner = CliRunner()
GTIN = "09506000134352"
LOT = "LOT2026-06-PENANG-A1"  # 20 characters, the most AI (10) takes
PARTY = "distributor-kuala-lumpur-north-0001"
NAME = "Vitamin C 1000 mg effervescent tablets, tube of 20, orange flavour"
ADMIN = Actor("setup", Role.ADMIN)


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A product with 20-character serials and lot, a party with a long id, units shipped to
    it and one scanned where it should not be; the units' Digital Links."""
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    monkeypatch.setenv("UNITRACE_DATABASE_URL", url)
    monkeypatch.setenv("UNITRACE_RESOLVER_BASE", "https://id.brand-name.example")
    assert runner.invoke(app, ["init"]).exit_code == 0
    database = Database(open_database(url))
    with database.unit_of_work() as uow:
        register_product(
            uow,
            gtin=GTIN,
            name=NAME,
            company_prefix_length=7,
            serial_length=20,
            target_markets=["MY", "SG", "TH", "ID", "PH", "VN"],
            actor=ADMIN,
        )
        register_lot(
            uow, gtin=GTIN, lot=LOT, expiry=dt.date(2029, 12, 31), site="Penang", actor=ADMIN
        )
        register_party(
            uow,
            id=PARTY,
            name="Kuala Lumpur North Pharmaceutical Distribution Sdn. Bhd.",
            role="distributor",
            territory=["MY-14", "MY-10"],
            gln="9506000000015",
            actor=ADMIN,
        )
        issue_serials(uow, gtin=GTIN, lot=LOT, count=3, commission=True, actor=ADMIN)
        units = [code.row("https://id.brand-name.example") for code in request_codes(uow, 1)]
        lifecycle.ship(uow, codes=[units[0]["hri"]], party=PARTY, actor=ADMIN)
        create_token(
            uow,
            role="distributor",
            party=PARTY,
            actor=ADMIN,
            label="warehouse scanner at the Shah Alam distribution centre, dock 4",
        )
        uow.commit()
    database.engine.dispose()
    assert runner.invoke(app, ["scan", units[0]["digital_link"], "--country", "SG"]).exit_code
    return [str(unit["digital_link"]) for unit in units]


def column_texts(output: str) -> list[str]:
    """Each column of the tables in ``output``, its body's cells joined (a folded value comes
    back whole)."""
    columns: dict[int, str] = {}
    for line in output.splitlines():
        if line.startswith("│"):
            for index, cell in enumerate(line.split("│")[1:-1]):
                columns[index] = columns.get(index, "") + cell.strip()
    return list(columns.values())


def check(arguments: list[str], identifiers: list[str]) -> str:
    result = runner.invoke(app, arguments, env={"COLUMNS": "80"})
    assert result.exit_code in (0, 10), result.output
    table = [line for line in result.stdout.splitlines() if line[:1] in "┏┃┡│└"]
    assert table, result.stdout
    too_wide = [line for line in table if len(line) > 80]
    assert not too_wide, "\n".join(too_wide)
    assert "…" not in result.stdout
    columns = column_texts(result.stdout)
    for identifier in identifiers:
        assert any(identifier in column for column in columns), (identifier, result.stdout)
    return result.stdout


def test_products_lots_and_parties(registry: list[str]) -> None:
    check(["products", "list"], [GTIN])
    check(["products", "show", GTIN], [GTIN])
    check(["lots", "list", GTIN], [GTIN, LOT])
    check(["lots", "show", GTIN, LOT], [GTIN, LOT])
    check(["parties", "list"], [PARTY, "9506000000015"])


def test_tokens_and_alerts(registry: list[str]) -> None:
    check(["tokens", "list"], [PARTY])
    serial = registry[0].rsplit("/21/", 1)[1].split("?")[0]
    check(["alerts", "list"], [f"(01){GTIN}(10){LOT}(21){serial}", PARTY])


def test_a_units_history_and_the_events(registry: list[str]) -> None:
    serial = registry[0].rsplit("/21/", 1)[1].split("?")[0]
    assert len(serial) == 20
    check(["units", "show", GTIN, serial], [PARTY])
    epc = f"urn:epc:id:sgtin:9506000.013435.{serial}"
    check(["epcis", "events", f"MATCH_epc={epc}"], [epc])


def test_a_codes_ais(registry: list[str]) -> None:
    serial = registry[1].rsplit("/21/", 1)[1].split("?")[0]
    check(["code", "parse", registry[1]], [GTIN, LOT, serial])
