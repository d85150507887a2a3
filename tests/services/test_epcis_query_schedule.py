"""A scheduled subscription's schedule: the REST binding's cron-like fields, and the next time
they name (:class:`~unitrace.services.epcis_query.subscriptions.Schedule`)."""

from __future__ import annotations

import datetime as dt

import pytest

from unitrace.services.epcis_query.subscriptions import Schedule


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ({"hour": "1", "minute": "5"}, "2026-03-01T00:00:00", "2026-03-01T01:05:00"),
        ({"hour": "1", "minute": "5"}, "2026-03-01T01:05:00", "2026-03-02T01:05:00"),
        ({"minute": "0,30"}, "2026-03-01T10:10:10", "2026-03-01T10:30:00"),
        ({"second": "[10-12]"}, "2026-03-01T10:10:11", "2026-03-01T10:10:12"),
        ({"second": "0", "hour": "3"}, "2026-03-01T03:10:00", "2026-03-01T03:11:00"),
        ({"dayOfWeek": "1"}, "2026-03-01T10:00:00", "2026-03-02T00:00:00"),  # a Sunday
        ({"dayOfMonth": "29", "month": "2"}, "2026-03-01T00:00:00", "2028-02-29T00:00:00"),
    ],
)
def test_a_schedule_fires_at_the_next_matching_second(
    schedule: dict[str, str], after: str, expected: str
) -> None:
    start = dt.datetime.fromisoformat(after).replace(tzinfo=dt.UTC)
    assert Schedule.read(schedule).next_after(start) == (
        dt.datetime.fromisoformat(expected).replace(tzinfo=dt.UTC)
    )
