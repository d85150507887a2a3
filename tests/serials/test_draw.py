"""Drawing serials: the byte-to-character mapping, its rejection of the biased tail, and the
properties every draw has (length, alphabet, uniqueness, uniformity)."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.registry.model import UNAMBIGUOUS_ALPHABET, SerialFormat
from unitrace.serials import distinct_serials, draw_serials

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"


def scripted(script: bytes) -> Callable[[int], bytes]:
    """A source of random bytes that answers with ``script``, padded with zero bytes to the
    size asked (a zero byte is the alphabet's first character)."""

    def random_bytes(size: int) -> bytes:
        assert len(script) <= size
        return script + bytes(size - len(script))

    return random_bytes


def seeded(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


# --- the mapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serial_format", "count", "script", "serials"),
    [
        # 256 is a multiple of 32: every byte is a character, byte % 32
        (SerialFormat(4, UNAMBIGUOUS_ALPHABET), 1, bytes([0, 31, 32, 255]), ["2Z2Z"]),
        (SerialFormat(3, "AB"), 2, bytes([0, 1, 2, 3, 254, 255]), ["ABA", "BAB"]),
        # 10 digits: bytes 250-255 would favour 0-5, so they are dropped
        (
            SerialFormat(4, DIGITS),
            2,
            bytes([0, 1, 9, 10, 11, 249, 250, 255, 19, 20]),
            ["0190", "1990"],
        ),
        # 82 characters: 246 = 3 x 82 bytes kept, 246-255 dropped
        (SerialFormat(5, CSET82), 1, bytes([0, 81, 82, 245, 246, 255, 163]), ["!z!zz"]),
        # the padding of the script: zero bytes, the first character
        (
            SerialFormat(6, DIGITS),
            2,
            bytes([250, 251, 252, 253, 254, 255, 7]),
            ["700000", "000000"],
        ),
        (SerialFormat(6, DIGITS), 0, b"", []),
    ],
)
def test_each_byte_becomes_one_character_or_is_dropped(
    serial_format: SerialFormat, count: int, script: bytes, serials: list[str]
) -> None:
    assert draw_serials(serial_format, count, random_bytes=scripted(script)) == serials


def test_bytes_dropped_as_biased_are_made_up_by_another_call() -> None:
    asked: list[int] = []

    def random_bytes(size: int) -> bytes:
        asked.append(size)
        if len(asked) == 1:
            return bytes([255]) * size  # every byte in the biased tail of 10 digits
        return bytes([3, 14, 15]) + bytes(size - 3)

    serials = draw_serials(SerialFormat(3, DIGITS), 2, random_bytes=random_bytes)
    assert serials == ["345", "000"]
    assert len(asked) == 2


@pytest.mark.parametrize("alphabet", ["AB", DIGITS, UNAMBIGUOUS_ALPHABET, CSET82, "ABCDEFG"])
def test_a_whole_cycle_of_byte_values_gives_every_character_equally_often(alphabet: str) -> None:
    """256 bytes, each value once, hold every character the same number of times once the
    biased tail is dropped: the mapping is exactly uniform, not just roughly."""
    cycle = bytes(range(256))

    def random_bytes(size: int) -> bytes:
        return (cycle * (size // 256 + 1))[:size]

    kept = 256 - 256 % len(alphabet)
    characters = draw_serials(SerialFormat(1, alphabet), kept, random_bytes=random_bytes)
    assert Counter(characters) == dict.fromkeys(alphabet, kept // len(alphabet))


@pytest.mark.parametrize(
    ("serial_format", "count", "random_bytes", "message"),
    [
        (SerialFormat(12), -1, seeded(1), "count: -1 serials cannot be drawn"),
        (
            SerialFormat(12, "A"),
            1,
            seeded(1),
            "alphabet: 'A' needs at least 2 distinct ASCII characters",
        ),
        (
            SerialFormat(12, "ABA"),
            1,
            seeded(1),
            "alphabet: 'ABA' needs at least 2 distinct ASCII characters",
        ),
        (
            SerialFormat(12, "AÉ"),
            1,
            seeded(1),
            "alphabet: 'AÉ' needs at least 2 distinct ASCII characters",
        ),
        (SerialFormat(0), 1, seeded(1), "length: 0 is not between 1 and 20 (GS1 AI 21)"),
        (SerialFormat(21), 1, seeded(1), "length: 21 is not between 1 and 20 (GS1 AI 21)"),
        (SerialFormat(12), 1, lambda size: b"12", "random_bytes: returned 2 bytes, 76 were asked"),
    ],
)
def test_what_cannot_be_drawn(
    serial_format: SerialFormat,
    count: int,
    random_bytes: Callable[[int], bytes],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        draw_serials(serial_format, count, random_bytes=random_bytes)


def test_more_distinct_serials_than_the_format_has_cannot_be_drawn() -> None:
    with pytest.raises(ValueError, match=r"^count: 5 distinct serials asked, the format has 4$"):
        distinct_serials(SerialFormat(2, "AB"), 5)


def test_the_default_source_is_the_operating_system() -> None:
    first, second = draw_serials(SerialFormat(), 2)
    assert len(first) == len(second) == 12
    assert first != second  # 1 in 2^60 to fail


# --- properties of every draw ----------------------------------------------------------------

alphabets = st.sets(st.sampled_from(CSET82), min_size=2).map(lambda chars: "".join(sorted(chars)))
formats = st.builds(SerialFormat, length=st.integers(1, 20), alphabet=alphabets)


@given(serial_format=formats, count=st.integers(0, 50), seed=st.integers(0, 2**32))
def test_serials_have_the_format_length_and_only_its_characters(
    serial_format: SerialFormat, count: int, seed: int
) -> None:
    serials = draw_serials(serial_format, count, random_bytes=seeded(seed))
    assert len(serials) == count
    assert all(len(serial) == serial_format.length for serial in serials)
    assert set("".join(serials)) <= set(serial_format.alphabet)


small_formats = st.builds(
    SerialFormat, length=st.integers(1, 4), alphabet=st.sampled_from(["AB", "XYZ", "0123"])
)


@given(serial_format=small_formats, share=st.floats(0, 1), seed=st.integers(0, 2**32))
def test_distinct_serials_are_unique_up_to_the_whole_space(
    serial_format: SerialFormat, share: float, seed: int
) -> None:
    count = round(share * serial_format.possible)
    serials = distinct_serials(serial_format, count, random_bytes=seeded(seed))
    assert len(serials) == len(set(serials)) == count
    assert all(len(serial) == serial_format.length for serial in serials)


@given(seed=st.integers(0, 2**32))
def test_the_same_source_draws_the_same_serials(seed: int) -> None:
    serial_format = SerialFormat(12, DIGITS)
    assert draw_serials(serial_format, 5, random_bytes=seeded(seed)) == draw_serials(
        serial_format, 5, random_bytes=seeded(seed)
    )


# --- uniformity ------------------------------------------------------------------------------

# one-sided standard normal quantile for p = 1e-6: a fair draw fails one time in a million
_Z = 4.753


def chi_square_limit(degrees: int) -> float:
    """The chi-square value a fair draw stays below with probability 1 - 1e-6
    (Wilson-Hilferty approximation)."""
    spread = 2 / (9 * degrees)
    return degrees * (1 - spread + _Z * math.sqrt(spread)) ** 3


def chi_square(characters: str, alphabet: str) -> float:
    counts = Counter(characters)
    expected = len(characters) / len(alphabet)
    return sum((counts[char] - expected) ** 2 / expected for char in alphabet)


@pytest.mark.parametrize("alphabet", ["AB", DIGITS, UNAMBIGUOUS_ALPHABET, CSET82])
def test_characters_are_drawn_uniformly(alphabet: str) -> None:
    serials = draw_serials(SerialFormat(12, alphabet), 100_000, random_bytes=seeded(1234))
    limit = chi_square_limit(len(alphabet) - 1)
    assert chi_square("".join(serials), alphabet) < limit
    # and in each position, so that no column of the printed codes is predictable
    for position in (0, 11):
        column = "".join(serial[position] for serial in serials)
        assert chi_square(column, alphabet) < limit


def test_the_uniformity_test_catches_the_bias_the_mapping_avoids() -> None:
    """Mapping every byte to ``byte % 10`` favours 0-5 by 26 to 25; the same test on the same
    amount of the same random bytes sees it."""
    raw = seeded(1234)(1_200_000)
    biased = bytes(DIGITS[value % 10].encode()[0] for value in raw).decode()
    assert chi_square(biased, DIGITS) > chi_square_limit(9)
    fair = "".join(draw_serials(SerialFormat(12, DIGITS), 100_000, random_bytes=seeded(1234)))
    assert chi_square(fair, DIGITS) < chi_square_limit(9)
