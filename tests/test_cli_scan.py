"""unitrace scan's exit status is its verdict: one status for each, listed in its help, and
text that is no code at all answers counterfeit with counterfeit's status."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import demo_registry
from unitrace.cli import app
from unitrace.cli.scan import VERDICT_EXIT_STATUSES
from unitrace.gs1 import Gtin
from unitrace.registry.model import Actor, Role
from unitrace.services.catalog import register_lot
from unitrace.services.lifecycle import commission
from unitrace.services.serialization import issue_serials
from unitrace.services.verification import Verdict
from unitrace.store.database import open_database
from unitrace.store.schema import scan_count_queue, scan_counts
from unitrace.store.unit_of_work import Database

runner = CliRunner()
GTIN = "09506000134352"

STATUSES = {
    "genuine": 0,
    "suspicious": 10,
    "inactive": 11,
    "expired": 12,
    "recalled": 13,
    "counterfeit": 14,
}


def test_every_verdict_has_its_own_status_and_the_help_lists_them() -> None:
    assert VERDICT_EXIT_STATUSES == STATUSES
    assert set(STATUSES) == {verdict.value for verdict in Verdict}
    assert len(set(STATUSES.values())) == len(STATUSES)
    assert not {2, 3} & set(STATUSES.values())  # bad input and refusals keep theirs
    shown = " ".join(runner.invoke(app, ["scan", "--help"], env={"COLUMNS": "200"}).stdout.split())
    for verdict, status in STATUSES.items():
        assert f"{status} {verdict}" in shown


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_template: Path) -> list[str]:
    """The demo registry; the codes of its first serial request."""
    demo_registry(demo_template, tmp_path, monkeypatch)
    assert runner.invoke(app, ["serials", "codes", "1", "--out", "codes.json"]).exit_code == 0
    return [row["hri"] for row in json.loads((tmp_path / "codes.json").read_text())]


def scanned(*arguments: str) -> tuple[str, int]:
    result = runner.invoke(app, ["scan", *arguments, "--json"])
    return json.loads(result.stdout)["verdict"], result.exit_code


def test_each_verdict_exits_with_its_status(demo: list[str], tmp_path: Path) -> None:
    assert scanned(demo[0], "--lat", "3.139", "--lon", "101.6869") == ("genuine", 0)
    assert scanned(demo[0], "--country", "SG") == ("suspicious", 10)
    assert scanned("not a code at all") == ("counterfeit", 14)
    assert scanned("(01)09506000134352(21)NOSUCHSERIAL") == ("counterfeit", 14)
    assert runner.invoke(app, ["units", "state", demo[1], "--to", "destroyed"]).exit_code == 0
    assert scanned(demo[1]) == ("inactive", 11)
    assert runner.invoke(app, ["serials", "codes", "2", "--out", "other.json"]).exit_code == 0
    other_lot = json.loads((tmp_path / "other.json").read_text())[0]
    assert other_lot["hri"].split("(10)")[1] != demo[0].split("(10)")[1]
    recall = runner.invoke(
        app, ["lots", "recall", GTIN, other_lot["hri"].split("(10)")[1].split("(")[0],
              "--reason", "misprint"],
    )  # fmt: skip
    assert recall.exit_code == 0, recall.output
    assert scanned(other_lot["hri"]) == ("recalled", 13)
    database = Database(open_database(f"sqlite:///{tmp_path / 'registry.db'}"))
    admin = Actor("setup", Role.ADMIN)
    long_ago = dt.date(2020, 1, 1)
    with database.unit_of_work() as uow:
        register_lot(uow, gtin=GTIN, lot="OLD", expiry=dt.date(2021, 1, 31), actor=admin,
                     today=long_ago)  # fmt: skip
        issue_serials(uow, gtin=GTIN, lot="OLD", count=1, actor=admin, today=long_ago)
        commission(uow, gtin=Gtin(GTIN), lot="OLD", seq_from=1, seq_to=1, actor=admin,
                   at=dt.datetime(2020, 1, 2, tzinfo=dt.UTC))  # fmt: skip
        uow.commit()
    database.engine.dispose()
    assert runner.invoke(app, ["serials", "codes", "7", "--out", "old.json"]).exit_code == 0
    expired = json.loads((tmp_path / "old.json").read_text())[0]["hri"]
    assert scanned(expired) == ("expired", 12)


def test_a_scan_of_the_command_line_is_counted_with_no_service_running(
    demo: list[str], tmp_path: Path
) -> None:
    """The demo's scans and the command's are counted when they are logged: none is left
    queued for a service's counting thread that may never run."""
    database = Database(open_database(f"sqlite:///{tmp_path / 'registry.db'}"))
    day = dt.datetime.now(dt.UTC).date()

    def counted() -> tuple[int, int]:
        with database.unit_of_work(read_only=True) as uow:
            queued = uow.connection.execute(
                select(func.count()).select_from(scan_count_queue)
            ).scalar_one()
            today = uow.connection.execute(
                select(func.coalesce(func.sum(scan_counts.c.scans), 0)).where(
                    scan_counts.c.grain == "day", scan_counts.c.day == day
                )
            ).scalar_one()
        return int(queued), int(today)

    before = counted()
    assert before[0] == 0
    assert scanned(demo[0], "--country", "MY") == ("genuine", 0)
    assert counted() == (0, before[1] + 1)
    database.engine.dispose()


def test_the_verdict_line_for_people_and_the_status(demo: list[str]) -> None:
    result = runner.invoke(app, ["scan", "definitely not a code"])
    assert result.exit_code == 14
    assert result.stdout.startswith("COUNTERFEIT  ")
