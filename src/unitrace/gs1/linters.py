"""Content rules of AI components, by the names the GS1 Barcode Syntax Dictionary gives them.

Each linter takes the text of one component and raises an :class:`InvalidCode` subclass whose
message states the rule broken; the caller puts the AI in front of it.

>>> LINTERS["yymmd0"]("261300")
Traceback (most recent call last):
...
unitrace.gs1.errors.InvalidDate: month 13
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from functools import cache

import pycountry

from unitrace.gs1.check_digits import _CSET32, csumalpha_check_characters, gs1_check_digit
from unitrace.gs1.errors import InvalidCheckDigit, InvalidDate, InvalidValue

Linter = Callable[[str], None]


def check_digit(value: str) -> None:
    expected = gs1_check_digit(value[:-1])
    if value[-1] != expected:
        raise InvalidCheckDigit(f"check digit {expected} expected, got {value[-1]}")


def check_character_pair(value: str) -> None:
    if len(value) < 3:
        raise InvalidValue("too short for its two check characters")
    if any(c not in _CSET32 for c in value[-2:]):
        raise InvalidCheckDigit("check characters must be from the 32-character check set")
    expected = csumalpha_check_characters(value[:-2])
    if value[-2:] != expected:
        raise InvalidCheckDigit(f"check characters {expected} expected, got {value[-2:]}")


def _month(text: str) -> int:
    month = int(text)
    if not 1 <= month <= 12:
        raise InvalidDate(f"month {text.lstrip('0') or '0'}")
    return month


def _day(year: int, month: int, text: str, *, zero_allowed: bool) -> None:
    day = int(text)
    if day == 0 and zero_allowed:
        return
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise InvalidDate(f"day {text} does not exist in month {month:02d}")


def _century_year(yy: str) -> int:
    # For leap years only: the GS1 sliding window keeps YY within 2000-2099 for decades to come,
    # and 2000 was a leap year.
    return 2000 + int(yy)


def yymmd0(value: str) -> None:
    """YYMMDD where day 00 means the last day of the month."""
    _day(_century_year(value[:2]), _month(value[2:4]), value[4:6], zero_allowed=True)


def yymmdd(value: str) -> None:
    _day(_century_year(value[:2]), _month(value[2:4]), value[4:6], zero_allowed=False)


def yyyymmdd(value: str) -> None:
    _day(int(value[:4]), _month(value[4:6]), value[6:8], zero_allowed=False)


def _bounded(name: str, highest: int) -> Linter:
    def lint(value: str) -> None:
        if int(value) > highest:
            raise InvalidDate(f"{name} {value} is beyond {highest:02d}")

    return lint


def hhmi(value: str) -> None:
    _bounded("hour", 23)(value[:2])
    _bounded("minute", 59)(value[2:4])


def zero(value: str) -> None:
    if value != "0":
        raise InvalidValue(f"must be 0, got {value}")


def nonzero(value: str) -> None:
    if not value.strip("0"):
        raise InvalidValue("must not be zero")


def nozeroprefix(value: str) -> None:
    if len(value) > 1 and value.startswith("0"):
        raise InvalidValue("must not start with 0")


def hasnondigit(value: str) -> None:
    if value.isdigit():
        raise InvalidValue("must contain a character that is not a digit")


def pieceoftotal(value: str) -> None:
    half = len(value) // 2
    piece, total = int(value[:half]), int(value[half:])
    if piece == 0 or total == 0 or piece > total:
        raise InvalidValue(f"piece {piece} of total {total} is not a piece of the total")


def posinseqslash(value: str) -> None:
    position, slash, total = value.partition("/")
    if not (slash and position.isdigit() and total.isdigit()) or not (
        0 < int(position) <= int(total)
    ):
        raise InvalidValue(f"{value!r} is not a position/total such as 1/2")


def _one_of(name: str, allowed: frozenset[str]) -> Linter:
    def lint(value: str) -> None:
        if value not in allowed:
            raise InvalidValue(f"{value!r} is not {name}")

    return lint


@cache
def _iso3166_numeric() -> frozenset[str]:
    return frozenset(country.numeric for country in pycountry.countries)


@cache
def _iso3166_alpha2() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _iso4217_numeric() -> frozenset[str]:
    return frozenset(currency.numeric for currency in pycountry.currencies)


def iso3166(value: str) -> None:
    if value not in _iso3166_numeric():
        raise InvalidValue(f"{value} is not an ISO 3166 numeric country code")


def iso3166999(value: str) -> None:
    if value != "999":
        iso3166(value)


def iso3166alpha2(value: str) -> None:
    if value not in _iso3166_alpha2():
        raise InvalidValue(f"{value} is not an ISO 3166 alpha-2 country code")


def iso4217(value: str) -> None:
    if value not in _iso4217_numeric():
        raise InvalidValue(f"{value} is not an ISO 4217 numeric currency code")


def pcenc(value: str) -> None:
    hexdigits = "0123456789ABCDEFabcdef"
    position = value.find("%")
    while position != -1:
        pair = value[position + 1 : position + 3]
        if len(pair) != 2 or pair[0] not in hexdigits or pair[1] not in hexdigits:
            raise InvalidValue(f"'%' at position {position + 1} is not followed by two hex digits")
        position = value.find("%", position + 3)


def latitude(value: str) -> None:
    if int(value) > 1_800_000_000:
        raise InvalidValue(f"latitude {value} is beyond 1800000000 (90 degrees north)")


def longitude(value: str) -> None:
    if int(value) > 3_600_000_000:
        raise InvalidValue(f"longitude {value} is beyond 3600000000 (180 degrees east)")


def iban(value: str) -> None:
    if len(value) < 5 or not value[:2].isalpha() or not value[2:4].isdigit():
        raise InvalidValue(f"{value!r} is not an IBAN")
    iso3166alpha2(value[:2])
    rearranged = value[4:] + value[:4]
    if not rearranged.isalnum() or not rearranged.isascii():
        raise InvalidValue(f"{value!r} is not an IBAN")
    if int("".join(str(int(c, 36)) for c in rearranged)) % 97 != 1:
        raise InvalidCheckDigit(f"IBAN check digits {value[2:4]} do not match")


def hyphen(value: str) -> None:
    if value != "-":
        raise InvalidValue(f"must be '-', got {value!r}")


#: GS1 General Specifications: the AIDC media types of AI (7241).
_MEDIA_TYPES = frozenset(f"{n:02d}" for n in (*range(1, 11), *range(80, 100)))

#: Linters whose rule needs data unitrace does not hold (the GS1 company prefix registry, the
#: UN/ECE package type codes, the North American coupon formats). Values reach them
#: already checked for length and character set.
LINTERS_NOT_ENFORCED = frozenset(
    {"gcppos1", "gcppos2", "packagetype", "couponcode", "couponposoffer"}
)

LINTERS: Mapping[str, Linter] = {
    "csum": check_digit,
    "csumalpha": check_character_pair,
    "yymmd0": yymmd0,
    "yymmdd": yymmdd,
    "yyyymmdd": yyyymmdd,
    "hhmi": hhmi,
    "hh": _bounded("hour", 23),
    "mi": _bounded("minute", 59),
    "ss": _bounded("second", 59),
    "zero": zero,
    "nonzero": nonzero,
    "nozeroprefix": nozeroprefix,
    "hasnondigit": hasnondigit,
    "pieceoftotal": pieceoftotal,
    "posinseqslash": posinseqslash,
    "iso3166": iso3166,
    "iso3166999": iso3166999,
    "iso3166alpha2": iso3166alpha2,
    "iso4217": iso4217,
    "iso5218": _one_of("an ISO 5218 sex code (0, 1, 2 or 9)", frozenset("0129")),
    "yesno": _one_of("0 or 1", frozenset("01")),
    "winding": _one_of("a winding direction (0, 1 or 9)", frozenset("019")),
    "mediatype": _one_of("an AIDC media type", _MEDIA_TYPES),
    "importeridx": _one_of(
        "an importer index character",
        frozenset("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"),
    ),
    "pcenc": pcenc,
    "latitude": latitude,
    "longitude": longitude,
    "iban": iban,
    "hyphen": hyphen,
}
