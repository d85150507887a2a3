"""How guessable a GTIN's serials are: of the serials its format can express, the share issued.

A counterfeiter who makes up a serial for a GTIN hits an issued one with probability
issued ÷ possible. The EU Falsified Medicines Directive (Delegated Regulation 2016/161,
art. 4) asks that it stay below 1 in 10,000; unitrace applies that per GTIN, for all time.

>>> odds = Guessability(issued=100, possible=10**6)
>>> odds.probability, odds.one_in, odds.within(1 / 10_000), odds.room(1 / 10_000)
(Fraction(1, 10000), 10000, True, 0)
>>> odds.after(1).within(1 / 10_000), odds.after(1).one_in
(False, 9900)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


def exact_probability(probability: float | Fraction) -> Fraction:
    """The probability as the decimal it was written as.

    ``1 / 10_000`` is held as a binary float a little above 0.0001; compared with the
    10^30 serials of a 20-character format, that difference would be whole serials.

    >>> exact_probability(1 / 10_000)
    Fraction(1, 10000)
    """
    if isinstance(probability, Fraction):
        return probability
    # repr gives the shortest decimal that reads back as the same float: the one written
    return Fraction(repr(probability))


@dataclass(frozen=True, slots=True)
class Guessability:
    """``issued`` of the ``possible`` serials of a GTIN's format have been issued (or would
    be: :meth:`after` may count more than the format can express)."""

    issued: int
    possible: int

    def __post_init__(self) -> None:
        if self.possible < 1 or self.issued < 0:
            raise ValueError(
                f"issued: {self.issued:,} of {self.possible:,} possible serials cannot be"
            )

    @property
    def probability(self) -> Fraction:
        """The chance that a made-up serial is an issued one."""
        return Fraction(self.issued, self.possible)

    @property
    def one_in(self) -> int | None:
        """The probability as "1 in N", N rounded down so that the figure never reads safer
        than it is; None while nothing is issued."""
        return self.possible // self.issued if self.issued else None

    def within(self, maximum: float | Fraction) -> bool:
        return self.probability <= exact_probability(maximum)

    def room(self, maximum: float | Fraction) -> int:
        """How many more serials may be issued before the probability exceeds ``maximum``."""
        limit = exact_probability(maximum)
        most = self.possible * limit.numerator // limit.denominator
        return max(0, most - self.issued)

    def after(self, count: int) -> Guessability:
        """The figure once ``count`` more serials are issued."""
        return Guessability(self.issued + count, self.possible)
