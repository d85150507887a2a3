"""GS1 keys and the attributes that identify one unit: GTIN, SSCC, GLN, serial, lot, expiry.

>>> Gtin.parse("9506000134352")
Gtin(value='09506000134352')
>>> Gtin.parse("9506000134353")
Traceback (most recent call last):
...
unitrace.gs1.errors.InvalidCheckDigit: AI (01): check digit 2 expected, got 3
>>> Expiry("261200").date
datetime.date(2026, 12, 31)
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from unitrace.gs1.elements import validate_element
from unitrace.gs1.errors import InvalidLength

_GTIN_LENGTHS = (8, 12, 13, 14)


@dataclass(frozen=True, slots=True)
class Gtin:
    """A Global Trade Item Number, held as GTIN-14 (AI 01)."""

    value: str

    def __post_init__(self) -> None:
        validate_element("01", self.value)

    @classmethod
    def parse(cls, text: str) -> Gtin:
        """A GTIN-8, -12, -13 or -14, padded with leading zeros to 14 digits."""
        digits = text.strip()
        if len(digits) not in _GTIN_LENGTHS or not digits.isdigit():
            raise InvalidLength(f"AI (01): a GTIN has 8, 12, 13 or 14 digits, got {digits!r}")
        return cls(digits.zfill(14))

    @property
    def indicator(self) -> str:
        """The indicator digit (packaging level) that leads a GTIN-14."""
        return self.value[0]

    @property
    def short(self) -> str:
        """The GTIN without the leading zeros that padding to 14 digits added, as printed
        under a retail barcode (GTIN-8, -12 or -13 where it is one)."""
        for length in _GTIN_LENGTHS:
            if self.value[: 14 - length].strip("0") == "":
                return self.value[14 - length :]
        return self.value  # pragma: no cover - a 14-digit value always matches length 14

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Sscc:
    """A Serial Shipping Container Code (AI 00): a pallet or case label."""

    value: str

    def __post_init__(self) -> None:
        validate_element("00", self.value)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Gln:
    """A Global Location Number (AI 414): a site, a warehouse, a pharmacy, a party."""

    value: str

    def __post_init__(self) -> None:
        validate_element("414", self.value)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Expiry:
    """An expiry date as printed (AI 17, ``YYMMDD``); day ``00`` is the last day of the month."""

    yymmdd: str

    def __post_init__(self) -> None:
        validate_element("17", self.yymmdd)

    @classmethod
    def from_date(cls, day: dt.date) -> Expiry:
        return cls(day.strftime("%y%m%d"))

    @property
    def date(self) -> dt.date:
        """The calendar date, with the century from the GS1 sliding window around today."""
        return expiry_date(self.yymmdd, dt.date.today())

    def __str__(self) -> str:
        return self.yymmdd


def century_year(yy: int, today: dt.date) -> int:
    """GS1 General Specifications 7.12: a two-digit year lies at most 49 years ahead of
    ``today`` and at most 50 years behind it.

    >>> century_year(99, dt.date(2026, 1, 1)), century_year(75, dt.date(2026, 1, 1))
    (1999, 2075)
    """
    current = today.year % 100
    century = today.year - current
    difference = yy - current
    if 51 <= difference <= 99:
        century -= 100
    elif -99 <= difference <= -50:
        century += 100
    return century + yy


def expiry_date(yymmdd: str, today: dt.date) -> dt.date:
    """The date a YYMMDD field names, relative to ``today`` for its century."""
    year = century_year(int(yymmdd[:2]), today)
    month = int(yymmdd[2:4])
    day = int(yymmdd[4:6]) or calendar.monthrange(year, month)[1]
    return dt.date(year, month, day)
