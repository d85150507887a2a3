"""``unitrace recall``: create, show, list, respond, close, units and report on the demo
brand's data, giving what the API gives; and what it refuses (exit 2, one line)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from unitrace.cli import app

runner = CliRunner()
GTIN = "09506000134352"
LOT = f"{GTIN}:L2611A"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'registry.db'}")
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["demo"]).exit_code == 0
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + (result.stderr or "")


def test_a_recall_from_create_to_report(demo: Path) -> None:
    status, out = run(
        "recall",
        "create",
        "--lot",
        LOT,
        "--reason",
        "Label misprint",
        "--instructions",
        "Return to the brand",
        "--class",
        "II",
        "--json",
    )
    assert status == 0, out
    body = json.loads(out)
    assert (body["id"], body["affected"]["units"]) == (1, 1000)
    assert [(line["party"], line["units"]) for line in body["affected"]["by_custodian"]] == [
        ("dist-a", 500),
        ("dist-b", 300),
        ("pharmacy-bangsar", 50),
    ]
    status, out = run("recall", "respond", "1", "--party", "dist-b", "--on-hand", "300")
    assert status == 0, out
    assert "dist-b" in out
    status, out = run("recall", "show", "1", "--json")
    line = json.loads(out)["affected"]["by_custodian"][1]
    assert (line["party"], line["acknowledged"], line["on_hand"]) == ("dist-b", True, 300)
    status, out = run("recall", "list")
    assert status == 0
    assert "Label misprint" in out
    status, out = run("recall", "units", "1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1000
    assert {row["state"] for row in rows} == {"recalled", "destroyed"}
    assert run("recall", "close", "1", "--reason", "done")[0] == 0
    assert run("recall", "report", "1", "--output", str(demo / "r.pdf"))[0] == 0
    text = PdfReader(demo / "r.pdf").pages[0].extract_text() or ""
    assert "Label misprint" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["recall", "create", "--lot", "nolot", "--reason", "r", "--instructions", "i"],
            "error: --lot: 'nolot' is not GTIN:LOT",
        ),
        (
            ["recall", "create", "--lot", f"{GTIN}:NOPE", "--reason", "r", "--instructions", "i"],
            "error: scope.lots[0]: (01)09506000134352(10)NOPE names no unit",
        ),
        (
            ["recall", "create", "--reason", "r", "--instructions", "i"],
            "error: scope: names no lot, unit or component lot",
        ),
        (["recall", "show", "7"], "error: recall 7 does not exist"),
        (["recall", "close", "7", "--reason", "x"], "error: recall 7 does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(demo: Path, args: list[str], said: str) -> None:
    status, out = run(*args)
    assert status == 2
    assert said in out
    assert run("recall", "list", "--json")[1].strip() == "[]"


def test_answers_beyond_what_a_party_held_are_refused(demo: Path) -> None:
    run("recall", "create", "--lot", LOT, "--reason", "r", "--instructions", "i")
    status, out = run("recall", "respond", "1", "--party", "dist-b", "--returned", "301")
    assert status == 2
    assert "returned 301 exceed the 300 affected units dist-b held" in out
    assert run("recall", "close", "1", "--reason", "x")[0] == 0
    status, out = run("recall", "close", "1", "--reason", "x")
    assert status == 2
    assert "closed already" in out
