"""The JSON values of an event as the event hash reads them: scalars as the text XML would
carry, arrays and objects, times in UTC to the millisecond, and :class:`Refused` for a value
that has no canonical form.

>>> utc_time("2005-04-03T20:33:31.1166-06:00")
'2005-04-04T02:33:31.117Z'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any


class Refused(ValueError):
    """A value that cannot be written in canonical form; the caller adds which event and field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def within(self, field: str) -> Refused:
        return Refused(self.message, field + ("." + self.field if self.field else ""))


def scalar_text(value: Any) -> str:
    """A JSON scalar as the text XML would carry."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    raise Refused(f"expected a text, number or boolean, got {json_kind(value)}")


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"


def float_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise Refused(f"{value} is not a number EPCIS can carry")
    if value.is_integer():
        return str(int(value))
    return repr(value)


_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(?:(Z|z)|([+-])(\d\d):?(\d\d))"
)


def utc_time(value: Any) -> str:
    """A time in UTC to the millisecond (CBV 2.0 rules 8 and 9), its fourth decimal rounding
    the third half up, into the next second where it carries: CBV 2.0 does not say how to
    round, the CBV 2.1 draft writes this rule down (docs/event-hash.md)."""
    return _utc_text(scalar_text(value))


# A document's events share a few times (a line reports many events a second, a sensor's
# metadata repeats its time): each distinct text is read once. A refusal is not cached.
@lru_cache(maxsize=16_384)
def _utc_text(text: str) -> str:
    match = _TIME.fullmatch(text)
    if match is None:
        raise Refused(f"{text!r} is not a date and time with a UTC offset")
    year, month, day, hour, minute, second = (int(match[n]) for n in range(1, 7))
    fraction = match[7] or ""
    milliseconds = int(fraction[:3].ljust(3, "0"))
    if len(fraction) > 3 and fraction[3] >= "5":
        milliseconds += 1
    try:
        at = dt.datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise Refused(f"{text!r} names no real time: {error}") from None
    if match[9] is not None:
        offset = dt.timedelta(hours=int(match[10]), minutes=int(match[11]))
        at = at - offset if match[9] == "+" else at + offset
    at += dt.timedelta(milliseconds=milliseconds)
    return (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:"
        f"{at.second:02d}.{at.microsecond // 1000:03d}Z"
    )


def as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    raise Refused(f"expected an array, got {json_kind(value)}")


def as_object(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise Refused(f"expected an object, got {json_kind(value)}")


def sorted_join(parts: list[str]) -> str:
    parts.sort()
    return "".join(parts)
