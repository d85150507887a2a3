from __future__ import annotations

import pytest

from unitrace.gs1 import (
    ElementString,
    InvalidCharacter,
    InvalidCheckDigit,
    InvalidCode,
    InvalidCombination,
    InvalidDate,
    InvalidDigitalLink,
    InvalidElementString,
    InvalidLength,
    UnitIdentity,
    UnknownApplicationIdentifier,
)
from unitrace.symbols import CapacityExceeded, Symbol, Symbology, encode_symbol

from .samples import ELEMENTS, GTIN, LONGEST, UNITS

E = ElementString
PHARMA_PACK = UNITS["pharma pack"]


@pytest.mark.parametrize(
    ("symbology", "expected"),
    [
        (
            Symbology.DATAMATRIX,
            ("]d2", "01095060001343521726123110ABC123\x1d21X7KQ2M9P4R3T"),
        ),
        (Symbology.GS1_QR, ("]Q3", "01095060001343521726123110ABC123\x1d21X7KQ2M9P4R3T")),
        (Symbology.GS1_128, ("]C1", "01095060001343521726123110ABC123\x1d21X7KQ2M9P4R3T")),
        (
            Symbology.DL_QR,
            ("]Q1", "https://id.gs1.org/01/09506000134352/10/ABC123/21/X7KQ2M9P4R3T?17=261231"),
        ),
    ],
)
def test_a_unit_is_encoded_as_a_scanner_will_transmit_it(
    symbology: Symbology, expected: tuple[str, str]
) -> None:
    symbol = encode_symbol(PHARMA_PACK, symbology)
    identifier, data = expected
    assert (symbol.symbology, symbol.elements, symbol.data, symbol.scanned_text) == (
        symbology,
        PHARMA_PACK.elements,
        data,
        identifier + data,
    )


def test_the_digital_link_is_on_the_resolver_given() -> None:
    symbol = encode_symbol(
        UNITS["cset 82 punctuation"], Symbology.DL_QR, resolver_base="http://x.example/"
    )
    assert symbol.data == (
        "http://x.example/01/09506000134352/10/x_y/21/"
        "A%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F"
    )


@pytest.mark.parametrize("symbology", list(Symbology))
@pytest.mark.parametrize("name", sorted(UNITS))
def test_rectangles_cover_the_dark_modules_exactly_once(symbology: Symbology, name: str) -> None:
    symbol = encode_symbol(UNITS[name], symbology)
    drawn = bytearray(len(symbol.modules))
    for x, y, width, height in symbol.rectangles():
        for row in range(y, y + height):
            for column in range(x, x + width):
                drawn[row * symbol.width + column] += 1
    assert bytes(drawn) == symbol.modules


def _module_rows(symbol: Symbol) -> list[str]:
    return [
        "".join("1" if symbol.is_dark(x, y) else "0" for x in range(symbol.width))
        for y in range(symbol.height)
    ]


@pytest.mark.parametrize("name", sorted(UNITS))
def test_a_datamatrix_has_its_finder_pattern_left_and_bottom(name: str) -> None:
    rows = _module_rows(encode_symbol(UNITS[name], Symbology.DATAMATRIX))
    size = len(rows)
    alternating = ("10" * size)[:size]
    assert (
        len(rows[0]),
        {row[0] for row in rows},
        rows[-1],
        rows[0],
        "".join(row[-1] for row in reversed(rows)),
    ) == (size, {"1"}, "1" * size, alternating, ("10" * size)[:size])


@pytest.mark.parametrize("symbology", [Symbology.GS1_QR, Symbology.DL_QR])
def test_a_qr_code_has_its_three_finder_patterns(symbology: Symbology) -> None:
    rows = _module_rows(encode_symbol(PHARMA_PACK, symbology))
    finder = ["1111111", "1000001", "1011101", "1011101", "1011101", "1000001", "1111111"]
    assert (
        [row[:7] for row in rows[:7]],
        [row[-7:] for row in rows[:7]],
        [row[:7] for row in rows[-7:]],
    ) == (finder, finder, finder)


def test_a_gs1_128_starts_with_start_c_and_fnc1_and_ends_with_stop() -> None:
    symbol = encode_symbol(PHARMA_PACK, Symbology.GS1_128)
    (bars,) = _module_rows(symbol)
    # ISO/IEC 15417 patterns: Start C, FNC1; and the stop pattern with its final bar
    assert (symbol.height, bars[:11], bars[11:22], bars[-13:]) == (
        1,
        "11010011100",
        "11110101110",
        "1100011101011",
    )


