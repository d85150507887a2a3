"""The fields of an EPC URI: the GS1 company prefix, the reference after it and the value
at the end, percent-escaped as TDS Table A-1 asks; and the GS1 keys rebuilt from them.

Shared by the URIs and the tag encodings, and checked the same way in both: each error names
the form it was found in (``where``) and the part that breaks the rule.

>>> gtin_of("0614141", "812345", "EPC URI"), escape("32a/b")
('80614141123458', '32a%2Fb')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.elements import ElementString, validate_elements
from unitrace.gs1.errors import InvalidCode, InvalidEpc

#: The GS1 company prefix lengths the TDS partition tables provide for.
COMPANY_PREFIX_LENGTHS = range(6, 13)

# TDS Table A-1: GS1 character set 82, split into the characters an EPC URI writes as they are
# and those it must percent-escape because they are reserved or unsafe in a URI.
_URI_ESCAPES = {
    '"': "%22",
    "%": "%25",
    "&": "%26",
    "/": "%2F",
    "<": "%3C",
    ">": "%3E",
    "?": "%3F",
}
_URI_LITERALS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!'()*+,-.:;=_"
)
CSET82 = _URI_LITERALS | _URI_ESCAPES.keys()
_URI_ESCAPE_TABLE = str.maketrans(_URI_ESCAPES)
HEX_DIGITS = frozenset("0123456789ABCDEFabcdef")
DECIMAL_DIGITS = frozenset("0123456789")


def split_fields(body: str, count: int, pattern: str, where: str) -> list[str]:
    # Only the leading numeric fields are split off: the last field (a serial, lot or
    # extension) may itself hold dots.
    fields = body.split(".", count - 1)
    if len(fields) != count:
        raise InvalidEpc(f"{where}: expected {count} fields {pattern}, got {body!r}")
    return fields


def only_digits(text: str, part: str, where: str) -> str:
    for position, character in enumerate(text, start=1):
        if character not in DECIMAL_DIGITS:
            raise InvalidEpc(
                f"{where}: {part}: {character!r} at position {position} is not a digit"
            )
    return text


def _company_prefix(text: str, where: str) -> str:
    only_digits(text, "company prefix", where)
    if len(text) not in COMPANY_PREFIX_LENGTHS:
        raise InvalidEpc(
            f"{where}: company prefix {text!r} has {len(text)} digits; the TDS provides for 6 to 12"
        )
    return text


def check_company_prefix_length(length: int, where: str) -> None:
    # 6.0 is "in" range(6, 13), and a float finds the int key of a dict, but slices refuse it.
    if not isinstance(length, int) or length not in COMPANY_PREFIX_LENGTHS:
        raise InvalidEpc(
            f"{where}: company prefix length {length} is outside the 6 to 12 digits the TDS "
            "provides for"
        )


def _key_digits(
    company_prefix: str, reference: str, reference_name: str, total: int, key: str, where: str
) -> None:
    _company_prefix(company_prefix, where)
    only_digits(reference, reference_name, where)
    if len(company_prefix) + len(reference) != total:
        raise InvalidEpc(
            f"{where}: company prefix and {reference_name} have "
            f"{len(company_prefix) + len(reference)} digits together; {key} needs {total}"
        )


def gtin_of(company_prefix: str, item_reference: str, where: str) -> str:
    _key_digits(company_prefix, item_reference, "item reference", 13, "an SGTIN", where)
    # The item reference field leads with the GTIN-14's indicator digit (TDS section 7.1).
    return with_check_digit(item_reference[0] + company_prefix + item_reference[1:])


def sscc_of(company_prefix: str, serial_reference: str, where: str) -> str:
    _key_digits(company_prefix, serial_reference, "serial reference", 17, "an SSCC", where)
    # The serial reference field leads with the SSCC's extension digit (TDS section 7.2).
    return with_check_digit(serial_reference[0] + company_prefix + serial_reference[1:])


def gln_of(company_prefix: str, location_reference: str, where: str) -> str:
    # The location reference is empty where the company prefix has 12 digits.
    _key_digits(company_prefix, location_reference, "location reference", 12, "an SGLN", where)
    return with_check_digit(company_prefix + location_reference)


def with_check_digit(payload: str) -> str:
    return payload + gs1_check_digit(payload)


def sgtin_fields(gtin: str, company_prefix_length: int) -> tuple[str, str]:
    """Company prefix and item reference (indicator digit first) of a GTIN-14."""
    return gtin[1 : 1 + company_prefix_length], gtin[0] + gtin[1 + company_prefix_length : 13]


def sscc_fields(sscc: str, company_prefix_length: int) -> tuple[str, str]:
    """Company prefix and serial reference (extension digit first) of an SSCC."""
    return sscc[1 : 1 + company_prefix_length], sscc[0] + sscc[1 + company_prefix_length : 17]


def escape(value: str) -> str:
    """``value`` (already checked to be GS1 character set 82) as an EPC URI writes it."""
    return value.translate(_URI_ESCAPE_TABLE)


def unescape(text: str, part: str, where: str) -> str:
    """The characters an EPC URI field stands for, its percent escapes decoded (TDS section 5,
    GS3A3Component: characters of set 82, the reserved ones escaped)."""
    if not text:
        raise InvalidEpc(f"{where}: {part} is empty")
    characters: list[str] = []
    position = 0
    while position < len(text):
        character = text[position]
        if character == "%":
            pair = text[position + 1 : position + 3]
            if len(pair) != 2 or not HEX_DIGITS.issuperset(pair):
                raise InvalidEpc(
                    f"{where}: {part}: '%' at position {position + 1} does not start an escape "
                    "such as %2F"
                )
            decoded = chr(int(pair, 16))
            if decoded not in CSET82:
                raise InvalidEpc(
                    f"{where}: {part}: %{pair} stands for {decoded!r}, which is not in GS1 "
                    "character set 82"
                )
            characters.append(decoded)
            position += 3
            continue
        if character in _URI_ESCAPES:
            raise InvalidEpc(
                f"{where}: {part}: {character!r} at position {position + 1} must be written "
                f"{_URI_ESCAPES[character]}"
            )
        if character not in _URI_LITERALS:
            raise InvalidEpc(
                f"{where}: {part}: {character!r} at position {position + 1} is not in GS1 "
                "character set 82"
            )
        characters.append(character)
        position += 1
    return "".join(characters)


def validated(elements: Sequence[ElementString], where: str) -> tuple[ElementString, ...]:
    """``elements`` checked against their AIs' rules; the error keeps its class and says which
    EPC form it was found in."""
    try:
        validate_elements(elements)
    except InvalidCode as error:
        raise type(error)(f"{where}: {error}") from None
    return tuple(elements)


def ai_list(ais: Iterable[str]) -> str:
    return "".join(f"({ai})" for ai in ais) or "(none)"
