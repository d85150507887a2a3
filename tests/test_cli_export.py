"""``unitrace export fsma204``: the route's CSV and XLSX from the same service, and the bad
input it refuses with one line and exit status 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.services.fsma_scene import build_fsma_scene
from tests.services.issued_units import GTIN
from tests.services.test_fsma204 import CASE_SHIPPED, MADE, PACKED, RECEIVED, SHIPPED
from unitrace.cli import app
from unitrace.services.exports.fsma204 import COLUMNS
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

runner = CliRunner()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fsma")
    url = f"sqlite:///{folder / 'registry.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UNITRACE_DATABASE_URL", url)
        assert runner.invoke(app, ["init"]).exit_code == 0
    build_fsma_scene(Database(open_database(url)))
    return folder


@pytest.fixture
def scene(registry: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{registry / 'registry.db'}")
    return registry


def test_the_csv_on_standard_output(scene: Path) -> None:
    result = runner.invoke(app, ["export", "fsma204", "--gtin", GTIN.value, "--lot", "L1"])
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert table[0] == list(COLUMNS)
    assert [row[-1] for row in table[1:]] == [
        row[-1] for row in (PACKED, MADE, SHIPPED, CASE_SHIPPED, RECEIVED)
    ]


def test_the_xlsx_to_a_file(scene: Path, tmp_path: Path) -> None:
    out = tmp_path / "fsma.xlsx"
    result = runner.invoke(
        app,
        ["export", "fsma204", "--gtin", GTIN.value, "--lot", "L1", "--from", "2026-03-03",
         "--format", "xlsx", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == f"3 critical tracking events written to {out}\n"
    sheet = load_workbook(out).active
    read = [
        tuple("" if cell is None else cell for cell in row)
        for row in sheet.iter_rows(values_only=True)
    ]
    assert read == [COLUMNS, SHIPPED, CASE_SHIPPED, RECEIVED]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--gtin", "09506000134353"], "error: gtin: "),
        (["--gtin", GTIN.value, "--from", "2026-03-04", "--to", "2026-03-01"],
         "error: from: 2026-03-04 is after to: 2026-03-01"),
        (["--gtin", GTIN.value, "--format", "ods"], "error: format: 'ods' is neither csv nor xlsx"),
        (["--gtin", GTIN.value, "--format", "xlsx"], "error: --format xlsx: give --out"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(scene: Path, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["export", "fsma204", *arguments])
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
