"""GS1 keys, expiry dates and check digits."""

from __future__ import annotations

import datetime as dt

import pytest

from unitrace.gs1 import (
    Expiry,
    Gln,
    Gtin,
    InvalidCheckDigit,
    InvalidCode,
    InvalidDate,
    InvalidLength,
    Sscc,
    UnitIdentity,
)
from unitrace.gs1.check_digits import csumalpha_check_characters, gs1_check_digit
from unitrace.gs1.keys import century_year, expiry_date


@pytest.mark.parametrize(
    ("text", "gtin14", "short"),
    [
        ("96385074", "00000096385074", "96385074"),
        ("614141123452", "00614141123452", "614141123452"),
        ("9506000134352", "09506000134352", "9506000134352"),
        ("09506000134352", "09506000134352", "9506000134352"),
        ("19506000134359", "19506000134359", "19506000134359"),
        (" 4006381333931 ", "04006381333931", "4006381333931"),
    ],
)
def test_gtins_of_every_length_become_gtin14(text: str, gtin14: str, short: str) -> None:
    gtin = Gtin.parse(text)
    assert (gtin.value, gtin.short, gtin.indicator) == (gtin14, short, gtin14[0])


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("9506000134353", InvalidCheckDigit, "AI (01): check digit 2 expected, got 3"),
        ("950600013435", InvalidCheckDigit, "AI (01): check digit"),
        ("95060001343521", InvalidCheckDigit, "AI (01): check digit"),
        ("123456789", InvalidLength, "8, 12, 13 or 14 digits, got '123456789'"),
        ("95060001343A2", InvalidLength, "8, 12, 13 or 14 digits"),
        ("", InvalidLength, "8, 12, 13 or 14 digits"),
    ],
)
def test_bad_gtins_are_refused(text: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        Gtin.parse(text)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (Sscc, "106141412345678909", "AI (00): check digit 8 expected, got 9"),
        (Sscc, "10614141234567890", "AI (00): 17 characters given, exactly 18 expected"),
        (Gln, "9520123456789", "AI (414): check digit 8 expected, got 9"),
        (Gln, "952012345678X", "AI (414): 'X' at position 13 is not a digit"),
    ],
)
def test_bad_sscc_and_gln_are_refused(key: type[Sscc | Gln], value: str, message: str) -> None:
    with pytest.raises(InvalidCode) as raised:
        key(value)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("payload", "check"),
    [
        ("950600013435", "2"),
        ("0061414112345", "2"),
        ("10614141234567890", "8"),
        ("952012345678", "8"),
        ("0000009638507", "4"),
    ],
)
def test_modulo_10_check_digits(payload: str, check: str) -> None:
    assert gs1_check_digit(payload) == check


def test_the_gmn_check_character_pair_of_the_general_specifications() -> None:
    assert csumalpha_check_characters("1987654Ad4X4bL5ttr2310c") == "2K"


@pytest.mark.parametrize(
    ("yymmdd", "today", "expected"),
    [
        ("261231", dt.date(2026, 11, 20), dt.date(2026, 12, 31)),
        ("260200", dt.date(2026, 11, 20), dt.date(2026, 2, 28)),
        ("280200", dt.date(2026, 11, 20), dt.date(2028, 2, 29)),
        ("990101", dt.date(2026, 11, 20), dt.date(1999, 1, 1)),
        ("750101", dt.date(2026, 11, 20), dt.date(2075, 1, 1)),
        ("770101", dt.date(2026, 11, 20), dt.date(1977, 1, 1)),
        ("010101", dt.date(2099, 6, 1), dt.date(2101, 1, 1)),
    ],
)
def test_expiry_dates_follow_the_gs1_century_window(
    yymmdd: str, today: dt.date, expected: dt.date
) -> None:
    assert expiry_date(yymmdd, today) == expected


def test_century_window_edges() -> None:
    today = dt.date(2026, 1, 1)
    assert [century_year(yy, today) for yy in (75, 76, 77)] == [2075, 2076, 1977]


@pytest.mark.parametrize(
    ("yymmdd", "error", "message"),
    [
        ("261301", InvalidDate, "AI (17): month 13"),
        ("260001", InvalidDate, "AI (17): month 0"),
        ("260230", InvalidDate, "AI (17): day 30 does not exist in month 02"),
        ("270229", InvalidDate, "AI (17): day 29 does not exist in month 02"),
        ("260431", InvalidDate, "AI (17): day 31 does not exist in month 04"),
        ("26123", InvalidLength, "AI (17): 5 characters given, exactly 6 expected"),
        ("2612AB", InvalidCode, "AI (17): 'A' at position 5 is not a digit"),
    ],
)
def test_bad_expiry_dates_are_refused(yymmdd: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as raised:
        Expiry(yymmdd)
    assert str(raised.value) == message


def test_expiry_from_a_date() -> None:
    assert Expiry.from_date(dt.date(2027, 3, 9)) == Expiry("270309")


@pytest.mark.parametrize(
    ("serial", "lot", "message"),
    [
        ("", None, "AI (21): empty value"),
        ("X" * 21, None, "AI (21): 21 characters given, at most 20"),
        ("A B", None, "AI (21): ' ' at position 2 is not in GS1 character set 82"),
        ("X1", "L#1", "AI (10): '#' at position 2 is not in GS1 character set 82"),
    ],
)
def test_identities_refuse_bad_serials_and_lots(serial: str, lot: str | None, message: str) -> None:
    with pytest.raises(InvalidCode) as raised:
        UnitIdentity(Gtin("09506000134352"), serial, lot=lot)
    assert str(raised.value) == message
