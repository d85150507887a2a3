"""unitrace scan and unitrace alerts: the verdict for a code, and the alerts it raises."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import demo_registry
from unitrace.cli import app

runner = CliRunner()


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_template: Path) -> list[str]:
    """The demo registry; the codes of its first serial request."""
    demo_registry(demo_template, tmp_path, monkeypatch)
    assert runner.invoke(app, ["serials", "codes", "1", "--out", "codes.json"]).exit_code == 0
    return [row["hri"] for row in json.loads((tmp_path / "codes.json").read_text())]


def test_scan_prints_the_verdict(demo: list[str]) -> None:
    shipped_to_a = demo[0]  # on the pallet shipped to Distributor A (MY-14, MY-10)
    first = runner.invoke(
        app, ["scan", shipped_to_a, "--lat", "3.139", "--lon", "101.6869", "--json"]
    )
    assert first.exit_code == 0, first.output
    answer = json.loads(first.stdout)
    assert (answer["verdict"], answer["first_scan"], answer["place"]["region"]) == (
        "genuine",
        True,
        "MY-14",
    )
    people = runner.invoke(app, ["scan", shipped_to_a, "--country", "SG"])
    assert people.stdout.startswith("SUSPICIOUS")
    assert "outside_territory" in people.stdout


def test_alerts_list_show_and_close(demo: list[str]) -> None:
    def grey_market() -> list[dict[str, Any]]:
        found = runner.invoke(app, ["alerts", "list", "--type", "grey_market", "--json"])
        return list(json.loads(found.stdout))

    # the demo's own scans raised grey-market alerts on other units
    before = grey_market()
    runner.invoke(app, ["scan", demo[0], "--country", "SG"])
    listed = [alert for alert in grey_market() if alert not in before]
    assert [(a["type"], a["status"], a["party"]) for a in listed] == [
        ("grey_market", "new", "dist-a")
    ]
    shown = json.loads(runner.invoke(app, ["alerts", "show", str(listed[0]["id"])]).stdout)
    assert shown["id"] == listed[0]["id"]
    closed = runner.invoke(app, ["alerts", "close", str(listed[0]["id"]), "--reason", "staff trip"])
    assert closed.stdout.strip() == f"alert {listed[0]['id']} closed: staff trip"
    again = runner.invoke(app, ["alerts", "close", str(listed[0]["id"]), "--reason", "again"])
    assert again.exit_code == 2
    assert again.stderr.startswith("error: ")


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["scan", "(01)09506000134352(21)X", "--lat", "3.1"], "error: --lat and --lon: give both, or neither"),
        (["scan", "(01)09506000134352(21)X", "--lat", "93", "--lon", "1"], "error: "),
        (["scan", "(01)09506000134352(21)X", "--country", "XX"], "error: "),
        (["alerts", "show", "999"], "error: "),
    ],
)  # fmt: skip
def test_bad_input_exits_2(demo: list[str], arguments: list[str], line: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert result.stderr.startswith(line)
