"""Compressed GS1 Digital Link URIs, decompressed (GS1 Digital Link standard: "Compression";
a GS1-conformant resolver SHALL be able to decompress them).

A compressed URI carries its AIs as one path segment in a URI-safe base 64 alphabet
(``https://id.example/AQnYUc1gmiERBhQ0ytiyZuAGOLc1TQ``), or its primary key uncompressed and
the rest compressed (``…/01/09506000134352/<compressed>``). The bits are a series of AIs, each
named by its digits written as hexadecimal nibbles (two, three or four of them: the first two
digits say how many, as for element strings) or by an optimisation code for a common sequence
(``0B`` = (01) then (10)); then the AI's value, component by component: a fixed-length numeric
as a binary number of the bits its digits need, a variable-length numeric with its length
first, an alphanumeric with a 3-bit encoding (digits, lower or upper hexadecimal, URI-safe
base 64, 7-bit ASCII) and, if variable, its length. ``F`` starts a key=value pair that is no AI.
Bits left over (fewer than nine) pad the last base 64 character.

>>> decompressed_elements("AQnYUc1gmiCNV4JGLo3DY")
(ElementString(ai='01', value='05412345000013'), ElementString(ai='10', value='ABC123'), ElementString(ai='17', value='290331'))
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote, unquote

from unitrace.gs1.digital_link import build_digital_link
from unitrace.gs1.elements import ElementString
from unitrace.gs1.errors import InvalidDigitalLink
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY

#: The base 64 alphabet of compressed URIs (RFC 4648's URI-safe alphabet).
SAFE_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_HEX = "0123456789ABCDEF"
COMPRESSED_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")

#: The standard's optimisation codes: one byte for a common sequence of AIs.
OPTIMISATIONS: dict[str, tuple[str, ...]] = {
    "0A": ("01", "22"), "0B": ("01", "10"), "0C": ("01", "21"), "0D": ("01", "17"),
    "0E": ("01", "7003"), "0F": ("01", "30"), "1A": ("01", "10", "21", "17"),
    "1B": ("01", "15"), "1C": ("01", "11"), "1D": ("01", "16"), "1E": ("01", "91"),
    "1F": ("01", "10", "15"),
    **{f"2{h}": ("01", f"310{i}") for i, h in enumerate("ABCDEF")},
    **{f"3{h}": ("01", f"320{i}") for i, h in enumerate("ABCDEF")},
    "9A": ("8010", "8011"), "9B": ("8017", "8019"), "9C": ("8018", "8019"), "9D": ("414", "254"),
    **{f"A{i}": ("01", f"392{i}") for i in range(10)},
    **{f"C{i}": ("255", f"390{i}") for i in range(10)},
    "CA": ("255", "3940"), "CB": ("255", "3941"), "CC": ("255", "3942"), "CD": ("255", "3943"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Part:
    """One component of an AI's value as compression writes it: numeric or not, fixed
    ``length`` or variable up to it."""

    numeric: bool
    length: int
    fixed: bool


class _Bits:
    def __init__(self, bits: str) -> None:
        self.bits = bits
        self.cursor = 0

    def left(self) -> int:
        return len(self.bits) - self.cursor

    def take(self, count: int) -> int:
        if count > self.left():
            raise InvalidDigitalLink("Digital Link: the compressed URI ends inside a value")
        chunk = self.bits[self.cursor : self.cursor + count]
        self.cursor += count
        return int(chunk, 2) if chunk else 0


def value_bits(digits: int) -> int:
    """The bits a number of ``digits`` decimal digits takes, as the standard reckons them:
    ceil(digits * log2(10) + 0.01)."""
    return math.ceil(digits * math.log2(10) + 0.01) if digits else 0


def length_bits(longest: int) -> int:
    """The bits a length up to ``longest`` takes."""
    return longest.bit_length()


@cache
def parts_of(ai: str) -> tuple[Part, ...]:
    """The value of ``ai`` as compression reads it: adjacent fixed-length numeric components
    of the syntax dictionary make one (``(8003)`` N1 N13 is read as 14 digits, as the
    standard's format table has it)."""
    entry = SYNTAX_DICTIONARY.get(ai)
    if entry is None:
        raise InvalidDigitalLink(f"Digital Link: the compressed URI names an unknown AI ({ai})")
    parts: list[Part] = []
    for component in entry.components:
        numeric = component.charset == "N"
        fixed = component.min_length == component.max_length
        if parts and numeric and fixed and parts[-1].numeric and parts[-1].fixed:
            parts[-1] = Part(True, parts[-1].length + component.max_length, True)
        else:
            parts.append(Part(numeric, component.max_length, fixed))
    return tuple(parts)


@cache
def _ai_lengths() -> dict[str, int]:
    """AI length by its first two digits (the same for every AI that starts with them)."""
    return {ai[:2]: len(ai) for ai in SYNTAX_DICTIONARY}


def decompressed_elements(segment: str) -> tuple[ElementString, ...]:
    """The AIs a compressed segment carries, in its order (not yet checked against the
    syntax dictionary's rules: the caller builds and checks the Digital Link)."""
    elements, _ = decompressed(segment)
    return elements


def decompressed(segment: str) -> tuple[tuple[ElementString, ...], tuple[tuple[str, str], ...]]:
    """The AIs of a compressed segment and the key=value pairs that are not AIs."""
    if not COMPRESSED_SEGMENT.match(segment):
        raise InvalidDigitalLink(
            "Digital Link: a compressed URI is written in base 64 (A-Z a-z 0-9 - _)"
        )
    bits = _Bits("".join(f"{SAFE_BASE64.index(c):06b}" for c in segment))
    elements: list[ElementString] = []
    others: list[tuple[str, str]] = []
    while bits.left() > 8:
        h1, h2 = _HEX[bits.take(4)], _HEX[bits.take(4)]
        if h1.isdigit() and h2.isdigit():
            length = _ai_lengths().get(h1 + h2)
            if length is None:
                raise InvalidDigitalLink(
                    f"Digital Link: the compressed URI names no AI starting {h1}{h2}"
                )
            ai = h1 + h2
            for _ in range(length - 2):
                digit = bits.take(4)
                if digit > 9:
                    raise InvalidDigitalLink(
                        "Digital Link: an AI in the compressed URI is not numeric"
                    )
                ai += str(digit)
            elements.append(ElementString(ai, _value(bits, ai)))
        elif h1 + h2 in OPTIMISATIONS:
            elements.extend(ElementString(ai, _value(bits, ai)) for ai in OPTIMISATIONS[h1 + h2])
        elif h1 == "F":
            # a key=value pair that is not an AI: 7-bit key length (its first 4 bits are h2's)
            key_length = (int(h2, 16) << 3) | bits.take(3)
            key = "".join(SAFE_BASE64[bits.take(6)] for _ in range(key_length))
            encoding = bits.take(3)
            others.append((key, _characters(bits, encoding, bits.take(7))))
        else:
            raise InvalidDigitalLink(
                f"Digital Link: the compressed URI has no optimisation {h1}{h2}"
            )
    return tuple(elements), tuple(others)


def _value(bits: _Bits, ai: str) -> str:
    value = ""
    for part in parts_of(ai):
        if part.numeric:
            digits = part.length if part.fixed else bits.take(length_bits(part.length))
            number = bits.take(value_bits(digits))
            value += str(number).zfill(digits) if part.fixed else str(number)
        else:
            encoding = bits.take(3)
            count = part.length if part.fixed else bits.take(length_bits(part.length))
            value += _characters(bits, encoding, count)
    return value


def _characters(bits: _Bits, encoding: int, count: int) -> str:
    """``count`` characters in one of the five encodings."""
    if encoding == 0:  # digits, as one binary number
        return str(bits.take(value_bits(count)))
    if encoding in (1, 2):  # hexadecimal, lower or upper case
        text = "".join(_HEX[bits.take(4)] for _ in range(count))
        return text.lower() if encoding == 1 else text
    if encoding == 3:
        return "".join(SAFE_BASE64[bits.take(6)] for _ in range(count))
    if encoding == 4:
        return "".join(chr(bits.take(7)) for _ in range(count))
    raise InvalidDigitalLink(f"Digital Link: the compressed URI has no encoding {encoding}")


def uncompressed_uri(uri: str) -> str | None:
    """The uncompressed GS1 Digital Link URI of a compressed (``https://host/<compressed>``) or
    partially compressed (``https://host/01/<gtin>/<compressed>``) one, its query kept and
    the compressed key=value pairs added to it; None where ``uri`` has neither form. A
    compressed segment that does not decompress is :class:`InvalidDigitalLink`."""
    scheme, separator, rest = uri.partition("://")
    host, _, path_and_query = rest.partition("/")
    path, _, query = path_and_query.partition("?")
    segments = path.split("/")
    if not separator or not segments or not COMPRESSED_SEGMENT.match(segments[-1]):
        return None
    if (
        len(segments) >= 3
        and SYNTAX_DICTIONARY.get(segments[-3]) is not None
        and (SYNTAX_DICTIONARY[segments[-3]].digital_link_primary_key)
    ):
        stem = segments[:-3]
        key: tuple[ElementString, ...] = (ElementString(segments[-3], unquote(segments[-2])),)
    elif len(segments) == 1:
        stem, key = [], ()
    else:
        return None
    elements, others = decompressed(segments[-1])
    base = f"{scheme}://{host}" + "".join("/" + part for part in stem)
    built = build_digital_link(key + elements, base)
    extra = [query] if query else []
    extra += [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in others]
    if not extra:
        return built
    return built + ("&" if "?" in built else "?") + "&".join(extra)
