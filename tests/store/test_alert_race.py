"""Two writers raise the same alert at once (PostgreSQL): the second waits for the first's
insert, adds nothing, and finds the first's alert open once it is committed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from unitrace.store.unit_of_work import Database

T = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)


def test_a_racing_writer_finds_the_alert_the_other_raised(database: Database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("SQLite's writers take turns")
    inserted, results = threading.Event(), {}

    def second() -> None:
        with database.unit_of_work() as uow:
            assert inserted.wait(10)
            results["id"] = uow.alerts.add_unless_open(
                type="clone", subject="g/s", at=T, evidence={}
            )
            found = uow.alerts.open_for("clone", "g/s")
            results["open"] = None if found is None else found.id
            uow.commit()

    with database.unit_of_work() as uow:
        first = uow.alerts.add_unless_open(type="clone", subject="g/s", at=T, evidence={})
        thread = threading.Thread(target=second)
        thread.start()
        inserted.set()
        thread.join(0.5)
        assert thread.is_alive()  # waits for this insert
        uow.commit()
    thread.join(10)
    assert results == {"id": None, "open": first}
