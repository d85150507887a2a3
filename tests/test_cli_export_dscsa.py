"""``unitrace export dscsa``: the shipment's DSCSA exchange written to a file or standard
output, in each version, and what it refuses (one line, exit status 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from tests.services.exports.dscsa_scene import build_dscsa_scene, shipped_to_wholesaler
from unitrace.cli import app
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

runner = CliRunner()


@pytest.fixture
def shipment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    monkeypatch.setenv("UNITRACE_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    engine = open_database(url)
    try:
        database = build_dscsa_scene(Database(engine))
        return shipped_to_wholesaler(database)
    finally:
        engine.dispose()


def test_the_1_2_document_on_standard_output(shipment: str) -> None:
    result = runner.invoke(app, ["export", "dscsa", shipment])
    assert result.exit_code == 0, result.output
    root = etree.fromstring(result.stdout_bytes)
    assert (root.get("schemaVersion"), len(root.findall("EPCISBody/EventList/*"))) == ("1.2", 7)


def test_the_2_0_document_in_a_file(shipment: str, tmp_path: Path) -> None:
    out = tmp_path / "shipment.jsonld"
    result = runner.invoke(app, ["export", "dscsa", shipment, "--version", "2.0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "application/ld+json" in result.stdout
    body = json.loads(out.read_bytes())
    assert (body["schemaVersion"], len(body["epcisBody"]["eventList"])) == ("2.0", 7)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["urn:uuid:00000000-0000-4000-8000-000000000000"],
            "error: event: urn:uuid:00000000-0000-4000-8000-000000000000 is not a shipment "
            "unitrace recorded",
        ),
        (["{shipment}", "--version", "2"], "error: version: '2' is neither 1.2 nor 2.0"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    shipment: str, arguments: list[str], message: str
) -> None:
    result = runner.invoke(
        app, ["export", "dscsa", *(a.format(shipment=shipment) for a in arguments)]
    )
    assert (result.exit_code, result.stderr.strip()) == (2, message)


def test_the_group_lists_the_command() -> None:
    result = runner.invoke(app, ["export", "--help"])
    assert result.exit_code == 0
    assert "dscsa" in result.stdout
