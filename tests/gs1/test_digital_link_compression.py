"""Compressed GS1 Digital Link URIs, decompressed: the GS1 compression prototype's examples,
the optimisation codes and the non-AI pairs, refusals, and a round trip through a small
encoder written from the standard's description."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.gs1.digital_link_compression import (
    OPTIMISATIONS,
    SAFE_BASE64,
    decompressed,
    length_bits,
    uncompressed_uri,
    value_bits,
)
from unitrace.gs1.elements import ElementString
from unitrace.gs1.errors import InvalidDigitalLink

UNCOMPRESSED = "https://id.gs1.org/01/05412345000013/10/ABC123?17=290331"


@pytest.mark.parametrize(
    ("compressed", "uncompressed"),
    [
        # GS1's compression prototype's examples: compressed, partially compressed, and each
        # with the non-GS1 pairs compressed too
        ("https://id.gs1.org/AQnYUc1gmiCNV4JGLo3DY", UNCOMPRESSED),
        ("https://id.gs1.org/AQnYUc1gmiCNV4JGLo3DY?arv=true&donor=bmgf",
         UNCOMPRESSED + "&arv=true&donor=bmgf"),
        ("https://id.gs1.org/01/05412345000013/EEarwSMXRuGw?arv=true&donor=bmgf",
         UNCOMPRESSED + "&arv=true&donor=bmgf"),
        ("https://id.gs1.org/AQnYUc1gmiCNV4JGLo3Dfg2q72Etrue8K7RPRWwjc0D4",
         UNCOMPRESSED + "&arv=true&donor=bmgf"),
        ("https://id.gs1.org/01/05412345000013/EEarwSMXRuG_BtV3sJbXc94V2ieithG5oHw",
         UNCOMPRESSED + "&arv=true&donor=bmgf"),
        # not compressed: left alone
        ("https://id.gs1.org/01/05412345000013/10/ABC123", None),
        ("https://id.gs1.org/01/05412345000013/10/A.B", None),
        ("https://id.gs1.org/a/b", None),
    ],
)  # fmt: skip
def test_compressed_uris_are_decompressed(compressed: str, uncompressed: str | None) -> None:
    assert uncompressed_uri(compressed) == uncompressed


@pytest.mark.parametrize(
    ("segment", "message"),
    [
        ("A.B", "a compressed URI is written in base 64"),
        # 0xE0: no optimisation has that code
        ("4AAA", "the compressed URI has no optimisation E0"),
        # AI 01 announced, its 14 digits missing
        ("AQAA", "the compressed URI ends inside a value"),
        # (05): no AI starts with those digits
        ("BQAA", "the compressed URI names no AI starting 05"),
    ],
)
def test_what_does_not_decompress_is_refused(segment: str, message: str) -> None:
    with pytest.raises(InvalidDigitalLink, match=message):
        decompressed(segment)


def test_bit_counts_follow_the_standard() -> None:
    assert [value_bits(n) for n in (0, 1, 2, 6, 13, 14, 18)] == [0, 4, 7, 20, 44, 47, 60]
    assert [length_bits(m) for m in (8, 12, 17, 20, 30, 90)] == [4, 4, 5, 5, 5, 7]


def _encoded(gtin: str, lot: str, serial: str, expiry: str) -> str:
    """(01)(10)(21)(17) behind optimisation code 1A, the lot and serial in URI-safe base 64."""
    bits = "00011010"  # 1A
    bits += f"{int(gtin):0{value_bits(14)}b}"
    for text in (lot, serial):
        bits += "011" + f"{len(text):0{length_bits(20)}b}"
        bits += "".join(f"{SAFE_BASE64.index(c):06b}" for c in text)
    bits += f"{int(expiry):0{value_bits(6)}b}"
    bits += "0" * (-len(bits) % 6)
    return "".join(SAFE_BASE64[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


@given(
    gtin=st.from_regex(r"\A[0-9]{14}\Z"),
    lot=st.text(SAFE_BASE64, min_size=1, max_size=20),
    serial=st.text(SAFE_BASE64, min_size=1, max_size=20),
    expiry=st.from_regex(r"\A[0-9]{6}\Z"),
)
def test_an_optimised_sequence_round_trips(gtin: str, lot: str, serial: str, expiry: str) -> None:
    assert OPTIMISATIONS["1A"] == ("01", "10", "21", "17")
    assert decompressed(_encoded(gtin, lot, serial, expiry)) == (
        (
            ElementString("01", gtin),
            ElementString("10", lot),
            ElementString("21", serial),
            ElementString("17", expiry),
        ),
        (),
    )
