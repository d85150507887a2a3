"""EPC Tag Data Standard: EPC URIs and the SGTIN-96, SGTIN-198 and SSCC-96 tag encodings.

Vectors marked TDS are quoted from the GS1 EPC Tag Data Standard: the SGTIN-96 example of its
Appendix E (``urn:epc:tag:sgtin-96:3.0614141.812345.6789``), the examples of its sections 6
and 7, and the worked examples of TDS 2.3 Appendix E.3 (GCP 95060001343, 952012, 9521141).
The other hex vectors were checked against an independent implementation (epcpy 0.1.8).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unitrace.gs1 import ScanForm, parse
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.elements import ElementString
from unitrace.gs1.epc import (
    EpcTag,
    TagScheme,
    decode_epc_hex,
    encode_sgtin96,
    encode_sgtin198,
    encode_sscc96,
    epc_class_uri,
    epc_uri,
    fits_sgtin96,
    parse_epc_tag_uri,
    parse_epc_uri,
)
from unitrace.gs1.errors import (
    InvalidCharacter,
    InvalidCheckDigit,
    InvalidCode,
    InvalidCombination,
    InvalidEpc,
    InvalidLength,
)
from unitrace.gs1.keys import Gtin, Sscc

Elements = tuple[tuple[str, str], ...]

SGTIN_96 = TagScheme.SGTIN_96
SGTIN_198 = TagScheme.SGTIN_198
SSCC_96 = TagScheme.SSCC_96

#: GS1 AI encodable character set 82.
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

# --- EPC URIs to element strings ---------------------------------------------------------------

VALID_URIS: list[tuple[str, Elements, int]] = [
    # TDS Appendix E and section 7.1: the indicator digit 8 leads the item reference.
    (
        "urn:epc:id:sgtin:0614141.812345.6789",
        (("01", "80614141123458"), ("21", "6789")),
        7,
    ),
    # TDS section 7.1: a serial with a reserved character, percent-escaped.
    (
        "urn:epc:id:sgtin:0614141.712345.32a%2Fb",
        (("01", "70614141123451"), ("21", "32a/b")),
        7,
    ),
    # TDS 2.3 E.3, SGTIN-96 and SGTIN-198 examples: an 11-digit company prefix.
    (
        "urn:epc:id:sgtin:95060001343.05.123456789",
        (("01", "09506000134352"), ("21", "123456789")),
        11,
    ),
    (
        "urn:epc:id:sgtin:95060001343.05.32a%2Fb",
        (("01", "09506000134352"), ("21", "32a/b")),
        11,
    ),
    # The shortest and the longest company prefix the partition tables provide for.
    ("urn:epc:id:sgtin:061414.8112345.1", (("01", "80614141123458"), ("21", "1")), 6),
    ("urn:epc:id:sgtin:061414112345.8.1", (("01", "80614141123458"), ("21", "1")), 12),
    # Every character TDS Table A-1 escapes, and every other punctuation character of set 82.
    (
        "urn:epc:id:sgtin:0614141.812345.%22%25%26%2F%3C%3E%3F",
        (("01", "80614141123458"), ("21", '"%&/<>?')),
        7,
    ),
    (
        "urn:epc:id:sgtin:0614141.812345.!'()*+,-.:;=_",
        (("01", "80614141123458"), ("21", "!'()*+,-.:;=_")),
        7,
    ),
    # Dots and colons are serial characters: only the first two dots separate fields.
    (
        "urn:epc:id:sgtin:0614141.812345.A.B:C",
        (("01", "80614141123458"), ("21", "A.B:C")),
        7,
    ),
    # Escapes in lower case, and escapes of characters that need none, are read (RFC 3986).
    ("urn:epc:id:sgtin:0614141.812345.a%2fb", (("01", "80614141123458"), ("21", "a/b")), 7),
    ("urn:epc:id:sgtin:0614141.812345.%41%31", (("01", "80614141123458"), ("21", "A1")), 7),
    (
        "urn:epc:id:sgtin:0614141.812345.ABCDEFGHIJKLMNOPQRST",
        (("01", "80614141123458"), ("21", "ABCDEFGHIJKLMNOPQRST")),
        7,
    ),
    # RFC 8141: the scheme "urn" and the namespace "epc" are case-insensitive.
    ("URN:EPC:id:sgtin:0614141.812345.6789", (("01", "80614141123458"), ("21", "6789")), 7),
    ("Urn:Epc:id:sgtin:0614141.812345.6789", (("01", "80614141123458"), ("21", "6789")), 7),
    # TDS section 7.2: the extension digit 1 leads the serial reference.
    ("urn:epc:id:sscc:0614141.1234567890", (("00", "106141412345678908"),), 7),
    # TDS 2.3 E.3, SSCC-96 example.
    ("urn:epc:id:sscc:952012.03456789123", (("00", "095201234567891235"),), 6),
    ("urn:epc:id:sscc:061414123456.17890", (("00", "106141412345678908"),), 12),
    # TDS section 7.3: extension 0 means a GLN without extension.
    ("urn:epc:id:sgln:0614141.12345.0", (("414", "0614141123452"),), 7),
    ("urn:epc:id:sgln:0614141.12345.400", (("414", "0614141123452"), ("254", "400")), 7),
    # TDS 2.3 E.3, SGLN-96 and SGLN-195 examples.
    ("urn:epc:id:sgln:9521141.12345.5678", (("414", "9521141123454"), ("254", "5678")), 7),
    ("urn:epc:id:sgln:9521141.12345.32a%2Fb", (("414", "9521141123454"), ("254", "32a/b")), 7),
    # A 12-digit company prefix leaves the location reference empty.
    ("urn:epc:id:sgln:952114112345..0", (("414", "9521141123454"),), 12),
    # An extension of two zeros is an extension; only "0" stands for none.
    ("urn:epc:id:sgln:9521141.12345.00", (("414", "9521141123454"), ("254", "00")), 7),
    # TDS section 6.4: the EPC class of a lot.
    ("urn:epc:class:lgtin:4012345.012345.998877", (("01", "04012345123456"), ("10", "998877")), 7),
    ("urn:epc:class:lgtin:0614141.812345.L%2F1", (("01", "80614141123458"), ("10", "L/1")), 7),
    # Tag URIs name the same objects; the filter value is left aside.
    (
        "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        (("01", "80614141123458"), ("21", "6789")),
        7,
    ),
    (
        "urn:epc:tag:sgtin-198:3.95060001343.05.32a%2Fb",
        (("01", "09506000134352"), ("21", "32a/b")),
        11,
    ),
    ("urn:epc:tag:sscc-96:0.952012.03456789123", (("00", "095201234567891235"),), 6),
    ("URN:EPC:tag:sscc-96:7.0614141.1234567890", (("00", "106141412345678908"),), 7),
]


@pytest.mark.parametrize(("uri", "elements", "prefix_length"), VALID_URIS)
def test_epc_uris_give_the_element_strings_they_name(
    uri: str, elements: Elements, prefix_length: int
) -> None:
    assert parse_epc_uri(uri) == (elements, prefix_length)


INVALID_URIS: list[tuple[str, type[InvalidCode], str]] = [
    ("", InvalidEpc, "EPC URI: must start with urn:epc:, got ''"),
    ("urn:isbn:0451450523", InvalidEpc, "must start with urn:epc:"),
    ("https://id.gs1.org/01/80614141123458/21/6789", InvalidEpc, "must start with urn:epc:"),
    ("urn:epc:id:sgtin", InvalidEpc, "expected urn:epc:<kind>:<scheme>:<fields>"),
    ("urn:epc:ID:SGTIN:0614141.812345.6789", InvalidEpc, "write urn:epc:id:sgtin: in lower case"),
    ("urn:epc:tag:SGTIN-96:3.0614141.812345.6789", InvalidEpc, "write urn:epc:tag:sgtin-96:"),
    ("urn:epc:id:grai:0614141.12345.400", InvalidEpc, "urn:epc:id:grai: is not an EPC unitrace"),
    ("urn:epc:raw:96.x3074257BF7194E4000001A85", InvalidEpc, "urn:epc:raw:96.x3074257BF7194E"),
    ("urn:epc:idpat:sgtin:0614141.812345.*", InvalidEpc, "urn:epc:idpat:sgtin: is not an EPC"),
    ("urn:epc:tag:sgln-96:3.0614141.12345.400", InvalidEpc, "urn:epc:tag:sgln-96: is not an EPC"),
    ("urn:epc:class:sgtin:0614141.812345.1", InvalidEpc, "urn:epc:class:sgtin: is not an EPC"),
    # Fields and digits.
    ("urn:epc:id:sgtin:0614141.812345", InvalidEpc, "expected 3 fields CP.IR.Serial"),
    ("urn:epc:id:sgtin:06141.81234567.1", InvalidEpc, "company prefix '06141' has 5 digits"),
    (
        "urn:epc:id:sgtin:0614141123458..1",
        InvalidEpc,
        "company prefix '0614141123458' has 13 digits; the TDS provides for 6 to 12",
    ),
    (
        "urn:epc:id:sgtin:0614141.81234.6789",
        InvalidEpc,
        "company prefix and item reference have 12 digits together; an SGTIN needs 13",
    ),
    (
        "urn:epc:id:sgtin:061414A.812345.1",
        InvalidEpc,
        "company prefix: 'A' at position 7 is not a digit",
    ),
    (
        "urn:epc:id:sgtin:061414\u0663.812345.1",
        InvalidEpc,
        "company prefix: '\u0663' at position 7 is not a digit",
    ),
    (
        "urn:epc:id:sgtin:0614141.81234X.1",
        InvalidEpc,
        "item reference: 'X' at position 6 is not a digit",
    ),
    # Serial characters and escapes (TDS section 5, Table A-1).
    (
        "urn:epc:id:sgtin:0614141.812345.a/b",
        InvalidEpc,
        "serial: '/' at position 2 must be written %2F",
    ),
    ("urn:epc:id:sgtin:0614141.812345.a?b", InvalidEpc, "'?' at position 2 must be written %3F"),
    ("urn:epc:id:sgtin:0614141.812345.&", InvalidEpc, "'&' at position 1 must be written %26"),
    ('urn:epc:id:sgtin:0614141.812345."', InvalidEpc, "'\"' at position 1 must be written %22"),
    ("urn:epc:id:sgtin:0614141.812345.<>", InvalidEpc, "'<' at position 1 must be written %3C"),
    ("urn:epc:id:sgtin:0614141.812345.>", InvalidEpc, "'>' at position 1 must be written %3E"),
    (
        "urn:epc:id:sgtin:0614141.812345.A B",
        InvalidEpc,
        "serial: ' ' at position 2 is not in GS1 character set 82",
    ),
    ("urn:epc:id:sgtin:0614141.812345.A#", InvalidEpc, "'#' at position 2 is not in GS1"),
    ("urn:epc:id:sgtin:0614141.812345.caf\u00e9", InvalidEpc, "'\u00e9' at position 4 is not"),
    ("urn:epc:id:sgtin:0614141.812345.~", InvalidEpc, "'~' at position 1 is not in GS1"),
    ("urn:epc:id:sgtin:0614141.812345.50%", InvalidEpc, "'%' at position 3 does not start an"),
    ("urn:epc:id:sgtin:0614141.812345.%2", InvalidEpc, "'%' at position 1 does not start an"),
    ("urn:epc:id:sgtin:0614141.812345.%G1", InvalidEpc, "'%' at position 1 does not start an"),
    ("urn:epc:id:sgtin:0614141.812345.%20", InvalidEpc, "%20 stands for ' ', which is not in"),
    ("urn:epc:id:sgtin:0614141.812345.%23", InvalidEpc, "%23 stands for '#', which is not in"),
    ("urn:epc:id:sgtin:0614141.812345.%00", InvalidEpc, "%00 stands for '\\x00', which is not"),
    ("urn:epc:id:sgtin:0614141.812345.", InvalidEpc, "EPC URI: serial is empty"),
    (
        "urn:epc:id:sgtin:0614141.812345.ABCDEFGHIJKLMNOPQRSTU",
        InvalidLength,
        "EPC URI: AI (21): 21 characters given, at most 20",
    ),
    # SSCC, SGLN and LGTIN.
    ("urn:epc:id:sscc:0614141", InvalidEpc, "expected 2 fields CP.SerialRef"),
    (
        "urn:epc:id:sscc:0614141.123456789",
        InvalidEpc,
        "company prefix and serial reference have 16 digits together; an SSCC needs 17",
    ),
    (
        "urn:epc:id:sscc:0614141.1234567890.1",
        InvalidEpc,
        "serial reference: '.' at position 11 is not a digit",
    ),
    ("urn:epc:id:sgln:0614141.12345", InvalidEpc, "expected 3 fields CP.LocRef.Ext"),
    (
        "urn:epc:id:sgln:0614141.1234.0",
        InvalidEpc,
        "company prefix and location reference have 11 digits together; an SGLN needs 12",
    ),
    ("urn:epc:id:sgln:0614141.12345.", InvalidEpc, "EPC URI: extension is empty"),
    ("urn:epc:id:sgln:0614141.12345.a/b", InvalidEpc, "extension: '/' at position 2 must be"),
    (
        "urn:epc:id:sgln:0614141.12345.ABCDEFGHIJKLMNOPQRSTU",
        InvalidLength,
        "EPC URI: AI (254): 21 characters given, at most 20",
    ),
    ("urn:epc:class:lgtin:0614141.812345.", InvalidEpc, "EPC URI: lot is empty"),
    ("urn:epc:class:lgtin:0614141.812345.L 1", InvalidEpc, "lot: ' ' at position 2 is not in"),
    # Tag URIs: filter values and the numeric serial of SGTIN-96.
    ("urn:epc:tag:sgtin-96:", InvalidEpc, "expected 4 fields F.CP.IR.Serial, got ''"),
    ("urn:epc:tag:sgtin-96:3.0614141.812345", InvalidEpc, "expected 4 fields F.CP.IR.Serial"),
    ("urn:epc:tag:sscc-96:3.0614141", InvalidEpc, "expected 3 fields F.CP.SerialRef"),
    (
        "urn:epc:tag:sgtin-96:8.0614141.812345.6789",
        InvalidEpc,
        "EPC tag URI: filter value '8' is not one digit 0 to 7",
    ),
    ("urn:epc:tag:sgtin-96:03.0614141.812345.6789", InvalidEpc, "filter value '03' is not one"),
    ("urn:epc:tag:sgtin-198:.0614141.812345.A", InvalidEpc, "filter value '' is not one digit"),
    ("urn:epc:tag:sscc-96:x.0614141.1234567890", InvalidEpc, "filter value 'x' is not one digit"),
    (
        "urn:epc:tag:sgtin-96:3.0614141.812345.06789",
        InvalidEpc,
        "EPC tag URI: serial '06789' starts with 0; SGTIN-96 holds only serials of digits",
    ),
    (
        "urn:epc:tag:sgtin-96:3.0614141.812345.274877906944",
        InvalidEpc,
        "serial 274877906944 is too large; SGTIN-96 holds only serials of digits without a "
        "leading zero below 274877906944 (2**38): use SGTIN-198",
    ),
    ("urn:epc:tag:sgtin-96:3.0614141.812345.67a9", InvalidEpc, "serial '67a9' is not all digits"),
    # The TDS writes an SGTIN-96 serial as a plain number: an escaped digit is not one.
    ("urn:epc:tag:sgtin-96:3.0614141.812345.%36", InvalidEpc, "serial '%36' is not all digits"),
    ("urn:epc:tag:sgtin-96:3.0614141.812345.", InvalidEpc, "serial '' is not all digits"),
    ("urn:epc:tag:sgtin-198:3.0614141.812345.", InvalidEpc, "EPC tag URI: serial is empty"),
    (
        "urn:epc:tag:sscc-96:0.952012.0345678912",
        InvalidEpc,
        "serial reference have 16 digits together; an SSCC needs 17",
    ),
    (
        "urn:epc:tag:sgtin-198:3.0614141.812345.ABCDEFGHIJKLMNOPQRSTU",
        InvalidLength,
        "SGTIN-198: AI (21): 21 characters given, at most 20",
    ),
]


def _raises_exactly(
    error: type[InvalidCode], fragment: str, raised: pytest.ExceptionInfo[InvalidCode]
) -> None:
    assert type(raised.value) is error
    assert fragment in str(raised.value)


@pytest.mark.parametrize(("uri", "error", "fragment"), INVALID_URIS)
def test_invalid_epc_uris_are_refused_naming_the_part_and_rule(
    uri: str, error: type[InvalidCode], fragment: str
) -> None:
    with pytest.raises(InvalidCode) as raised:
        parse_epc_uri(uri)
    _raises_exactly(error, fragment, raised)


def test_a_tag_uri_is_needed_where_a_tag_is_asked_for() -> None:
    with pytest.raises(InvalidEpc, match="EPC tag URI: must start with urn:epc:tag:, got"):
        parse_epc_tag_uri("urn:epc:id:sgtin:0614141.812345.6789")


def test_scanning_an_epc_uri_keeps_its_company_prefix_length() -> None:
    scan = parse("urn:epc:id:sgtin:0614141.812345.6789")
    assert (scan.form, scan.elements, scan.company_prefix_length) == (
        ScanForm.EPC_URI,
        (("01", "80614141123458"), ("21", "6789")),
        7,
    )


# --- Element strings to EPC URIs ---------------------------------------------------------------

PURE_IDENTITIES: list[tuple[Elements, int, str]] = [
    ((("01", "80614141123458"), ("21", "6789")), 7, "urn:epc:id:sgtin:0614141.812345.6789"),
    ((("01", "70614141123451"), ("21", "32a/b")), 7, "urn:epc:id:sgtin:0614141.712345.32a%2Fb"),
    (
        (("01", "09506000134352"), ("21", "123456789")),
        11,
        "urn:epc:id:sgtin:95060001343.05.123456789",
    ),
    ((("01", "80614141123458"), ("21", "1")), 6, "urn:epc:id:sgtin:061414.8112345.1"),
    ((("01", "80614141123458"), ("21", "1")), 12, "urn:epc:id:sgtin:061414112345.8.1"),
    # A GTIN-13 and a GTIN-8, padded to 14 digits, with the zeros in the company prefix.
    ((("01", "09506000134352"), ("21", "A")), 7, "urn:epc:id:sgtin:9506000.013435.A"),
    ((("01", "00000095012346"), ("21", "A")), 12, "urn:epc:id:sgtin:000009501234.0.A"),
    # Escaped: exactly the seven characters of TDS Table A-1; no other.
    (
        (("01", "80614141123458"), ("21", "!\"%&'()*+,-./:;<=>?_")),
        7,
        "urn:epc:id:sgtin:0614141.812345.!%22%25%26'()*+,-.%2F:;%3C=%3E%3F_",
    ),
    # Lot and expiry are no part of an SGTIN: they are left aside.
    (
        (("01", "80614141123458"), ("17", "261231"), ("10", "L1"), ("21", "6789")),
        7,
        "urn:epc:id:sgtin:0614141.812345.6789",
    ),
    ((("00", "106141412345678908"),), 7, "urn:epc:id:sscc:0614141.1234567890"),
    ((("00", "095201234567891235"),), 6, "urn:epc:id:sscc:952012.03456789123"),
    ((("00", "106141412345678908"),), 12, "urn:epc:id:sscc:061414123456.17890"),
    ((("414", "0614141123452"),), 7, "urn:epc:id:sgln:0614141.12345.0"),
    ((("414", "9521141123454"), ("254", "5678")), 7, "urn:epc:id:sgln:9521141.12345.5678"),
    ((("414", "9521141123454"), ("254", "32a/b")), 7, "urn:epc:id:sgln:9521141.12345.32a%2Fb"),
    ((("414", "9521141123454"),), 12, "urn:epc:id:sgln:952114112345..0"),
]


@pytest.mark.parametrize(("elements", "prefix_length", "uri"), PURE_IDENTITIES)
def test_element_strings_give_their_pure_identity_uri(
    elements: Elements, prefix_length: int, uri: str
) -> None:
    assert epc_uri([ElementString(*e) for e in elements], prefix_length) == uri


PURE_IDENTITY_REFUSED: list[tuple[Elements, int, type[InvalidCode], str]] = [
    ((), 7, InvalidEpc, "EPC URI: the AIs (none) name no EPC"),
    ((("01", "80614141123458"),), 7, InvalidEpc, "the AIs (01) name no EPC; a pure identity"),
    (
        (("01", "80614141123458"), ("10", "L1")),
        7,
        InvalidEpc,
        "the AIs (01)(10) name no EPC",
    ),
    (
        (("00", "106141412345678908"), ("01", "80614141123458"), ("21", "1")),
        7,
        InvalidEpc,
        "the AIs (00)(01)(21) name more than one EPC",
    ),
    (
        (("01", "80614141123458"), ("21", "1")),
        5,
        InvalidEpc,
        "EPC URI: company prefix length 5 is outside the 6 to 12 digits",
    ),
    ((("00", "106141412345678908"),), 13, InvalidEpc, "company prefix length 13 is outside"),
    (
        (("414", "9521141123454"), ("254", "0")),
        7,
        InvalidEpc,
        "GLN extension (254) '0' has no SGLN: the TDS writes extension 0 for a GLN without",
    ),
    (
        (("01", "80614141123459"), ("21", "1")),
        7,
        InvalidCheckDigit,
        "EPC URI: AI (01): check digit 8 expected, got 9",
    ),
    ((("21", "1"),), 7, InvalidCombination, "EPC URI: AI (21) requires (01), (03) or (8006)"),
    (
        (("01", "80614141123458"), ("21", "a b")),
        7,
        InvalidCharacter,
        "EPC URI: AI (21): ' ' at position 2 is not in GS1 character set 82",
    ),
]


@pytest.mark.parametrize(("elements", "prefix_length", "error", "fragment"), PURE_IDENTITY_REFUSED)
def test_element_strings_without_one_epc_are_refused(
    elements: Elements, prefix_length: int, error: type[InvalidCode], fragment: str
) -> None:
    with pytest.raises(InvalidCode) as raised:
        epc_uri([ElementString(*e) for e in elements], prefix_length)
    _raises_exactly(error, fragment, raised)


@pytest.mark.parametrize(
    ("elements", "prefix_length", "uri"),
    [
        (
            (("01", "04012345123456"), ("10", "998877")),
            7,
            "urn:epc:class:lgtin:4012345.012345.998877",
        ),
        (
            (("01", "80614141123458"), ("17", "261231"), ("10", "L/1"), ("21", "6789")),
            7,
            "urn:epc:class:lgtin:0614141.812345.L%2F1",
        ),
    ],
)
def test_a_lot_gives_its_epc_class_uri(elements: Elements, prefix_length: int, uri: str) -> None:
    assert epc_class_uri([ElementString(*e) for e in elements], prefix_length) == uri


@pytest.mark.parametrize(
    ("elements", "prefix_length", "fragment"),
    [
        (
            (("01", "80614141123458"), ("21", "1")),
            7,
            "EPC class URI: an LGTIN needs a GTIN (01) and a lot (10), got (01)(21)",
        ),
        ((("01", "80614141123458"), ("10", "L1")), 4, "company prefix length 4 is outside"),
    ],
)
def test_a_class_uri_needs_a_gtin_and_a_lot(
    elements: Elements, prefix_length: int, fragment: str
) -> None:
    with pytest.raises(InvalidEpc, match=re.escape(fragment)):
        epc_class_uri([ElementString(*e) for e in elements], prefix_length)


# --- Tag encodings -----------------------------------------------------------------------------

TAGS: list[tuple[str, EpcTag, str, str]] = [
    # TDS Appendix E: the worked SGTIN-96 example.
    (
        "3074257BF7194E4000001A85",
        EpcTag(
            SGTIN_96, 3, 7, (ElementString("01", "80614141123458"), ElementString("21", "6789"))
        ),
        "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        "urn:epc:id:sgtin:0614141.812345.6789",
    ),
    # TDS 2.3 E.3: SGTIN-96, SGTIN-198 (198 bits padded to 13 words) and SSCC-96.
    (
        "3066C4409047E140075BCD15",
        EpcTag(
            SGTIN_96,
            3,
            11,
            (ElementString("01", "09506000134352"), ElementString("21", "123456789")),
        ),
        "urn:epc:tag:sgtin-96:3.95060001343.05.123456789",
        "urn:epc:id:sgtin:95060001343.05.123456789",
    ),
    (
        "3666C4409047E159B2C2BF100000000000000000000000000000",
        EpcTag(
            SGTIN_198, 3, 11, (ElementString("01", "09506000134352"), ElementString("21", "32a/b"))
        ),
        "urn:epc:tag:sgtin-198:3.95060001343.05.32a%2Fb",
        "urn:epc:id:sgtin:95060001343.05.32a%2Fb",
    ),
    (
        "311BA1B300CE0A6A83000000",
        EpcTag(SSCC_96, 0, 6, (ElementString("00", "095201234567891235"),)),
        "urn:epc:tag:sscc-96:0.952012.03456789123",
        "urn:epc:id:sscc:952012.03456789123",
    ),
    # Every SGTIN partition, 6 (company prefix of 6 digits) to 0 (12 digits).
    *(
        (
            hex_text,
            EpcTag(
                SGTIN_96,
                1,
                length,
                (ElementString("01", "80614141123458"), ElementString("21", "1")),
            ),
            tag_uri,
            tag_uri.replace("tag:sgtin-96:1.", "id:sgtin:"),
        )
        for hex_text, length, tag_uri in [
            ("30383BF99EF2364000000001", 6, "urn:epc:tag:sgtin-96:1.061414.8112345.1"),
            ("3034257BF7194E4000000001", 7, "urn:epc:tag:sgtin-96:1.0614141.812345.1"),
            ("30302EDAF1D06A4000000001", 8, "urn:epc:tag:sgtin-96:1.06141411.82345.1"),
            ("302C3A91AE08264000000001", 9, "urn:epc:tag:sgtin-96:1.061414112.8345.1"),
            ("3028249B0CC3D34000000001", 10, "urn:epc:tag:sgtin-96:1.0614141123.845.1"),
            ("30242DC1CFF4554000000001", 11, "urn:epc:tag:sgtin-96:1.06141411234.85.1"),
            ("3020393243F1660000000001", 12, "urn:epc:tag:sgtin-96:1.061414112345.8.1"),
        ]
    ),
    # The serial field's extremes: 0 and 2**38 - 1.
    (
        "30F83BF99EF2367FFFFFFFFF",
        EpcTag(
            SGTIN_96,
            7,
            6,
            (ElementString("01", "80614141123458"), ElementString("21", "274877906943")),
        ),
        "urn:epc:tag:sgtin-96:7.061414.8112345.274877906943",
        "urn:epc:id:sgtin:061414.8112345.274877906943",
    ),
    (
        "30E0393243F1660000000000",
        EpcTag(SGTIN_96, 7, 12, (ElementString("01", "80614141123458"), ElementString("21", "0"))),
        "urn:epc:tag:sgtin-96:7.061414112345.8.0",
        "urn:epc:id:sgtin:061414112345.8.0",
    ),
    # SGTIN-198: 20 characters fill the serial field; a leading zero is kept.
    (
        "3600393243F16620C287122C68F224CA97326CE9F428D2A75000",
        EpcTag(
            SGTIN_198,
            0,
            12,
            (ElementString("01", "80614141123458"), ElementString("21", "ABCDEFGHIJKLMNOPQRST")),
        ),
        "urn:epc:tag:sgtin-198:0.061414112345.8.ABCDEFGHIJKLMNOPQRST",
        "urn:epc:id:sgtin:061414112345.8.ABCDEFGHIJKLMNOPQRST",
    ),
    (
        "3634257BF7194E583164CC000000000000000000000000000000",
        EpcTag(
            SGTIN_198, 1, 7, (ElementString("01", "80614141123458"), ElementString("21", "0123"))
        ),
        "urn:epc:tag:sgtin-198:1.0614141.812345.0123",
        "urn:epc:id:sgtin:0614141.812345.0123",
    ),
    (
        "3634257BF7194E50A24A993A852A95AC5AB97BA76F1EBE7F7C00",
        EpcTag(
            SGTIN_198,
            1,
            7,
            (ElementString("01", "80614141123458"), ElementString("21", "!\"%&'()*+,-./:;<=>?_")),
        ),
        "urn:epc:tag:sgtin-198:1.0614141.812345.!%22%25%26'()*+,-.%2F:;%3C=%3E%3F_",
        "urn:epc:id:sgtin:0614141.812345.!%22%25%26'()*+,-.%2F:;%3C=%3E%3F_",
    ),
    # SSCC-96: the TDS section 7.2 SSCC in partitions 5 and 0, and one of all zeros.
    (
        "3174257BF4499602D2000000",
        EpcTag(SSCC_96, 3, 7, (ElementString("00", "106141412345678908"),)),
        "urn:epc:tag:sscc-96:3.0614141.1234567890",
        "urn:epc:id:sscc:0614141.1234567890",
    ),
    (
        "31003932449F0045E2000000",
        EpcTag(SSCC_96, 0, 12, (ElementString("00", "106141412345678908"),)),
        "urn:epc:tag:sscc-96:0.061414123456.17890",
        "urn:epc:id:sscc:061414123456.17890",
    ),
    (
        "311400000000000000000000",
        EpcTag(SSCC_96, 0, 7, (ElementString("00", "000000000000000000"),)),
        "urn:epc:tag:sscc-96:0.0000000.0000000000",
        "urn:epc:id:sscc:0000000.0000000000",
    ),
]


@pytest.mark.parametrize(("hex_text", "tag", "tag_uri", "pure_identity_uri"), TAGS)
def test_hex_decodes_to_the_tag_and_its_uris(
    hex_text: str, tag: EpcTag, tag_uri: str, pure_identity_uri: str
) -> None:
    decoded = decode_epc_hex(hex_text)
    assert (decoded, decoded.tag_uri, decoded.pure_identity_uri) == (
        tag,
        tag_uri,
        pure_identity_uri,
    )


@pytest.mark.parametrize(("hex_text", "tag", "tag_uri", "pure_identity_uri"), TAGS)
def test_tag_uris_encode_to_the_hex(
    hex_text: str, tag: EpcTag, tag_uri: str, pure_identity_uri: str
) -> None:
    parsed = parse_epc_tag_uri(tag_uri)
    assert (parsed, parsed.hex()) == (tag, hex_text)


def test_hex_is_read_in_either_case_and_written_in_upper_case() -> None:
    tag = decode_epc_hex("3074257bf7194e4000001a85")
    assert (tag.tag_uri, tag.hex()) == (
        "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        "3074257BF7194E4000001A85",
    )


ENCODINGS: list[tuple[str, str]] = [
    (
        encode_sgtin96(Gtin("80614141123458"), "6789", 7, filter_value=3),
        "3074257BF7194E4000001A85",
    ),
    (
        encode_sgtin96(Gtin("09506000134352"), "123456789", 11, filter_value=3),
        "3066C4409047E140075BCD15",
    ),
    # Default filter value 1: point-of-sale trade item.
    (encode_sgtin96(Gtin("80614141123458"), "1", 7), "3034257BF7194E4000000001"),
    (
        encode_sgtin198(Gtin("09506000134352"), "32a/b", 11, filter_value=3),
        "3666C4409047E159B2C2BF100000000000000000000000000000",
    ),
    (
        encode_sgtin198(Gtin("80614141123458"), "0123", 7),
        "3634257BF7194E583164CC000000000000000000000000000000",
    ),
    # Default filter value 0: all others.
    (encode_sscc96(Sscc("095201234567891235"), 6), "311BA1B300CE0A6A83000000"),
    (encode_sscc96(Sscc("106141412345678908"), 7, filter_value=3), "3174257BF4499602D2000000"),
]


@pytest.mark.parametrize(("encoded", "expected"), ENCODINGS)
def test_encoders_give_the_tds_hex(encoded: str, expected: str) -> None:
    assert encoded == expected


def _fields_as_hex(fields: list[tuple[int, int]], hex_digits: int) -> str:
    """Hand-built tag contents: ``(value, bits)`` fields, zero bits after them."""
    value = 0
    width = 0
    for field, bits in fields:
        value = (value << bits) | field
        width += bits
    return f"{value << (hex_digits * 4 - width):0{hex_digits}X}"


def _seven_bit(codes: list[int]) -> int:
    value = 0
    for code in codes:
        value = (value << 7) | code
    return value << (7 * (20 - len(codes)))


INVALID_HEX: list[tuple[str, str]] = [
    ("", "EPC hex: empty"),
    ("3", "EPC hex: '3' is shorter than the 8-bit header"),
    ("3074257BF7194E4000001A8G", "EPC hex: 'G' at position 24 is not a hex digit"),
    (" 3074257BF7194E4000001A85", "' ' at position 1 is not a hex digit"),
    ("0x3074257BF7194E4000001A85", "'x' at position 2 is not a hex digit"),
    ("3074257BF7194E4000001A8", "EPC hex: SGTIN-96 takes 24 hex digits (96 bits in whole 16-bit"),
    ("3074257BF7194E4000001A8500", "SGTIN-96 takes 24 hex digits (96 bits in whole 16-bit words)"),
    # SGTIN-198 byte-aligned (25 bytes) instead of in whole 16-bit words as the tag holds it.
    ("3666C4409047E159B2C2BF1000000000000000000000000000", "SGTIN-198 takes 52 hex digits"),
    ("311BA1B300CE0A6A8300000000", "SSCC-96 takes 24 hex digits"),
    # Headers of schemes unitrace does not read: SGLN-96, GID-96, SGTIN+ (TDS 2.x) and none.
    ("3274257BF7194E4000001A85", "EPC hex: header 0x32 is not one unitrace reads"),
    ("3574257BF7194E4000001A85", "header 0x35 is not one unitrace reads (SGTIN-96 0x30, SGTIN-198"),
    ("F73095212341234538566CB0AFC4", "header 0xF7 is not one unitrace reads"),
    ("000000000000000000000000", "header 0x00 is not one unitrace reads"),
    (
        _fields_as_hex([(0x30, 8), (3, 3), (7, 3)], 24),
        "EPC hex: partition 7 is not in the SGTIN partition table (0 to 6)",
    ),
    (
        _fields_as_hex([(0x36, 8), (3, 3), (7, 3)], 52),
        "partition 7 is not in the SGTIN partition table",
    ),
    (_fields_as_hex([(0x31, 8), (0, 3), (7, 3)], 24), "partition 7 is not in the SSCC partition"),
    # Fields holding more digits than their partition gives them.
    (
        _fields_as_hex([(0x30, 8), (1, 3), (6, 3), (1_000_000, 20), (0, 24), (1, 38)], 24),
        "EPC hex: company prefix field 1000000 has more than the 6 digits partition 6 gives it",
    ),
    (
        _fields_as_hex([(0x30, 8), (1, 3), (0, 3), (614141123456, 40), (10, 4), (1, 38)], 24),
        "item reference field 10 has more than the 1 digits partition 0 gives it",
    ),
    (
        _fields_as_hex([(0x31, 8), (0, 3), (6, 3), (952012, 20), (10**11, 38)], 24),
        "serial reference field 100000000000 has more than the 11 digits partition 6 gives it",
    ),
    # SSCC-96's 24 reserved bits must be 0.
    ("311BA1B300CE0A6A83000001", "the 24 reserved bits of SSCC-96 must be 0"),
    # SGTIN-198 serials: empty, characters after the end, characters outside set 82.
    (
        _fields_as_hex([(0x36, 8), (3, 3), (5, 3), (614141, 24), (812345, 20)], 52),
        "EPC hex: SGTIN-198 serial is empty",
    ),
    (
        _fields_as_hex(
            [(0x36, 8), (3, 3), (5, 3), (614141, 24), (812345, 20), (_seven_bit([65, 0, 66]), 140)],
            52,
        ),
        "SGTIN-198 serial has characters after its end (a zero code at character 2)",
    ),
    (
        _fields_as_hex(
            [(0x36, 8), (3, 3), (5, 3), (614141, 24), (812345, 20), (_seven_bit([65, 32]), 140)],
            52,
        ),
        "SGTIN-198 serial character 2 (code 0x20) is not in GS1 character set 82",
    ),
    (
        _fields_as_hex(
            [(0x36, 8), (3, 3), (5, 3), (614141, 24), (812345, 20), (_seven_bit([0x7F]), 140)],
            52,
        ),
        "SGTIN-198 serial character 1 (code 0x7F) is not in GS1 character set 82",
    ),
    # The 10 bits that pad SGTIN-198 to 13 words must be 0.
    (
        "3666C4409047E159B2C2BF100000000000000000000000000001",
        "EPC hex: the padding bits after the 198 bits of SGTIN-198 must be 0",
    ),
]


@pytest.mark.parametrize(("hex_text", "fragment"), INVALID_HEX)
def test_invalid_hex_is_refused_naming_the_part_and_rule(hex_text: str, fragment: str) -> None:
    with pytest.raises(InvalidCode) as raised:
        decode_epc_hex(hex_text)
    _raises_exactly(InvalidEpc, fragment, raised)


GTIN = Gtin("80614141123458")

ENCODING_REFUSED: list[tuple[str, tuple[object, ...], type[InvalidCode], str]] = [
    (
        "sgtin96",
        (GTIN, "A1", 7),
        InvalidEpc,
        "SGTIN-96: serial 'A1' is not all digits; SGTIN-96 holds only serials of digits "
        "without a leading zero below 274877906944 (2**38): use SGTIN-198",
    ),
    ("sgtin96", (GTIN, "0123", 7), InvalidEpc, "SGTIN-96: serial '0123' starts with 0; SGTIN-96"),
    ("sgtin96", (GTIN, "00", 7), InvalidEpc, "serial '00' starts with 0"),
    ("sgtin96", (GTIN, "274877906944", 7), InvalidEpc, "serial 274877906944 is too large; SG"),
    ("sgtin96", (GTIN, "99999999999999999999", 7), InvalidEpc, "is too large; SGTIN-96 holds"),
    ("sgtin96", (GTIN, "", 7), InvalidLength, "SGTIN-96: AI (21): empty value"),
    ("sgtin96", (GTIN, "1", 7, 8), InvalidEpc, "SGTIN-96: filter value 8 is not one of 0 to 7"),
    ("sgtin96", (GTIN, "1", 7, -1), InvalidEpc, "SGTIN-96: filter value -1 is not one of 0 to 7"),
    (
        "sgtin96",
        (GTIN, "1", 5),
        InvalidEpc,
        "SGTIN-96: company prefix length 5 is outside the 6 to 12 digits the TDS provides for",
    ),
    ("sgtin96", (GTIN, "1", 13), InvalidEpc, "SGTIN-96: company prefix length 13 is outside"),
    (
        "sgtin198",
        (GTIN, "ABCDEFGHIJKLMNOPQRSTU", 7),
        InvalidLength,
        "SGTIN-198: AI (21): 21 characters given, at most 20",
    ),
    (
        "sgtin198",
        (GTIN, "A B", 7),
        InvalidCharacter,
        "SGTIN-198: AI (21): ' ' at position 2 is not in GS1 character set 82",
    ),
    ("sgtin198", (GTIN, "caf\u00e9", 7), InvalidCharacter, "'\u00e9' at position 4 is not in GS1"),
    ("sgtin198", (GTIN, "", 7), InvalidLength, "SGTIN-198: AI (21): empty value"),
    ("sgtin198", (GTIN, "A", 7, 9), InvalidEpc, "SGTIN-198: filter value 9 is not one of 0 to 7"),
    ("sgtin198", (GTIN, "A", 0), InvalidEpc, "SGTIN-198: company prefix length 0 is outside"),
    (
        "sscc96",
        (Sscc("106141412345678908"), 7, 8),
        InvalidEpc,
        "SSCC-96: filter value 8 is not one of 0 to 7",
    ),
    ("sscc96", (Sscc("106141412345678908"), 13), InvalidEpc, "SSCC-96: company prefix length 13"),
]

ENCODERS = {"sgtin96": encode_sgtin96, "sgtin198": encode_sgtin198, "sscc96": encode_sscc96}


@pytest.mark.parametrize(("encoder", "arguments", "error", "fragment"), ENCODING_REFUSED)
def test_encoders_refuse_what_the_scheme_cannot_hold(
    encoder: str, arguments: tuple[object, ...], error: type[InvalidCode], fragment: str
) -> None:
    with pytest.raises(InvalidCode) as raised:
        ENCODERS[encoder](*arguments)  # type: ignore[operator]
    _raises_exactly(error, fragment, raised)


@pytest.mark.parametrize(
    ("scheme", "elements", "fragment"),
    [
        (SSCC_96, (("01", "80614141123458"), ("21", "1")), "SSCC-96: holds the AIs (00), got (01)"),
        (SGTIN_96, (("00", "106141412345678908"),), "SGTIN-96: holds the AIs (01)(21), got (00)"),
        (
            SGTIN_198,
            (("21", "1"), ("01", "80614141123458")),
            "holds the AIs (01)(21), got (21)(01)",
        ),
        (SGTIN_198, (("01", "80614141123458"),), "SGTIN-198: holds the AIs (01)(21), got (01)"),
    ],
)
def test_a_tag_holds_exactly_the_elements_of_its_scheme(
    scheme: TagScheme, elements: Elements, fragment: str
) -> None:
    with pytest.raises(InvalidEpc, match=re.escape(fragment)):
        EpcTag(scheme, 0, 7, tuple(ElementString(*e) for e in elements))


# --- Round trips -------------------------------------------------------------------------------


def _with_check_digit(payload: str) -> str:
    return payload + gs1_check_digit(payload)


gtins = st.text("0123456789", min_size=13, max_size=13).map(_with_check_digit)
ssccs = st.text("0123456789", min_size=17, max_size=17).map(_with_check_digit)
glns = st.text("0123456789", min_size=12, max_size=12).map(_with_check_digit)
prefix_lengths = st.integers(6, 12)
filter_values = st.integers(0, 7)
numeric_serials = st.integers(0, 2**38 - 1).map(str)
cset82_texts = st.text(CSET82, min_size=1, max_size=20)


@given(gtins, cset82_texts, prefix_lengths)
def test_sgtin_pure_identity_uri_round_trips(gtin: str, serial: str, prefix_length: int) -> None:
    elements = (ElementString("01", gtin), ElementString("21", serial))
    assert parse_epc_uri(epc_uri(elements, prefix_length)) == (elements, prefix_length)


@given(gtins, cset82_texts, prefix_lengths)
def test_lgtin_class_uri_round_trips(gtin: str, lot: str, prefix_length: int) -> None:
    elements = (ElementString("01", gtin), ElementString("10", lot))
    assert parse_epc_uri(epc_class_uri(elements, prefix_length)) == (elements, prefix_length)


@given(ssccs, prefix_lengths)
def test_sscc_pure_identity_uri_round_trips(sscc: str, prefix_length: int) -> None:
    elements = (ElementString("00", sscc),)
    assert parse_epc_uri(epc_uri(elements, prefix_length)) == (elements, prefix_length)


@given(glns, st.none() | cset82_texts.filter(lambda text: text != "0"), prefix_lengths)
def test_sgln_pure_identity_uri_round_trips(
    gln: str, extension: str | None, prefix_length: int
) -> None:
    elements: tuple[ElementString, ...] = (ElementString("414", gln),)
    if extension is not None:
        elements += (ElementString("254", extension),)
    assert parse_epc_uri(epc_uri(elements, prefix_length)) == (elements, prefix_length)


def _assert_tag_round_trips(hex_text: str, expected: EpcTag) -> None:
    decoded = decode_epc_hex(hex_text)
    assert decoded == expected
    assert decoded.hex() == hex_text
    assert parse_epc_tag_uri(decoded.tag_uri) == expected
    assert parse_epc_uri(decoded.tag_uri) == (expected.elements, expected.company_prefix_length)
    assert parse_epc_uri(decoded.pure_identity_uri) == (
        expected.elements,
        expected.company_prefix_length,
    )


@given(gtins, numeric_serials, prefix_lengths, filter_values)
def test_sgtin96_round_trips(gtin: str, serial: str, prefix_length: int, filter_value: int) -> None:
    hex_text = encode_sgtin96(Gtin(gtin), serial, prefix_length, filter_value)
    assert len(hex_text) == 24
    elements = (ElementString("01", gtin), ElementString("21", serial))
    _assert_tag_round_trips(hex_text, EpcTag(SGTIN_96, filter_value, prefix_length, elements))


@given(numeric_serials | cset82_texts | st.text(max_size=14) | st.integers(0, 10**13).map(str))
def test_fits_sgtin96_says_whether_sgtin96_takes_a_serial(serial: str) -> None:
    try:
        encode_sgtin96(GTIN, serial, 7)
    except InvalidCode:
        assert not fits_sgtin96(serial)
    else:
        assert fits_sgtin96(serial)


@given(gtins, cset82_texts, prefix_lengths, filter_values)
def test_sgtin198_round_trips(
    gtin: str, serial: str, prefix_length: int, filter_value: int
) -> None:
    hex_text = encode_sgtin198(Gtin(gtin), serial, prefix_length, filter_value)
    assert len(hex_text) == 52
    elements = (ElementString("01", gtin), ElementString("21", serial))
    _assert_tag_round_trips(hex_text, EpcTag(SGTIN_198, filter_value, prefix_length, elements))


@given(ssccs, prefix_lengths, filter_values)
def test_sscc96_round_trips(sscc: str, prefix_length: int, filter_value: int) -> None:
    hex_text = encode_sscc96(Sscc(sscc), prefix_length, filter_value)
    assert len(hex_text) == 24
    elements = (ElementString("00", sscc),)
    _assert_tag_round_trips(hex_text, EpcTag(SSCC_96, filter_value, prefix_length, elements))


@given(st.sampled_from([(0x30, 24), (0x31, 24), (0x36, 52)]), st.data())
def test_any_tag_contents_decode_canonically_or_are_refused(
    header_and_length: tuple[int, int], data: st.DataObject
) -> None:
    """What a reader reports is untrusted: it decodes to a tag that encodes back to the same
    hex, or it is refused with InvalidEpc; nothing else."""
    header, hex_digits = header_and_length
    rest = data.draw(st.integers(0, 2 ** (hex_digits * 4 - 8) - 1))
    hex_text = f"{header:02X}{rest:0{hex_digits - 2}X}"
    try:
        tag = decode_epc_hex(hex_text)
    except InvalidEpc:
        return
    assert tag.hex() == hex_text


@given(st.text(max_size=60) | st.text(max_size=60).map("urn:epc:id:sgtin:0614141.812345.".__add__))
def test_any_text_parses_or_is_refused_as_an_invalid_code(text: str) -> None:
    try:
        elements, prefix_length = parse_epc_uri(text)
    except InvalidCode:
        return
    assert prefix_length in range(6, 13)
    assert elements
