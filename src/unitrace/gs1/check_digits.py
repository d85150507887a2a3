"""Check digits of GS1 keys: the modulo-10 digit of GTIN, SSCC, GLN, and the
alphanumeric check-character pair of the GMN (AI 8013) and MUDI (AI 8014).

>>> gs1_check_digit("950600013435")
'2'
>>> csumalpha_check_characters("1987654Ad4X4bL5ttr2310c")
'2K'
"""

from __future__ import annotations

_ODD_EVEN_WEIGHTS = (3, 1)
_DIGITS = "0123456789"


def gs1_check_digit(payload: str) -> str:
    """The modulo-10 check digit for ``payload``, the digits of a key without its last one.

    Weights 3 and 1 alternate from the right-most digit of the payload.
    """
    if payload.isascii() and payload.isdigit():
        # The bytes of ASCII digits are summed in C; each digit's byte is its value + 48.
        digits = payload[::-1].encode()
        tripled, single = digits[0::2], digits[1::2]
        total = 3 * sum(tripled) + sum(single) - 48 * (3 * len(tripled) + len(single))
        return _DIGITS[-total % 10]
    # Anything else is summed digit by digit, so that a character int() cannot read is refused
    # as it always was.
    from_right = payload[::-1]
    total = 3 * sum(map(int, from_right[0::2])) + sum(map(int, from_right[1::2]))
    return str(-total % 10)


def has_valid_check_digit(key: str) -> bool:
    """Whether the last digit of an all-digit key is its modulo-10 check digit."""
    return gs1_check_digit(key[:-1]) == key[-1]


# GS1 General Specifications 7.9.5: the check character pair of the alphanumeric keys.
_CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_CSET82_INDEX = {character: index for index, character in enumerate(_CSET82)}
_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83)


def csumalpha_check_characters(payload: str) -> str:
    """The two check characters that follow ``payload`` in a GMN or MUDI.

    Each character's CSET 82 value is weighted by a prime, right-most character first;
    the sum modulo 1021 is written as two characters of the 32-character set.
    """
    if len(payload) > len(_PRIMES):
        raise ValueError("payload longer than the 23 characters the prime weights cover")
    total = sum(
        _CSET82_INDEX[character] * prime
        for character, prime in zip(reversed(payload), _PRIMES, strict=False)
    )
    remainder = total % 1021
    return _CSET32[remainder >> 5] + _CSET32[remainder & 31]
