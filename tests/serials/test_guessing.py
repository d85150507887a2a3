"""The guess probability of a GTIN's serials, and the 1 in 10,000 rule applied to it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from unitrace.registry.model import SerialFormat
from unitrace.serials import Guessability, exact_probability
from unitrace.services.catalog import MAXIMUM_GUESS_PROBABILITY

DIGITS_6 = SerialFormat(6, "0123456789").possible  # 1,000,000: 100 may be issued
DEFAULT = SerialFormat().possible  # 32^12
CSET82_20 = 82**20


@pytest.mark.parametrize(
    ("issued", "possible", "figures"),
    [
        # issued, possible -> probability, one_in, within 1/10,000, room left
        (0, DIGITS_6, (Fraction(0), None, True, 100)),
        (99, DIGITS_6, (Fraction(99, 10**6), 10_101, True, 1)),
        (100, DIGITS_6, (Fraction(1, 10_000), 10_000, True, 0)),
        (101, DIGITS_6, (Fraction(101, 10**6), 9_900, False, 0)),
        (2_000_000, DIGITS_6, (Fraction(2), 0, False, 0)),
        (
            1_000_000,
            DEFAULT,
            (Fraction(1_000_000, 32**12), 1_152_921_504_606, True, 115_292_149_460_684),
        ),
        # 82^20 is not a multiple of 10,000: the room is rounded down, exactly
        (0, CSET82_20, (Fraction(0), None, True, 18_891_961_318_131_203_257_456_902_386_724_477)),
    ],
)
def test_figures(
    issued: int, possible: int, figures: tuple[Fraction, int | None, bool, int]
) -> None:
    odds = Guessability(issued, possible)
    assert (
        odds.probability,
        odds.one_in,
        odds.within(MAXIMUM_GUESS_PROBABILITY),
        odds.room(MAXIMUM_GUESS_PROBABILITY),
    ) == figures


def test_the_limit_itself_is_allowed_and_one_more_is_not() -> None:
    at_limit = Guessability(0, DIGITS_6).after(100)
    assert at_limit == Guessability(100, DIGITS_6)
    assert at_limit.within(MAXIMUM_GUESS_PROBABILITY)
    assert not at_limit.after(1).within(MAXIMUM_GUESS_PROBABILITY)


def test_the_rule_is_exact_where_a_float_would_round() -> None:
    """0.0001 as a binary float is 0.000100000000000000004792…: on 82^20 possible serials the
    float would allow some 10^18 serials too many."""
    room = Guessability(0, CSET82_20).room(MAXIMUM_GUESS_PROBABILITY)
    assert room == CSET82_20 // 10_000
    assert int(CSET82_20 * Fraction(MAXIMUM_GUESS_PROBABILITY)) > room


@pytest.mark.parametrize(
    ("probability", "exact"),
    [
        (1 / 10_000, Fraction(1, 10_000)),
        (0.25, Fraction(1, 4)),
        (1e-9, Fraction(1, 10**9)),
        (Fraction(1, 3), Fraction(1, 3)),
    ],
)
def test_exact_probability(probability: float | Fraction, exact: Fraction) -> None:
    assert exact_probability(probability) == exact


@pytest.mark.parametrize(
    ("issued", "possible", "message"),
    [
        (-1, 100, "issued: -1 of 100 possible serials cannot be"),
        (0, 0, "issued: 0 of 0 possible serials cannot be"),
    ],
)
def test_impossible_figures(issued: int, possible: int, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        Guessability(issued, possible)
