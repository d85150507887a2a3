"""``unitrace serials codes`` and ``serials request --out``: the code file of a request is every
unit in seq order, a valid CSV or JSON file, the rows the API gives; a refusal leaves no file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.gs1.strategies import CSET82
from unitrace.cli import app
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot, register_product
from unitrace.services.serialization import CODE_COLUMNS, issue_serials, request_codes
from unitrace.store.unit_of_work import Database

runner = CliRunner()
GTIN = "09506000134352"
LOT = "L,2611(A)"
BASE = "https://id.brand.example"
ADMIN = Actor("ada", Role.ADMIN)


@pytest.fixture
def issued(database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Database:
    """40 units of a lot, serials drawn from all of CSET 82; the command line pointed at it."""
    with database.unit_of_work() as uow:
        register_product(
            uow, gtin=GTIN, name="Tea", actor=ADMIN, serial_length=10, serial_alphabet=CSET82
        )
        register_lot(uow, gtin=GTIN, lot=LOT, expiry=dt.date(2031, 1, 31), actor=ADMIN)
        issue_serials(uow, gtin=GTIN, lot=LOT, count=40, actor=ADMIN)
        uow.commit()
    monkeypatch.setenv("UNITRACE_DATABASE_URL", database.engine.url.render_as_string(False))
    monkeypatch.setenv("UNITRACE_RESOLVER_BASE", BASE)
    monkeypatch.chdir(tmp_path)
    return database


def expected_rows(database: Database, request_id: int) -> list[dict[str, int | str]]:
    with database.unit_of_work(read_only=True) as uow:
        return [code.row(BASE) for code in request_codes(uow, request_id)]


def read_rows(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        rows: list[dict[str, Any]] = json.loads(text)
        return rows
    table = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(table.fieldnames or ()) == CODE_COLUMNS
    return [dict(row, seq=int(row["seq"])) for row in table]


@pytest.mark.parametrize("form", ["csv", "json"])
def test_a_code_file_is_every_unit_of_the_request(issued: Database, form: str) -> None:
    result = runner.invoke(app, ["serials", "codes", "1", "--out", f"codes.{form}"])
    assert (result.exit_code, result.output) == (0, f"wrote codes.{form}: 40 codes\n")
    rows = read_rows(Path(f"codes.{form}"))
    assert rows == expected_rows(issued, 1)
    assert [row["seq"] for row in rows] == list(range(1, 41))
    assert sorted(path.name for path in Path().iterdir()) == [f"codes.{form}"]


@pytest.mark.parametrize("form", ["csv", "json"])
def test_a_request_writes_its_code_file(issued: Database, form: str) -> None:
    issue = ["serials", "request", "--gtin", GTIN, "--lot", LOT, "--count", "7"]
    result = runner.invoke(app, [*issue, "--out", f"new.{form}"])
    assert result.exit_code == 0, result.output
    rows = read_rows(Path(f"new.{form}"))
    assert rows == expected_rows(issued, 2)
    assert [row["seq"] for row in rows] == list(range(41, 48))


def test_an_unknown_request_is_one_line_and_leaves_no_file(issued: Database) -> None:
    result = runner.invoke(app, ["serials", "codes", "9", "--out", "codes.csv"])
    assert result.exit_code == 2
    assert "serial request 9 does not exist" in result.output
    assert list(Path().iterdir()) == []
