"""The scan log and the alert table: round trips, the one-open-alert index, and the
migration matching the schema; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from unitrace.places import Place
from unitrace.store.alerts import AlertFilter
from unitrace.store.scans import ScanEntry, ScanRecord
from unitrace.store.schema import metadata
from unitrace.store.unit_of_work import Database

T = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
KL = Place(3.139, 101.6869, "Kuala Lumpur", "MY-14", "MY")


def test_scan_log_keeps_a_units_history_newest_first(database: Database) -> None:
    with database.unit_of_work() as uow:
        ids = [
            uow.scans.add(
                ScanEntry(
                    T + dt.timedelta(minutes=n),
                    "raw",
                    verdict,
                    (reason,),
                    True,
                    KL,
                    product_id=1,
                    serial="S1",
                    gtin="09506000134352",
                    client=f"c{n}",
                )
            )
            for n, (verdict, reason) in enumerate(
                [("genuine", ""), ("counterfeit", "lot_mismatch"), ("suspicious", "x")]
            )
        ]
        uow.scans.add(
            ScanEntry(
                T,
                "junk",
                "counterfeit",
                ("malformed",),
                False,
                Place(),
                client="c0",
                parse_error="code: empty",
            )
        )
        uow.commit()
    with database.unit_of_work() as uow:
        recent = uow.scans.recent_of_unit(1, "S1", limit=10, excluding="counterfeit")
        assert recent == [
            ScanRecord(ids[2], T + dt.timedelta(minutes=2), "suspicious", ("x",), "c2", KL),
            ScanRecord(ids[0], T, "genuine", ("",), "c0", KL),
        ]
        assert uow.scans.first_of_unit(1, "S1") == (
            ScanRecord(ids[0], T, "genuine", ("",), "c0", KL),
            3,
        )
        assert uow.scans.count_by_client("c0", since=T, verdict="counterfeit") == 1
        assert uow.scans.count() == 4


def test_one_open_alert_per_type_and_subject(database: Database) -> None:
    with database.unit_of_work() as uow:
        first = uow.alerts.add(
            type="clone",
            subject="g/s",
            at=T,
            evidence={"n": 1},
            gtin="g",
            serial="s",
            party_id="dist-a",
        )
        with pytest.raises(IntegrityError), uow.connection.begin_nested():
            uow.alerts.add(type="clone", subject="g/s", at=T, evidence={})
        uow.alerts.add(type="grey_market", subject="g/s", at=T, evidence={})
        uow.alerts.set_status(first, "closed", "test scans", T)
        again = uow.alerts.add(type="clone", subject="g/s", at=T, evidence={})
        assert uow.alerts.open_for("clone", "g/s") == uow.alerts.get(again)
        found = uow.alerts.find(AlertFilter(type="clone", status="closed", party="dist-a"))
        assert [(a.id, a.code, a.closed_reason, a.evidence) for a in found] == [
            (first, "(01)g(21)s", "test scans", {"n": 1})
        ]


def test_an_alert_is_raised_unless_one_is_open(database: Database) -> None:
    """As a scan raises one: None where one of the type and subject is open, and nothing
    written; the same again once it is closed."""
    with database.unit_of_work() as uow:
        first = uow.alerts.add_unless_open(
            type="clone", subject="g/s", at=T, evidence={"n": 1}, gtin="g", serial="s"
        )
        assert first is not None
        assert uow.alerts.add_unless_open(type="clone", subject="g/s", at=T, evidence={}) is None
        other = uow.alerts.add_unless_open(type="grey_market", subject="g/s", at=T, evidence={})
        assert other not in (None, first)
        assert uow.alerts.open_for("clone", "g/s") == uow.alerts.get(first)
        assert uow.alerts.get(first).evidence == {"n": 1}  # type: ignore[union-attr]
        uow.alerts.set_status(first, "closed", "test scans", T)
        again = uow.alerts.add_unless_open(type="clone", subject="g/s", at=T, evidence={})
        assert again not in (None, first, other)
        assert uow.alerts.open_for("clone", "g/s") == uow.alerts.get(again)  # type: ignore[arg-type]
        uow.commit()


def test_the_migration_creates_the_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    ours = [d for d in differences if "scans" in repr(d) or "alerts" in repr(d)]
    assert ours == []
