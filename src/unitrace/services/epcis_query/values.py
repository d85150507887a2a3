"""One query parameter's value read (a time, a positive count, a URI), and the
:class:`QueryParameterException` that names the parameter whose value cannot be read."""

from __future__ import annotations

import datetime as dt
from typing import Final

from unitrace.registry.errors import Refused


class QueryParameterException(Refused):
    """A query parameter this repository cannot read (the standard's
    ``QueryParameterException``); names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


def read_time(key: str, value: str) -> dt.datetime:
    """``value`` as a time in UTC: ISO 8601 with a zone (``Z`` or ``±hh:mm``)."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise QueryParameterException(
            key, f"{value!r} is not a time (ISO 8601, e.g. 2026-01-31T12:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        raise QueryParameterException(key, f"{value!r} needs a time zone (Z or ±hh:mm)")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise QueryParameterException(
            key, f"{value!r} is out of range: in UTC it falls outside the years 1 to 9999"
        ) from None


#: The largest count a query parameter means as given: more events than any repository holds
#: (a larger number means the same, and must not reach the database, which would refuse it).
COUNT_CEILING: Final = 2**31 - 1


def read_positive(key: str, value: str) -> int:
    """``value`` as a positive whole number, at most :data:`COUNT_CEILING`."""
    digits = value.lstrip("0")
    if not (value.isascii() and value.isdigit()) or not digits:
        raise QueryParameterException(key, f"{value!r} is not a positive whole number")
    # more digits than the ceiling has is above it: not read as a number, which Python
    # refuses past 4,300 digits
    if len(digits) > len(str(COUNT_CEILING)):
        return COUNT_CEILING
    return min(int(digits), COUNT_CEILING)


def check_uri(key: str, value: str) -> None:
    """Refuses a ``value`` that is not a URI (no colon, or white space in it)."""
    if ":" not in value or any(character.isspace() for character in value):
        raise QueryParameterException(key, f"{value!r} is not a URI")
