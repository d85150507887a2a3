"""The fast EPC tag paths against a slow reading of the TDS rules written here from scratch.

``decode_epc_hex`` makes its tags without the checking constructor, and the encoders skip it
when their arguments keep the rules; each is compared with a straightforward bit-string
decoder and with the checked path (``EpcTag(...)``), on valid tags and on every kind of
broken one. A refusal must be ``InvalidEpc`` (an ``InvalidCode``): any other exception is an
HTTP 500 where the console reads a code.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.elements import ElementString
from unitrace.gs1.epc import (
    EpcTag,
    TagScheme,
    decode_epc_hex,
    encode_sgtin96,
    encode_sgtin198,
    encode_sscc96,
    fits_sgtin96,
)
from unitrace.gs1.errors import InvalidCode, InvalidEpc
from unitrace.gs1.keys import Gtin, Sscc

# --- a slow decoder, from the TDS text -----------------------------------------------------

# TDS Table A-1, GS1 character set 82, written out independently of unitrace's.
_CSET82 = set("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
# TDS Tables 14-2 (SGTIN) and 14-3 (SSCC): partition -> (cp bits, cp digits, ref bits, ref digits)
_SGTIN_TABLE = [(40, 12, 4, 1), (37, 11, 7, 2), (34, 10, 10, 3), (30, 9, 14, 4), (27, 8, 17, 5),
                (24, 7, 20, 6), (20, 6, 24, 7)]  # fmt: skip
_SSCC_TABLE = [(40, 12, 18, 5), (37, 11, 21, 6), (34, 10, 24, 7), (30, 9, 28, 8), (27, 8, 31, 9),
               (24, 7, 34, 10), (20, 6, 38, 11)]  # fmt: skip
# header -> (scheme, bits, partition table)
_SCHEMES = {
    "00110000": (TagScheme.SGTIN_96, 96, _SGTIN_TABLE),
    "00110110": (TagScheme.SGTIN_198, 198, _SGTIN_TABLE),
    "00110001": (TagScheme.SSCC_96, 96, _SSCC_TABLE),
}


def _check_digit(payload: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def slow_decode(hex_text: str) -> tuple[TagScheme, int, int, tuple[tuple[str, str], ...]] | None:
    """(scheme, filter, company prefix length, elements), or None where the TDS says no."""
    if not hex_text or any(c not in "0123456789ABCDEFabcdef" for c in hex_text):
        return None
    bits = "".join(format(int(c, 16), "04b") for c in hex_text)
    found = _SCHEMES.get(bits[:8])
    if found is None:
        return None
    scheme, length, table = found
    words = -(-length // 16)
    if len(bits) != words * 16 or "1" in bits[length:]:
        return None
    filter_value = int(bits[8:11], 2)
    partition = int(bits[11:14], 2)
    if partition >= len(table):
        return None
    cp_bits, cp_digits, ref_bits, ref_digits = table[partition]
    position = 14
    cp = int(bits[position : position + cp_bits], 2)
    position += cp_bits
    ref = int(bits[position : position + ref_bits], 2)
    position += ref_bits
    if cp >= 10**cp_digits or ref >= 10**ref_digits:
        return None
    cp_text, ref_text = str(cp).zfill(cp_digits), str(ref).zfill(ref_digits)
    payload = ref_text[0] + cp_text + ref_text[1:]
    key = payload + _check_digit(payload)
    rest = bits[position:length]
    if scheme is TagScheme.SSCC_96:
        if "1" in rest:
            return None
        return scheme, filter_value, cp_digits, (("00", key),)
    if scheme is TagScheme.SGTIN_96:
        return scheme, filter_value, cp_digits, (("01", key), ("21", str(int(rest, 2))))
    codes = [int(rest[i : i + 7], 2) for i in range(0, 140, 7)]
    end = codes.index(0) if 0 in codes else 20
    if end == 0 or any(codes[end:]) or any(chr(c) not in _CSET82 for c in codes[:end]):
        return None
    return scheme, filter_value, cp_digits, (("01", key), ("21", "".join(map(chr, codes[:end]))))


def _ours(hex_text: str) -> tuple[TagScheme, int, int, tuple[tuple[str, str], ...]] | None:
    try:
        tag = decode_epc_hex(hex_text)
    except InvalidEpc:
        return None
    # The tag the decoder made without checking is one the checking constructor makes.
    assert EpcTag(tag.scheme, tag.filter_value, tag.company_prefix_length, tag.elements) == tag
    assert tag.hex() == hex_text.upper()
    return (
        tag.scheme,
        tag.filter_value,
        tag.company_prefix_length,
        tuple((ai, value) for ai, value in tag.elements),
    )


# --- strategies: tags built field by field around every limit ------------------------------


def _around(limit: int, width: int) -> st.SearchStrategy[int]:
    edges = [
        v for v in (0, 1, limit - 1, limit, limit + 1, (1 << width) - 1) if 0 <= v < 1 << width
    ]
    return st.sampled_from(edges) | st.integers(0, (1 << width) - 1)


@st.composite
def field_tags(draw: st.DrawFn) -> str:
    header_bits = draw(st.sampled_from(sorted(_SCHEMES)))
    scheme, length, table = _SCHEMES[header_bits]
    partition = draw(st.integers(0, 7))
    cp_bits, cp_digits, ref_bits, ref_digits = table[min(partition, 6)]
    value = int(header_bits, 2)
    value = (value << 3) | draw(st.integers(0, 7))
    value = (value << 3) | partition
    value = (value << cp_bits) | draw(_around(10**cp_digits, cp_bits))
    value = (value << ref_bits) | draw(_around(10**ref_digits, ref_bits))
    rest_bits = length - 14 - cp_bits - ref_bits
    if scheme is TagScheme.SGTIN_198:
        codes = draw(
            st.lists(
                st.sampled_from([0, 0x20, 0x23, 0x40, 0x7F, 0x41, 0x2F, 0x25])
                | st.integers(0, 127),
                min_size=0,
                max_size=20,
            )
        )
        rest = 0
        for code in codes + [0] * (20 - len(codes)):
            rest = (rest << 7) | code
    else:
        rest = draw(_around(2**38, rest_bits) | st.just(0))
    value = (value << rest_bits) | rest
    words = -(-length // 16)
    padding = words * 16 - length
    value = (value << padding) | draw(st.sampled_from([0, 0, 0, 1]) if padding else st.just(0))
    text = f"{value:0{words * 4}X}"
    return text.lower() if draw(st.booleans()) else text


_ODD = "0123456789abcdefABCDEF \t\n\u0663\uff13\u00b2x_+-"
odd_texts = st.text(alphabet=_ODD, max_size=60)
mangled = st.tuples(field_tags(), st.integers(0, 55), st.sampled_from(_ODD)).map(
    lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
)


@settings(max_examples=3000, deadline=None)
@given(field_tags() | mangled | odd_texts)
@example("30" + "F" * 22)  # partition 7
@example("3078" + "0" * 20)  # partition 6, zero fields
@example(f"{(0x30 << 88) | (6 << 82) | (10**6 << 62):024X}")  # 6-digit prefix field 10**6
@example(f"{(0x30 << 88) | (6 << 82) | (10**7 << 38):024X}")  # 7-digit item reference 10**7
@example(f"{(0x30 << 88) | (2**38 - 1):024X}")
def test_decode_reads_and_refuses_as_the_tds_does(hex_text: str) -> None:
    try:
        ours = _ours(hex_text)
    except InvalidCode:  # pragma: no cover - _ours maps InvalidEpc to None
        raise
    assert ours == slow_decode(hex_text)


# --- encoders: fast path against the checked constructor ----------------------------------

_GTIN = Gtin("80614141123458")
_SSCC = Sscc("095201234567891235")
serials = (
    st.sampled_from(
        [
            "0",
            "00",
            "01",
            "1",
            str(2**38 - 1),
            str(2**38),
            "9" * 12,
            "1" * 13,
            "",
            " 1",
            "1 ",
            "+1",
            "-1",
            "1_0",
            "\u0661\u0662",
            "\uff11\uff12",
            "\u00b2",
            "A",
            "a/b",
            "%",
            "A" * 20,
            "A" * 21,
            "é",
            "#",
            "~",
            "\x00",
        ]
    )
    | st.integers(0, 2**39).map(str)
    | st.text(alphabet=_ODD + 'AZaz/%"&<>?!', max_size=22)
)
prefix_lengths = st.sampled_from([5, 6, 7, 12, 13, -1, 0, True, 6.0])
filter_values = st.sampled_from([-1, 0, 1, 7, 8, True])


def _outcome(call):  # type: ignore[no-untyped-def]
    try:
        return ("hex", call())
    except Exception as error:  # the type is what is compared
        return ("refused", type(error).__name__, str(error))


def _checked(scheme: TagScheme, elements, prefix_length, filter_value):  # type: ignore[no-untyped-def]
    def call() -> str:
        tag = EpcTag(scheme, filter_value, prefix_length, elements)
        tag.tag_uri  # noqa: B018 - a tag that is made can be written as a URI
        return tag.hex()

    return _outcome(call)


@settings(max_examples=1500, deadline=None)
@given(serials, prefix_lengths, filter_values)
@example("1", 6.0, 1)
def test_encode_sgtin96_fast_path_takes_what_the_checked_path_takes(
    serial: str, prefix_length: int, filter_value: int
) -> None:
    ours = _outcome(lambda: encode_sgtin96(_GTIN, serial, prefix_length, filter_value))
    elements = (ElementString("01", _GTIN.value), ElementString("21", serial))
    assert ours == _checked(TagScheme.SGTIN_96, elements, prefix_length, filter_value)
    if ours[0] == "hex":
        assert fits_sgtin96(serial)


@settings(max_examples=1500, deadline=None)
@given(serials, prefix_lengths, filter_values)
def test_encode_sgtin198_fast_path_takes_what_the_checked_path_takes(
    serial: str, prefix_length: int, filter_value: int
) -> None:
    ours = _outcome(lambda: encode_sgtin198(_GTIN, serial, prefix_length, filter_value))
    elements = (ElementString("01", _GTIN.value), ElementString("21", serial))
    assert ours == _checked(TagScheme.SGTIN_198, elements, prefix_length, filter_value)


@settings(max_examples=300, deadline=None)
@given(prefix_lengths, filter_values)
def test_encode_sscc96_fast_path_takes_what_the_checked_path_takes(
    prefix_length: int, filter_value: int
) -> None:
    ours = _outcome(lambda: encode_sscc96(_SSCC, prefix_length, filter_value))
    elements = (ElementString("00", _SSCC.value),)
    assert ours == _checked(TagScheme.SSCC_96, elements, prefix_length, filter_value)


def _old_check_digit(payload: str) -> str:
    from_right = payload[::-1]
    total = 3 * sum(map(int, from_right[0::2])) + sum(map(int, from_right[1::2]))
    return str(-total % 10)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="0123456789\u0660\u0669\uff10\uff19\u00b2 a", max_size=20))
def test_check_digit_fast_path_answers_as_the_digit_by_digit_sum(payload: str) -> None:
    assert _outcome(lambda: gs1_check_digit(payload)) == _outcome(lambda: _old_check_digit(payload))


@pytest.mark.xfail(
    strict=True,
    reason="pre-existing, not fixed here: callers that test str.isdigit() alone "
    "(epcis_capture.event_words.gln_of, epcis_query.spellings) would then raise ValueError",
)
@pytest.mark.parametrize("payload", ["\u0660" * 13, "\uff10" * 13, "061414112345\u0661"])
def test_check_digit_refuses_digits_that_are_not_ascii(payload: str) -> None:
    """A GS1 key is digits 0-9 (GS1 General Specifications 7.9); int() reads Arabic-Indic
    and fullwidth digits too, so the digit-by-digit sum made check digits of them."""
    with pytest.raises(ValueError, match="invalid literal"):
        gs1_check_digit(payload)


# --- the callers: a reader's hex that breaks a TDS rule is refused for that rule ------------

BROKEN_TAGS = [
    # partition 7 is outside the SGTIN partition table
    ("307C257BF7194E4000001A85", "partition 7 is not in the SGTIN partition table"),
    # SSCC-96 reserved bits set
    ("311BA1B300CE0A6A83000001", "the 24 reserved bits of SSCC-96 must be 0"),
    # 6-digit company prefix field holding 1000000
    (f"{(0x30 << 88) | (6 << 82) | (10**6 << 62):024X}", "company prefix field 1000000"),
]


@pytest.mark.parametrize(("hex_text", "reason"), BROKEN_TAGS)
def test_code_epc_says_why_a_tag_is_refused(hex_text: str, reason: str) -> None:
    """``unitrace code epc`` (exit 2) names the TDS rule the tag breaks, not the GS1 element
    string parser's complaint about hex it was never meant to read (AI (30), …)."""
    from unitrace.services.codes import epc_tag

    with pytest.raises(InvalidEpc) as refused:
        epc_tag(hex_text, company_prefix_length=None)
    assert reason in str(refused.value)


@pytest.mark.parametrize(("hex_text", "reason"), BROKEN_TAGS)
def test_console_search_says_why_a_tag_is_refused(hex_text: str, reason: str) -> None:
    from unitrace.registry.errors import InvalidRequest
    from unitrace.services.code_lookup import read_code

    with pytest.raises(InvalidRequest) as refused:
        read_code(hex_text)
    assert reason in str(refused.value)
