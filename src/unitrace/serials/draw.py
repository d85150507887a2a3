"""Drawing serials: each character uniform over the product's alphabet, from random bytes.

A million 12-character serials take one ``os.urandom`` call and one ``bytes.translate``: each
random byte becomes a character through a 256-entry table. Where the alphabet's size does not
divide 256, mapping every byte would favour the first ``256 % size`` characters, so the bytes
of that biased tail are deleted instead (rejection sampling) and more are drawn to make up.

>>> import random
>>> from unitrace.registry.model import SerialFormat
>>> source = random.Random(2026).randbytes
>>> draw_serials(SerialFormat(length=8, alphabet="0123456789"), 3, random_bytes=source)
['54602811', '03487939', '86119454']
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from unitrace.registry.model import SerialFormat

#: Where random bytes come from: called with a count, returns that many bytes.
RandomBytes = Callable[[int], bytes]

#: GS1 AI (21) holds 1 to 20 characters.
_LONGEST_SERIAL = 20
# Bytes asked for beyond the expected need, so that rejection rarely forces a second call.
_SPARE_BYTES = 64


def draw_serials(
    serial_format: SerialFormat, count: int, *, random_bytes: RandomBytes = os.urandom
) -> list[str]:
    """``count`` serials of ``serial_format``, each drawn independently and uniformly.

    Being independent, two of them may be alike; in a space far larger than ``count`` that is
    vanishingly rare, and only a uniqueness check rules it out: :func:`distinct_serials`, or
    the database's key on (product, serial) that issuing relies on.
    """
    if count < 0:
        raise ValueError(f"count: {count} serials cannot be drawn")
    mapping = _mapping(serial_format.alphabet)
    length = _checked_length(serial_format.length)
    wanted = count * length
    chunks: list[bytes] = []
    have = 0
    while have < wanted:
        asked = (wanted - have) * 257 // mapping.accepted + _SPARE_BYTES
        drawn = random_bytes(asked)
        if len(drawn) != asked:
            raise ValueError(f"random_bytes: returned {len(drawn)} bytes, {asked} were asked")
        chunk = drawn.translate(mapping.table, mapping.tail)
        chunks.append(chunk)
        have += len(chunk)
    text = b"".join(chunks)[:wanted].decode("ascii")
    return [text[start : start + length] for start in range(0, wanted, length)]


def distinct_serials(
    serial_format: SerialFormat, count: int, *, random_bytes: RandomBytes = os.urandom
) -> list[str]:
    """``count`` serials of ``serial_format``, no two alike, in the order drawn.

    >>> import random
    >>> coins = SerialFormat(length=2, alphabet="HT")
    >>> sorted(distinct_serials(coins, 4, random_bytes=random.Random(1).randbytes))
    ['HH', 'HT', 'TH', 'TT']
    """
    if count > serial_format.possible:
        raise ValueError(
            f"count: {count:,} distinct serials asked, the format has {serial_format.possible:,}"
        )
    # a dict keeps the order drawn, so that the result is reproducible from a seeded source
    serials = dict.fromkeys(draw_serials(serial_format, count, random_bytes=random_bytes))
    while len(serials) < count:
        for serial in draw_serials(serial_format, count - len(serials), random_bytes=random_bytes):
            serials[serial] = None
    return list(serials)


@dataclass(frozen=True, slots=True)
class _ByteMapping:
    """How random bytes become characters of one alphabet."""

    #: byte value -> character, for ``bytes.translate``
    table: bytes
    #: the byte values that would bias the draw, deleted by ``bytes.translate``
    tail: bytes
    #: how many of the 256 byte values become a character
    accepted: int


@lru_cache(maxsize=64)
def _mapping(alphabet: str) -> _ByteMapping:
    if len(alphabet) < 2 or len(set(alphabet)) != len(alphabet) or not alphabet.isascii():
        raise ValueError(f"alphabet: {alphabet!r} needs at least 2 distinct ASCII characters")
    size = len(alphabet)
    accepted = 256 - 256 % size
    characters = alphabet.encode("ascii")
    table = bytes(characters[value % size] if value < accepted else 0 for value in range(256))
    return _ByteMapping(table, bytes(range(accepted, 256)), accepted)


def _checked_length(length: int) -> int:
    if not 1 <= length <= _LONGEST_SERIAL:
        raise ValueError(f"length: {length} is not between 1 and {_LONGEST_SERIAL} (GS1 AI 21)")
    return length
