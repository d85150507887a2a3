"""Migration 0029: units' scan summaries filled from the scans logged before it, a chunk of log
ids at a time (a unit's scans in several chunks merged: counted once each, the earliest first
kept), equal to what the log itself says; kept by the scans logged after it; and its
downgrade."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, inspect, select, text

from tests.store.test_detection_rules_migration import blank_engine, migrate
from unitrace.places import Place
from unitrace.store.scans import ScanEntry
from unitrace.store.schema import scans, unit_scan_summaries
from unitrace.store.unit_of_work import Database

__all__ = ["blank_engine"]  # fixture

AT = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
#: past the migration's chunk of 500,000 log ids: a unit's scans fall in three chunks
FAR = 600_000

#: (log id, product, serial, verdict, hours after AT)
LOGGED = [
    (1, 7, "S1", "counterfeit", 0),
    (2, 7, "S1", "genuine", 5),
    (3, 7, "S2", "genuine", 1),
    (FAR + 1, 7, "S1", "suspicious", 1),
    (FAR + 2, 7, "S1", "genuine", 1),
    (2 * FAR, 7, "S2", "genuine", 1),
    (2 * FAR + 1, 7, "NOPE", "counterfeit", 0),
    (2 * FAR + 2, None, None, "counterfeit", 0),
    (2 * FAR + 3, 8, "S3", "inactive", 2),
]


def summaries(engine: Engine) -> dict[tuple[int, str], tuple[int, dt.datetime, int]]:
    table = unit_scan_summaries
    with engine.connect() as connection:
        rows = connection.execute(select(table)).all()
    return {
        (row.product_id, row.serial): (
            row.scans,
            row.first_at.replace(tzinfo=dt.UTC) if row.first_at.tzinfo is None else row.first_at,
            row.first_scan_id,
        )
        for row in rows
    }


def test_scans_logged_before_are_summed_by_unit_and_later_ones_added(
    blank_engine: Engine,
) -> None:
    migrate(blank_engine, "0028")
    with blank_engine.begin() as connection:
        for scan_id, product_id, serial, verdict, hours in LOGGED:
            connection.execute(
                scans.insert(),
                {
                    "id": scan_id,
                    "at": AT + hours * HOUR,
                    "raw": "x",
                    "reasons": [],
                    "product_id": product_id,
                    "serial": serial,
                    "verdict": verdict,
                    "known": verdict != "counterfeit",
                },
            )
        if blank_engine.dialect.name == "postgresql":
            # the log's ids go on after those given
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('scans', 'id'), max(id)) FROM scans")
            )
    migrate(blank_engine, "0029")
    assert summaries(blank_engine) == {
        (7, "S1"): (3, AT + HOUR, FAR + 1),
        (7, "S2"): (2, AT + HOUR, 3),
        (8, "S3"): (1, AT + 2 * HOUR, 2 * FAR + 3),
    }
    database = Database(blank_engine)
    with database.unit_of_work() as uow:
        for product_id, serial in ((7, "S1"), (7, "S2"), (8, "S3"), (7, "NOPE")):
            assert uow.scans.summary_of_unit(product_id, serial) == uow.scans.first_of_unit(
                product_id, serial, excluding="counterfeit"
            )
        scan_id = uow.scans.add(
            ScanEntry(AT, "x", "genuine", (), True, Place(), product_id=7, serial="S1")
        )
        uow.commit()
    assert summaries(blank_engine)[(7, "S1")] == (4, AT, scan_id)
    migrate(blank_engine, "0028", down=True)
    assert "unit_scan_summaries" not in inspect(blank_engine).get_table_names()
