"""WebSocket subscriptions on the service as an operator runs it: ``unitrace serve`` with two
worker processes, events captured over HTTP by whichever worker takes each request, and every
socket, on whichever worker holds it, sent each of them once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.api.test_epcis_query import object_event
from tests.api.test_epcis_query_sockets import (
    PATH,
    WITHIN,
    bearer,
    event_id,
    make_query,
    nothing_more,
    received_ids,
)
from tests.running_service import RunningService
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.store.unit_of_work import Database

pytestmark = [pytest.mark.alone, pytest.mark.long]

#: Events captured over HTTP, one document a request.
CAPTURED = 24


def test_sockets_on_any_worker_get_the_events_any_worker_captured(
    database: Database, tmp_path: Path
) -> None:
    make_query(database)
    admin = bearer(database, "admin")
    url = database.engine.url.render_as_string(hide_password=False)
    service = RunningService(url, workers=2).start(tmp_path / "serve.log")
    try:
        address = f"ws://127.0.0.1:{service.port}{PATH}?stream=true"
        with (
            connect(address, additional_headers=admin, open_timeout=WITHIN) as first,
            connect(address, additional_headers=admin, open_timeout=WITHIN) as second,
        ):
            for number in range(1, CAPTURED + 1):
                kind = "ObjectEvent" if number % 2 else "AggregationEvent"
                document = {
                    "@context": EPCIS_CONTEXT,
                    "type": "EPCISDocument",
                    "schemaVersion": "2.0",
                    "creationDate": dt.datetime.now(dt.UTC).isoformat(),
                    "epcisBody": {"eventList": [object_event(event_id(number), kind)]},
                }
                answer = service.request("POST", "/epcis/capture", body=document, headers=admin)
                assert answer.status == 202, (answer.status, answer.body[:300])
            expected = [event_id(number) for number in range(1, CAPTURED + 1, 2)]
            for socket_ in (first, second):
                found = received_ids(socket_, len(expected), within=30)
                assert sorted(found) == expected
                assert nothing_more(socket_)
    finally:
        status, seconds = service.terminate(within=30)
        assert status == 0, service.output()[-2000:]
    # two workers served, and stopped soon though sockets were open
    assert service.output().count("Started server process") >= 2, service.output()[-2000:]
    assert seconds < 15
