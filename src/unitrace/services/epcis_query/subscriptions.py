"""A webhook subscription to a named query as the REST binding's body asks for it: its
destination (checked against the webhook destination rule before the unit of work), whether it
streams or runs on a :class:`Schedule`, its signature token and where it starts. Making and
keeping them is :mod:`unitrace.services.epcis_named_queries`; sending them their events is
:mod:`unitrace.services.epcis_query.delivery`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from unitrace.registry.errors import InvalidRequest
from unitrace.services import webhooks
from unitrace.services.epcis_query.values import QueryParameterException, read_time
from unitrace.services.webhooks import DestinationRefused, WebhookDestinations, WebhookTarget

SCHEDULE_FIELDS: Final = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (1, 7),
}
# ASCII digits only: a fullwidth or Arabic-Indic digit, which int() reads, is no number here
_SCHEDULE_ELEMENT = re.compile(r"(\d{1,2})|\[?(\d{1,2})-(\d{1,2})\]?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a scheduled subscription runs, in UTC, as the REST binding's cron-like fields
    say: each field a list of numbers and ranges (``"1,5,[10-20]"``). A field left out is
    any value when it is coarser than the finest field given, and its lowest value when it is
    finer (``{"hour": "1", "minute": "5"}`` runs at 01:05:00 every day, not every second
    of that minute).

    >>> Schedule.read({"hour": "1", "minute": "5"}).next_after(
    ...     dt.datetime(2026, 3, 1, 1, 5, tzinfo=dt.UTC))
    datetime.datetime(2026, 3, 2, 1, 5, tzinfo=datetime.timezone.utc)
    """

    values: Mapping[str, frozenset[int]]

    @classmethod
    def read(cls, schedule: Any) -> Schedule:
        if not isinstance(schedule, Mapping) or not schedule:
            raise InvalidRequest("schedule: an object with at least one of " + _schedule_names())
        values: dict[str, frozenset[int]] = {}
        for key, text in schedule.items():
            if key not in SCHEDULE_FIELDS:
                raise InvalidRequest(f"schedule.{key}: not a schedule field ({_schedule_names()})")
            if isinstance(text, int) and not isinstance(text, bool):
                text = str(text)
            if not isinstance(text, str):
                raise InvalidRequest(f'schedule.{key}: a string such as "5" or "1,[10-20]"')
            values[key] = _schedule_values(key, text)
        names = list(SCHEDULE_FIELDS)
        # the finest of second, minute and hour given; with none given, all three are finer
        given = [names.index(key) for key in values if names.index(key) < 3]
        finest = min(given) if given else 3
        for index, key in enumerate(names):
            if key not in values:
                low, high = SCHEDULE_FIELDS[key]
                finer = index < finest
                values[key] = frozenset([low]) if finer else frozenset(range(low, high + 1))
        return cls(values)

    def next_after(self, after: dt.datetime) -> dt.datetime:
        """The first time after ``after`` the schedule fires (within eight years, else a
        :class:`InvalidRequest`: a 31st of February never comes)."""
        start = after.astimezone(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
        day = start.date()
        for _ in range(366 * 8):
            if (
                day.month in self.values["month"]
                and day.day in self.values["dayOfMonth"]
                and day.isoweekday() in self.values["dayOfWeek"]
            ):
                # on the first day, the hours and minutes already past are skipped whole: an
                # every-second schedule late in the day is not walked from midnight
                first = day == start.date()
                for hour in sorted(self.values["hour"]):
                    if first and hour < start.hour:
                        continue
                    for minute in sorted(self.values["minute"]):
                        if first and (hour, minute) < (start.hour, start.minute):
                            continue
                        for second in sorted(self.values["second"]):
                            at = dt.datetime(
                                day.year, day.month, day.day, hour, minute, second, tzinfo=dt.UTC
                            )
                            if at >= start:
                                return at
            day += dt.timedelta(days=1)
        raise InvalidRequest("schedule: names no time that ever comes")


def _schedule_names() -> str:
    return ", ".join(SCHEDULE_FIELDS)


def _schedule_values(key: str, text: str) -> frozenset[int]:
    low, high = SCHEDULE_FIELDS[key]
    found: set[int] = set()
    for element in text.split(","):
        matched = _SCHEDULE_ELEMENT.fullmatch(element.strip())
        if matched is None:
            raise InvalidRequest(f"schedule.{key}: {element!r} is not a number or [from-to] range")
        single, first, last = matched.groups()
        start, end = (int(single), int(single)) if single else (int(first), int(last))
        if not low <= start <= end <= high:
            raise InvalidRequest(f"schedule.{key}: {element!r} is outside {low} to {high}")
        found.update(range(start, end + 1))
    return frozenset(found)


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionRequest:
    """A subscription as the REST binding's body gives it."""

    dest: str
    signature_token: str | None
    stream: bool
    schedule: Schedule | None
    schedule_fields: dict[str, str] | None
    report_if_empty: bool
    initial_record_time: dt.datetime | None

    @classmethod
    def read(cls, body: Any) -> SubscriptionRequest:
        if not isinstance(body, Mapping):
            raise InvalidRequest("a subscription is a JSON object with dest and stream or schedule")
        known = {
            "dest",
            "signatureToken",
            "stream",
            "schedule",
            "reportIfEmpty",
            "initialRecordTime",
        }
        unknown = sorted(set(body) - known)
        if unknown:
            raise InvalidRequest(
                f"{unknown[0]}: not a subscription field ({', '.join(sorted(known))})"
            )
        dest = body.get("dest")
        if not isinstance(dest, str):
            raise InvalidRequest("dest: the subscriber's http:// or https:// URL")
        try:
            webhooks.parse_destination(dest)
        except DestinationRefused as error:
            raise InvalidRequest(f"dest: {error}") from None
        token = body.get("signatureToken")
        if token is not None and (not isinstance(token, str) or not token):
            raise InvalidRequest("signatureToken: a non-empty string")
        stream = body.get("stream", False)
        if stream not in (True, False):
            raise InvalidRequest("stream: true or false")
        report_if_empty = body.get("reportIfEmpty", False)
        if report_if_empty not in (True, False):
            raise InvalidRequest("reportIfEmpty: true or false")
        schedule_body = body.get("schedule")
        if stream and schedule_body is not None:
            raise InvalidRequest("schedule: give stream: true or a schedule, not both")
        if not stream and schedule_body is None:
            raise InvalidRequest(
                "stream: a subscription needs stream: true or a schedule (the REST binding "
                "will not stream events to a client that did not ask)"
            )
        schedule = None if schedule_body is None else Schedule.read(schedule_body)
        initial = body.get("initialRecordTime")
        initial_time = None
        if initial is not None:
            if not isinstance(initial, str):
                raise InvalidRequest("initialRecordTime: a time such as 2026-01-31T12:00:00Z")
            try:
                initial_time = read_time("initialRecordTime", initial)
            except QueryParameterException as error:
                raise InvalidRequest(str(error)) from None
        return cls(
            dest=dest,
            signature_token=token,
            stream=bool(stream),
            schedule=schedule,
            schedule_fields=None
            if schedule_body is None
            else {k: str(v) for k, v in schedule_body.items()},
            report_if_empty=bool(report_if_empty),
            initial_record_time=initial_time,
        )


class SubscriptionControlsException(InvalidRequest):
    """A subscription this repository will not make (the standard's
    ``SubscriptionControlsException``): a destination it may not POST to, a schedule that
    cannot be read, …; the message starts with the field."""


@dataclass(frozen=True, slots=True)
class CheckedSubscription:
    """A subscription request whose ``dest`` passed the webhook destination rule."""

    request: SubscriptionRequest
    target: WebhookTarget


def read_subscription(
    body: Any, *, destinations: WebhookDestinations, at: dt.datetime | None = None
) -> CheckedSubscription:
    """``body`` read, and its ``dest`` checked against ``destinations`` (a DNS look-up: done
    before the unit of work, so that no transaction waits on it)."""
    try:
        request = SubscriptionRequest.read(body)
        if request.schedule is not None:
            request.schedule.next_after(at or dt.datetime.now(dt.UTC))
        target = destinations.check(request.dest)
    except DestinationRefused as error:
        raise SubscriptionControlsException(f"dest: {error}") from None
    except InvalidRequest as error:
        raise SubscriptionControlsException(str(error)) from None
    return CheckedSubscription(request, target)
