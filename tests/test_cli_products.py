"""unitrace products rules: a product's detection rules, shown and changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from unitrace.cli import app
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_product
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

runner = CliRunner()
GTIN = "09506000134352"
DEFAULTS = {"max_clients": 5, "max_places": 3, "max_speed_kmh": 900.0, "min_travel_km": 50.0,
            "history": 50, "before_shipping": True, "evidence_scans": 50,
            "block_flagged_units": False}  # fmt: skip


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    monkeypatch.setenv("UNITRACE_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    database = Database(open_database(url))
    with database.unit_of_work() as uow:
        register_product(uow, gtin=GTIN, name="Vitamin C", actor=Actor("setup", Role.ADMIN))
        uow.commit()
    yield database
    database.engine.dispose()


def rules(*options: str) -> dict[str, Any]:
    result = runner.invoke(app, ["products", "rules", GTIN, *options, "--json"])
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_rules_are_shown_changed_one_by_one_and_reset(registry: Database) -> None:
    assert rules() == {"gtin": GTIN, "detection_rules": DEFAULTS, "own": {}}
    assert rules("--max-clients", "3", "--no-before-shipping", "--block-flagged-units")["own"] == {
        "max_clients": 3,
        "before_shipping": False,
        "block_flagged_units": True,
    }
    # options change the rules they name and keep the others
    changed = rules("--max-speed-kmh", "120", "--min-travel-km", "0")
    assert changed["detection_rules"] == {
        **DEFAULTS,
        "max_clients": 3,
        "before_shipping": False,
        "block_flagged_units": True,
        "max_speed_kmh": 120.0,
        "min_travel_km": 0.0,
    }
    assert rules() == changed
    assert rules("--reset", "--max-places", "6")["own"] == {"max_places": 6}
    assert rules("--reset") == {"gtin": GTIN, "detection_rules": DEFAULTS, "own": {}}
    with registry.unit_of_work(read_only=True) as uow:
        actions = [(row.actor, row.action) for row in uow.audit.of(GTIN)]
    assert (
        actions == [("setup", "product.registered")] + [("cli", "product.detection_rules_set")] * 4
    )


def test_rules_are_printed_for_people(registry: Database) -> None:
    runner.invoke(app, ["products", "rules", GTIN, "--max-places", "6"])
    shown = runner.invoke(app, ["products", "rules", GTIN])
    assert shown.exit_code == 0
    assert shown.stdout.splitlines() == [
        f"detection rules of {GTIN} (Vitamin C):",
        "  max_clients                5  (default)",
        "  max_places                 6  (product)",
        "  max_speed_kmh            900  (default)",
        "  min_travel_km             50  (default)",
        "  history                   50  (default)",
        "  before_shipping         true  (default)",
        "  evidence_scans            50  (default)",
        "  block_flagged_units    false  (default)",
    ]


BAD = [
    (["--max-places", "0"], "error: detection_rules.max_places: 0 is not a whole number from 1"),
    (["--max-clients", "-3"], "error: detection_rules.max_clients: -3 is not a whole number from 1"),
    (["--max-speed-kmh", "0"], "error: detection_rules.max_speed_kmh: 0.0 is not a number above 0"),
    (["--max-speed-kmh", "nan"], "error: detection_rules.max_speed_kmh: nan is not a number above 0"),
    (["--min-travel-km", "-1"], "error: detection_rules.min_travel_km: -1.0 is not a number from 0"),
    (["--reset", "--max-places", "0"], "error: detection_rules.max_places: 0 is not a whole number"),
]  # fmt: skip


@pytest.mark.parametrize(("options", "line"), BAD)
def test_bad_rules_exit_2_with_one_line_and_change_nothing(
    registry: Database, options: list[str], line: str
) -> None:
    rules("--max-clients", "7")
    before = rules()
    result = runner.invoke(app, ["products", "rules", GTIN, *options])
    assert result.exit_code == 2
    assert result.stderr.startswith(line)
    assert len(result.stderr.strip().splitlines()) == 1
    assert rules() == before


@pytest.mark.parametrize(
    ("gtin", "line"),
    [
        ("09506000134353", "error: gtin: AI (01): check digit 2 expected, got 3"),
        ("04012345000009", "error: gtin: 04012345000009 is not a registered product"),
    ],
)
def test_an_unknown_or_bad_gtin_exits_2(registry: Database, gtin: str, line: str) -> None:
    for options in ([], ["--max-clients", "2"]):
        result = runner.invoke(app, ["products", "rules", gtin, *options])
        assert (result.exit_code, result.stderr.strip()) == (2, line)


def test_an_uninitialised_database_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNITRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = runner.invoke(app, ["products", "rules", GTIN])
    assert result.exit_code == 2
    assert "is not initialised: run unitrace init" in result.stderr