@pytest.mark.parametrize("symbology", list(Symbology))
@pytest.mark.parametrize(
    ("elements", "error", "message"),
    [
        (
            [E("01", "09506000134353"), E("21", "X1")],
            InvalidCheckDigit,
            "AI (01): check digit 2 expected, got 3",
        ),
        (
            [E("01", GTIN.value), E("17", "261331"), E("21", "X1")],
            InvalidDate,
            "AI (17): month 13",
        ),
        (
            [E("01", GTIN.value), E("21", "X 1")],
            InvalidCharacter,
            "AI (21): ' ' at position 2 is not in GS1 character set 82",
        ),
        (
            [E("01", GTIN.value), E("21", "S" * 21)],
            InvalidLength,
            "AI (21): 21 characters given, at most 20",
        ),
        ([E("01", GTIN.value), E("21", "")], InvalidLength, "AI (21): empty value"),
        ([E("21", "X1")], InvalidCombination, "AI (21) requires (01), (03) or (8006)"),
        (
            [E("01", GTIN.value), E("21", "X1"), E("21", "X2")],
            InvalidCombination,
            "AI (21) appears more than once",
        ),
        (
            [E("999", "X1")],
            UnknownApplicationIdentifier,
            "AI (999) is not a GS1 Application Identifier",
        ),
        ([], InvalidElementString, "{symbology}: no element strings to encode"),
    ],
)
def test_invalid_data_is_refused_before_zxing_sees_it(
    symbology: Symbology, elements: list[ElementString], error: type[InvalidCode], message: str
) -> None:
    with pytest.raises(InvalidCode) as raised:
        encode_symbol(elements, symbology)
    assert (type(raised.value), str(raised.value)) == (error, message.format(symbology=symbology))


@pytest.mark.parametrize(
    ("base", "message"),
    [
        (
            "ftp://id.example.com",
            "Digital Link: resolver base 'ftp://id.example.com' must be an http or https URL "
            "with a domain",
        ),
        (
            "https://id.example.com/?x=1",
            "Digital Link: resolver base 'https://id.example.com/?x=1' may not have a query "
            "or fragment",
        ),
    ],
)
def test_a_bad_resolver_base_is_refused(base: str, message: str) -> None:
    with pytest.raises(InvalidDigitalLink) as raised:
        encode_symbol(PHARMA_PACK, Symbology.DL_QR, resolver_base=base)
    assert str(raised.value) == message


def _unit_of_length(length: int) -> UnitIdentity:
    # (01) takes 16 data characters, (21) and a 20-character serial 22, the FNC1 after the
    # lot 1, so (10) and its lot make up the rest
    return UnitIdentity(GTIN, "S" * 20, lot="L" * (length - 41))


@pytest.mark.parametrize(
    ("source", "characters"),
    [(_unit_of_length(48), 48), (ELEMENTS["sscc of a pallet"], 20)],
)
def test_gs1_128_holds_up_to_48_data_characters(
    source: UnitIdentity | tuple[ElementString, ...], characters: int
) -> None:
    assert len(encode_symbol(source, Symbology.GS1_128).data) == characters


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            _unit_of_length(49),
            "gs1-128: 49 data characters, at most 48 fit; "
            "use datamatrix or gs1-qr, or fewer or shorter AIs",
        ),
        (
            LONGEST,
            "gs1-128: 69 data characters, at most 48 fit; "
            "use datamatrix or gs1-qr, or fewer or shorter AIs",
        ),
    ],
)
def test_more_than_gs1_128_holds_is_refused(source: UnitIdentity, message: str) -> None:
    with pytest.raises(CapacityExceeded) as raised:
        encode_symbol(source, Symbology.GS1_128)
    assert str(raised.value) == message


@pytest.mark.parametrize("symbology", [Symbology.DATAMATRIX, Symbology.GS1_QR, Symbology.DL_QR])
def test_the_longest_unit_fits_the_matrix_symbologies(symbology: Symbology) -> None:
    symbol = encode_symbol(LONGEST, symbology)
    assert (symbol.width == symbol.height, symbol.elements) == (True, LONGEST.elements)


def test_a_uri_longer_than_a_qr_code_holds_is_refused() -> None:
    with pytest.raises(CapacityExceeded, match=r"^dl-qr: data too long for the symbology \("):
        encode_symbol(PHARMA_PACK, Symbology.DL_QR, resolver_base="https://x.example/" + "a" * 3000)


def test_capacity_is_an_invalid_code_so_callers_catch_one_family() -> None:
    assert issubclass(CapacityExceeded, InvalidCode)
