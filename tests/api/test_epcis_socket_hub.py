"""The hub of a worker's WebSocket subscriptions while the database does not answer: it keeps
its sockets, asks again ever less often, says so once with its trace, and looks as before once
the database answers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from unitrace.api.epcis_socket_hub import SocketHub, SocketLimits
from unitrace.store.unit_of_work import Database, UnitOfWork


class _Away:
    """A database that does not answer until it is ``back``."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.back = False
        self.asked = 0

    def unit_of_work(self, **options: Any) -> UnitOfWork:
        self.asked += 1
        if not self.back:
            raise ConnectionError("the database does not answer")
        return self.database.unit_of_work(**options)


def test_a_database_away_is_asked_ever_less_often_and_told_once(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    away = _Away(database)
    hub = SocketHub(away, SocketLimits(poll=0.05, retry_within=0.4))  # type: ignore[arg-type]

    async def hold_through_an_outage() -> tuple[int, bool, bool]:
        held = hub.hold(None, 1)
        await asyncio.sleep(1.5)
        asked, kept = away.asked, not held.ended.is_set()
        away.back = True
        await asyncio.sleep(1.0)
        looked_again = hub.mark is not None
        await hub.close()
        return asked, looked_again, kept

    with caplog.at_level(logging.WARNING, logger="unitrace.api.epcis_socket_hub"):
        asked, looked_again, kept_through_it = asyncio.run(hold_through_an_outage())
    # at 0.05 s a look, 1.5 s is 30 looks; pauses of 0.05, 0.1, 0.2 then 0.4 s make about 6
    assert asked <= 10
    assert looked_again
    assert kept_through_it
    traces = [record for record in caplog.records if record.exc_info]
    assert len(traces) == 1
    assert caplog.records[-1].getMessage().startswith("the event index answers again after")
