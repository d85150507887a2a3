"""A scheduled subscription's schedule: the REST binding's cron-like fields, and the next time
they name (:class:`~unitrace.services.epcis_query.subscriptions.Schedule`)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.services.epcis_query import subscriptions
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


def _fires_at(schedule: Schedule, moment: dt.datetime) -> bool:
    values = schedule.values
    return (
        moment.second in values["second"]
        and moment.minute in values["minute"]
        and moment.hour in values["hour"]
        and moment.day in values["dayOfMonth"]
        and moment.month in values["month"]
        and moment.isoweekday() in values["dayOfWeek"]
    )


FIELD = st.lists(st.integers(0, 59), min_size=1, max_size=4).map(
    lambda numbers: ",".join(map(str, numbers))
)


@given(
    FIELD,
    FIELD,
    st.lists(st.integers(0, 23), min_size=1, max_size=4).map(lambda n: ",".join(map(str, n))),
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2040, 1, 1),
        timezones=st.just(dt.UTC),
    ),
)
def test_the_next_time_is_the_first_matching_second_after(
    second: str, minute: str, hour: str, after: dt.datetime
) -> None:
    schedule = Schedule.read({"second": second, "minute": minute, "hour": hour})
    due = schedule.next_after(after)
    assert after < due
    assert _fires_at(schedule, due)
    # no matching second between: each candidate of the day that is in (after, due) fails
    moment = after.replace(microsecond=0) + dt.timedelta(seconds=1)
    day_values = schedule.values
    for hour_ in day_values["hour"]:
        for minute_ in day_values["minute"]:
            for second_ in day_values["second"]:
                for day in (after.date(), due.date()):
                    candidate = dt.datetime.combine(
                        day, dt.time(hour_, minute_, second_), tzinfo=dt.UTC
                    )
                    assert not moment <= candidate < due


class _CountedTimes(dt.datetime):
    """A datetime that counts how many times of day a schedule's search made."""

    made = 0

    def __new__(cls, *arguments: Any, **keywords: Any) -> _CountedTimes:
        _CountedTimes.made += 1
        return super().__new__(cls, *arguments, **keywords)


def test_an_every_second_schedule_late_in_the_day_is_not_walked_from_midnight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A socket's schedule is asked for its next time on the event loop before each run: an
    every-second schedule at 23:59:58 must not try the day's 86,398 earlier seconds first."""
    schedule = Schedule.read({"second": "[0-59]", "minute": "[0-59]", "hour": "[0-23]"})
    clock = SimpleNamespace(
        datetime=_CountedTimes, timedelta=dt.timedelta, UTC=dt.UTC, date=dt.date
    )
    monkeypatch.setattr(subscriptions, "dt", clock)
    _CountedTimes.made = 0
    due = schedule.next_after(dt.datetime(2026, 3, 1, 23, 59, 58, tzinfo=dt.UTC))
    assert (due, _CountedTimes.made) == (dt.datetime(2026, 3, 1, 23, 59, 59, tzinfo=dt.UTC), 60)
