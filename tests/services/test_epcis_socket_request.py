"""The query string of a WebSocket subscription's handshake, read: whatever it holds, a
subscription or a refusal naming a parameter, never anything else; a schedule read from it
runs at the times its fields name, as a webhook's schedule does."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unitrace.services.epcis_query.sockets import PER_MESSAGE, SOCKET_PARAMETERS, SocketRequest
from unitrace.services.epcis_query.subscriptions import (
    Schedule,
    SubscriptionControlsException,
)
from unitrace.services.epcis_query.values import QueryParameterException

NAMES = st.one_of(st.sampled_from(SOCKET_PARAMETERS), st.text(max_size=12))
VALUES = st.one_of(
    st.sampled_from(["true", "false", "5", "0-59", "[1-3],7", "2026-03-01T00:00:00Z", "0", "61"]),
    st.text(max_size=25),
)


@given(st.lists(st.tuples(NAMES, VALUES), max_size=6))
@settings(deadline=None)
def test_any_query_string_is_a_subscription_or_a_refusal_naming_a_parameter(
    items: list[tuple[str, str]],
) -> None:
    refusal: Exception | None = None
    try:
        request = SocketRequest.read(items)
    except (QueryParameterException, SubscriptionControlsException) as refused:
        refusal = refused
    if isinstance(refusal, QueryParameterException):
        assert refusal.parameter in {key for key, _ in items}
        assert str(refusal).startswith(f"{refusal.parameter}: ")
        return
    if refusal is not None:
        assert str(refusal).split(":")[0] in {"stream", "schedule", *SOCKET_PARAMETERS}
        return
    assert request.stream != (request.schedule is not None)
    assert 1 <= request.per_message <= 1000


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            [("stream", "true")],
            SocketRequest(stream=True, schedule=None, report_if_empty=False, initial_record_time=None, per_message=PER_MESSAGE),
        ),
        (
            [("minute", "5"), ("hour", "1"), ("reportIfEmpty", "true"), ("perPage", "5000")],
            SocketRequest(stream=False, schedule=Schedule.read({"minute": "5", "hour": "1"}), report_if_empty=True, initial_record_time=None, per_message=1000),
        ),
        (
            [("stream", "true"), ("initialRecordTime", "2026-03-01T02:00:00+02:00"), ("perPage", "7")],
            SocketRequest(stream=True, schedule=None, report_if_empty=False, initial_record_time=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), per_message=7),
        ),
    ],
)  # fmt: skip
def test_a_query_string_read(items: list[tuple[str, str]], expected: SocketRequest) -> None:
    assert SocketRequest.read(items) == expected


@given(
    st.integers(0, 59),
    st.integers(0, 23),
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2040, 1, 1),
        timezones=st.just(dt.UTC),
    ),
)
def test_a_schedule_from_the_query_string_runs_at_the_times_it_names(
    minute: int, hour: int, after: dt.datetime
) -> None:
    request = SocketRequest.read([("minute", str(minute)), ("hour", str(hour))])
    assert request.schedule is not None
    due = request.schedule.next_after(after)
    assert (due.hour, due.minute, due.second) == (hour, minute, 0)
    assert after < due <= after + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("items", "refusal"),
    [
        # a number as Python reads it, but no ASCII digits: no schedule field's number
        ([("second", "\uff15")], "second: '\uff15' is not a number or [from-to] range"),
        ([("minute", "[\u0660-\u0663]")], "minute: '[\u0660-\u0663]' is not a number or [from-to] range"),
        ([("stream", "true"), ("perPage", "\u0663")], "perPage: '\u0663' is not a positive whole number"),
        ([("stream", "true"), ("perPage", "0" * 5000)], f"perPage: '{'0' * 5000}' is not a positive whole number"),
    ],
)  # fmt: skip
def test_numbers_not_written_in_ascii_digits_are_refused(
    items: list[tuple[str, str]], refusal: str
) -> None:
    with pytest.raises((QueryParameterException, SubscriptionControlsException)) as refused:
        SocketRequest.read(items)
    assert str(refused.value) == refusal


@pytest.mark.parametrize(
    ("per_page", "per_message"),
    [("9" * 5000, 1000), ("0" * 5000 + "7", 7), ("1" + "0" * 4400, 1000), ("007", 7)],
)
def test_a_per_page_of_thousands_of_digits_is_read_as_the_most(
    per_page: str, per_message: int
) -> None:
    """Python reads no number of more than 4,300 digits: such a perPage is above the most
    anyway, and the handshake opens a socket instead of failing."""
    request = SocketRequest.read([("stream", "true"), ("perPage", per_page)])
    assert request.per_message == per_message
