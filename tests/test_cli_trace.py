"""``unitrace trace``: the tree, the route's JSON and the CSV, on the demo brand's data, and
what it refuses."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unitrace.cli import app

runner = CliRunner()
LOT = "(01)09506000134352(10)L2611A"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trace")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{folder / 'registry.db'}")
        assert runner.invoke(app, ["init"]).exit_code == 0
        assert runner.invoke(app, ["demo"]).exit_code == 0
    return folder


@pytest.fixture
def demo(registry: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{registry / 'registry.db'}")
    return registry


def test_forward_from_a_lot_as_json(demo: Path) -> None:
    result = runner.invoke(app, ["trace", LOT, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["direction"], body["units"]) == (
        "forward",
        {
            "count": 1000,
            "by_state": {"active": 997, "destroyed": 3},
            "by_custodian": {"dist-a": 500, "dist-b": 300, "brand": 150, "pharmacy-bangsar": 50},
            "by_region": {"unknown": 650, "SG": 300, "MY-14": 50},
        },
    )
    assert [(s["party"], s["units"]) for s in body["shipments"]] == [
        ("dist-a", 500),
        ("dist-b", 300),
        ("pharmacy-bangsar", 50),
    ]


def test_the_csv_lists_every_unit_and_the_tree_traces_one_back(demo: Path) -> None:
    result = runner.invoke(app, ["trace", LOT, "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1000
    assert {row["lot"] for row in rows} == {"L2611A"}
    held = [row for row in rows if row["custodian"] == "dist-a"]
    assert len(held) == 500
    assert {row["pallet"] for row in held} == {"(00)095060001234567893"}
    unit = f"(01){held[0]['gtin']}(21){held[0]['serial']}"
    tree = runner.invoke(app, ["trace", unit], env={"COLUMNS": "200"})
    assert tree.exit_code == 0, tree.output
    lines = [line.strip("│├└─ ") for line in tree.stdout.splitlines()]
    assert lines[0] == f"back from unit {unit}"
    assert "lot L2611A of 09506000134352, expires 2028-06-30, released" in lines
    assert f"{held[0]['container']} (sgtin): holds it now" in lines
    custodians = lines.index("custodians")
    assert [line.split(" since ")[0] for line in lines[custodians + 1 : custodians + 3]] == [
        "brand",
        "dist-a",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["(414)9506000000015"], "trace needs a unit (GTIN + serial)"),
        (["(01)09506000134352(21)NOPE"], "names no unit, container or lot unitrace knows"),
        ([LOT, "--back", "--forward"], "give one direction"),
        ([LOT, "--json", "--csv"], "give one format"),
        ([LOT, "--csv", "--back"], "--csv lists the units reached forward"),
    ],
)
def test_bad_input_is_one_line(demo: Path, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["trace", *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
