"""EPC Tag Data Standard (TDS 2.x): EPC URIs and the RFID tag encodings of units, cases,
pallets and places.

An EPC names one object: a trade item unit (SGTIN: GTIN + serial), a logistic unit (SSCC) or
a location (SGLN: GLN + extension). unitrace reads and writes it in these forms:

- the pure-identity URI used in EPCIS events, ``urn:epc:id:sgtin:0614141.812345.6789``;
- the class URI of a lot, ``urn:epc:class:lgtin:0614141.812345.LOT1``;
- the tag URI, which adds the binary scheme and the filter value,
  ``urn:epc:tag:sgtin-96:3.0614141.812345.6789``;
- the binary encoding an RFID reader reports from the tag's EPC memory bank, as upper-case hex,
  ``3074257BF7194E4000001A85`` (SGTIN-96, SGTIN-198 and SSCC-96).

The URIs mark the end of the GS1 company prefix with a dot and the binary encodings carry its
length in the partition field; element strings do not, so turning AIs into an EPC needs the
company prefix length.

>>> from unitrace.gs1.hri import format_hri
>>> elements, prefix_length = parse_epc_uri("urn:epc:id:sgtin:0614141.812345.6789")
>>> format_hri(elements), prefix_length
('(01)80614141123458(21)6789', 7)
>>> encode_sgtin96(Gtin("80614141123458"), "6789", 7, filter_value=3)
'3074257BF7194E4000001A85'
>>> decode_epc_hex("3074257BF7194E4000001A85").tag_uri
'urn:epc:tag:sgtin-96:3.0614141.812345.6789'

Case: ``urn`` and the namespace ``epc`` are case-insensitive (RFC 8141), so ``URN:EPC:id:…``
is read; everything after ``urn:epc:`` is case-sensitive and written in lower case as the TDS
grammar has it (``id``, ``sgtin``, ``sgtin-96``). The two hex digits of a percent escape may be
of either case (RFC 3986); unitrace writes them in upper case as TDS Table A-1 does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.gs1.elements import ElementString, validate_elements
from unitrace.gs1.errors import InvalidCode, InvalidEpc
from unitrace.gs1.keys import Gtin, Sscc

#: The GS1 company prefix lengths the TDS partition tables provide for.
COMPANY_PREFIX_LENGTHS = range(6, 13)

#: The filter values of a tag URI and of the binary encodings (3 bits).
FILTER_VALUES = range(8)

#: The largest serial SGTIN-96 holds: its serial field is a 38-bit integer.
SGTIN96_SERIAL_LIMIT = 2**38


class TagScheme(StrEnum):
    """The EPC binary coding schemes unitrace reads and writes, named as in the tag URI."""

    SGTIN_96 = "sgtin-96"
    SGTIN_198 = "sgtin-198"
    SSCC_96 = "sscc-96"


@dataclass(frozen=True, slots=True)
class Partition:
    """One row of a TDS partition table: how the bits and digits after the filter value are
    shared between the GS1 company prefix and the reference that follows it (the indicator
    digit and item reference of an SGTIN, the extension digit and serial reference of an SSCC).
    """

    value: int
    company_prefix_bits: int
    company_prefix_digits: int
    reference_bits: int
    reference_digits: int


#: TDS Table 14-2, the SGTIN partition table.
SGTIN_PARTITIONS = (
    Partition(0, 40, 12, 4, 1),
    Partition(1, 37, 11, 7, 2),
    Partition(2, 34, 10, 10, 3),
    Partition(3, 30, 9, 14, 4),
    Partition(4, 27, 8, 17, 5),
    Partition(5, 24, 7, 20, 6),
    Partition(6, 20, 6, 24, 7),
)

#: TDS Table 14-3, the SSCC partition table.
SSCC_PARTITIONS = (
    Partition(0, 40, 12, 18, 5),
    Partition(1, 37, 11, 21, 6),
    Partition(2, 34, 10, 24, 7),
    Partition(3, 30, 9, 28, 8),
    Partition(4, 27, 8, 31, 9),
    Partition(5, 24, 7, 34, 10),
    Partition(6, 20, 6, 38, 11),
)


@dataclass(frozen=True, slots=True)
class _Coding:
    """The fixed layout of one binary coding scheme."""

    header: int
    bits: int
    partitions: tuple[Partition, ...]
    key: str

    @property
    def hex_length(self) -> int:
        """Hex digits of the encoding as the EPC memory bank holds it: whole 16-bit words."""
        return -(-self.bits // 16) * 4

    def partition(self, company_prefix_length: int) -> Partition:
        return next(p for p in self.partitions if p.company_prefix_digits == company_prefix_length)


# TDS Table 14-1 (headers) and the coding tables of sections 14.5.1 and 14.5.2.
_CODINGS = {
    TagScheme.SGTIN_96: _Coding(0x30, 96, SGTIN_PARTITIONS, "SGTIN"),
    TagScheme.SGTIN_198: _Coding(0x36, 198, SGTIN_PARTITIONS, "SGTIN"),
    TagScheme.SSCC_96: _Coding(0x31, 96, SSCC_PARTITIONS, "SSCC"),
}
_SCHEME_BY_HEADER = {coding.header: scheme for scheme, coding in _CODINGS.items()}

# SGTIN-96 and SGTIN-198 share everything up to the serial: 8 + 3 + 3 + 44 bits.
_SERIAL_START = 58
_SGTIN198_SERIAL_CHARACTERS = 20
_SSCC96_RESERVED_BITS = 24

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
_CSET82 = _URI_LITERALS | _URI_ESCAPES.keys()
_HEX_DIGITS = frozenset("0123456789ABCDEFabcdef")
_DECIMAL_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class EpcTag:
    """What an RFID tag's EPC memory bank holds: an EPC in one binary coding scheme, with the
    filter value readers use to select tags (for an SGTIN: 1 point-of-sale item, 2 full case,
    6 unit load, …; 0 "all others") and the company prefix length the partition field gives.

    >>> tag = decode_epc_hex("3066C4409047E140075BCD15")
    >>> tag.scheme, tag.filter_value, tag.company_prefix_length
    (<TagScheme.SGTIN_96: 'sgtin-96'>, 3, 11)
    >>> tag.pure_identity_uri
    'urn:epc:id:sgtin:95060001343.05.123456789'
    >>> tag.hex()
    '3066C4409047E140075BCD15'
    """

    scheme: TagScheme
    filter_value: int
    company_prefix_length: int
    #: ``(01)`` and ``(21)`` for an SGTIN scheme, ``(00)`` for SSCC-96.
    elements: tuple[ElementString, ...]

    def __post_init__(self) -> None:
        name = self.scheme.upper()
        if self.filter_value not in FILTER_VALUES:
            raise InvalidEpc(f"{name}: filter value {self.filter_value} is not one of 0 to 7")
        _check_company_prefix_length(self.company_prefix_length, name)
        expected = ("00",) if self.scheme is TagScheme.SSCC_96 else ("01", "21")
        present = tuple(ai for ai, _ in self.elements)
        if present != expected:
            raise InvalidEpc(f"{name}: holds the AIs {_ai_list(expected)}, got {_ai_list(present)}")
        _validate(self.elements, name)
        if self.scheme is TagScheme.SGTIN_96:
            _check_sgtin96_serial(self.elements[1].value, name)

    @property
    def pure_identity_uri(self) -> str:
        """The EPC without its tag encoding, as EPCIS events name the object."""
        return epc_uri(self.elements, self.company_prefix_length)

    @property
    def tag_uri(self) -> str:
        """The EPC with its binary scheme and filter value, ``urn:epc:tag:<scheme>:F.…``."""
        company_prefix, reference = self._key_fields()
        fields = [str(self.filter_value), company_prefix, reference]
        if self.scheme is not TagScheme.SSCC_96:
            fields.append(_escape(self.elements[1].value))
        return f"urn:epc:tag:{self.scheme}:" + ".".join(fields)

    def hex(self) -> str:
        """The binary encoding as upper-case hex, zero-padded to whole 16-bit words as it is
        written to the EPC memory bank (SGTIN-198: 198 bits in 13 words, 52 hex digits)."""
        coding = _CODINGS[self.scheme]
        partition = coding.partition(self.company_prefix_length)
        company_prefix, reference = self._key_fields()
        fields = [
            (coding.header, 8),
            (self.filter_value, 3),
            (partition.value, 3),
            (int(company_prefix), partition.company_prefix_bits),
            (int(reference), partition.reference_bits),
        ]
        if self.scheme is TagScheme.SGTIN_96:
            fields.append((int(self.elements[1].value), 38))
        elif self.scheme is TagScheme.SGTIN_198:
            fields.append(_seven_bit_field(self.elements[1].value))
        else:
            fields.append((0, _SSCC96_RESERVED_BITS))
        return _words_as_hex(fields)

    def _key_fields(self) -> tuple[str, str]:
        key = self.elements[0].value
        if self.scheme is TagScheme.SSCC_96:
            return _sscc_fields(key, self.company_prefix_length)
        return _sgtin_fields(key, self.company_prefix_length)


# --- EPC URIs -------------------------------------------------------------------------------


def parse_epc_uri(uri: str) -> tuple[tuple[ElementString, ...], int]:
    """The element strings an EPC URI names, and its company prefix length (the digits before
    the first dot).

    Reads pure-identity URIs (``urn:epc:id:sgtin``, ``sscc``, ``sgln``), the lot class URI
    (``urn:epc:class:lgtin``) and tag URIs (``urn:epc:tag:sgtin-96``, ``sgtin-198``,
    ``sscc-96``; their filter value is checked and left aside). Percent escapes are decoded;
    every element string is checked against its AI's rules.

    >>> from unitrace.gs1.hri import format_hri
    >>> elements, prefix_length = parse_epc_uri("urn:epc:id:sgln:0614141.12345.32a%2Fb")
    >>> format_hri(elements), prefix_length
    ('(414)0614141123452(254)32a/b', 7)
    >>> parse_epc_uri("urn:epc:id:sgtin:0614141.812345.a/b")
    Traceback (most recent call last):
    ...
    unitrace.gs1.errors.InvalidEpc: EPC URI: serial: '/' at position 2 must be written %2F
    """
    kind, scheme, body = _split_urn(uri)
    if kind == "tag":
        tag = _tag_from_uri(scheme, body)
        return tag.elements, tag.company_prefix_length
    where = "EPC URI"
    if (kind, scheme) == ("id", "sgtin"):
        company_prefix, item_reference, serial = _fields(body, 3, "CP.IR.Serial", where)
        elements = [
            ElementString("01", _gtin(company_prefix, item_reference, where)),
            ElementString("21", _unescape(serial, "serial", where)),
        ]
    elif (kind, scheme) == ("class", "lgtin"):
        company_prefix, item_reference, lot = _fields(body, 3, "CP.IR.Lot", where)
        elements = [
            ElementString("01", _gtin(company_prefix, item_reference, where)),
            ElementString("10", _unescape(lot, "lot", where)),
        ]
    elif (kind, scheme) == ("id", "sscc"):
        company_prefix, serial_reference = _fields(body, 2, "CP.SerialRef", where)
        elements = [ElementString("00", _sscc(company_prefix, serial_reference, where))]
    else:  # ("id", "sgln"), the only scheme _split_urn lets through besides those above
        company_prefix, location_reference, extension = _fields(body, 3, "CP.LocRef.Ext", where)
        elements = [ElementString("414", _gln(company_prefix, location_reference, where))]
        decoded = _unescape(extension, "extension", where)
        # TDS: extension 0 stands for a GLN without extension, which (254) cannot express.
        if decoded != "0":
            elements.append(ElementString("254", decoded))
    return _validate(elements, where), len(company_prefix)


def parse_epc_tag_uri(uri: str) -> EpcTag:
    """The tag an EPC tag URI describes, ready to encode.

    >>> parse_epc_tag_uri("urn:epc:tag:sscc-96:0.952012.03456789123").hex()
    '311BA1B300CE0A6A83000000'
    """
    kind, scheme, body = _split_urn(uri)
    if kind != "tag":
        raise InvalidEpc(f"EPC tag URI: must start with urn:epc:tag:, got {uri[:40]!r}")
    return _tag_from_uri(scheme, body)


def epc_uri(elements: Sequence[ElementString], company_prefix_length: int) -> str:
    """The pure-identity EPC URI of the object ``elements`` name: an SGTIN for a GTIN (01)
    with a serial (21), an SSCC (00), or an SGLN for a GLN (414) with its extension (254)
    where there is one. AIs that are not part of the EPC, such as lot and expiry, are left
    aside, as the TDS conversion from element strings does.

    >>> epc_uri([ElementString("01", "70614141123451"), ElementString("21", "32a/b")], 7)
    'urn:epc:id:sgtin:0614141.712345.32a%2Fb'
    >>> epc_uri([ElementString("00", "106141412345678908")], 7)
    'urn:epc:id:sscc:0614141.1234567890'
    """
    where = "EPC URI"
    values = dict(_validate(elements, where))
    _check_company_prefix_length(company_prefix_length, where)
    named = [
        scheme
        for scheme, present in (
            ("sgtin", "01" in values and "21" in values),
            ("sscc", "00" in values),
            ("sgln", "414" in values),
        )
        if present
    ]
    if not named:
        raise InvalidEpc(
            f"{where}: the AIs {_ai_list(values)} name no EPC; a pure identity needs a GTIN (01) "
            "with a serial (21), an SSCC (00) or a GLN (414)"
        )
    if len(named) > 1:
        raise InvalidEpc(f"{where}: the AIs {_ai_list(values)} name more than one EPC")
    if named[0] == "sgtin":
        company_prefix, item_reference = _sgtin_fields(values["01"], company_prefix_length)
        serial = _escape(values["21"])
        return f"urn:epc:id:sgtin:{company_prefix}.{item_reference}.{serial}"
    if named[0] == "sscc":
        company_prefix, serial_reference = _sscc_fields(values["00"], company_prefix_length)
        return f"urn:epc:id:sscc:{company_prefix}.{serial_reference}"
    gln = values["414"]
    extension = values.get("254", "0")
    if "254" in values and extension == "0":
        raise InvalidEpc(
            f"{where}: GLN extension (254) '0' has no SGLN: the TDS writes extension 0 for a "
            "GLN without extension"
        )
    company_prefix, location_reference = gln[:company_prefix_length], gln[company_prefix_length:12]
    return f"urn:epc:id:sgln:{company_prefix}.{location_reference}.{_escape(extension)}"


def epc_class_uri(elements: Sequence[ElementString], company_prefix_length: int) -> str:
    """The EPC class URI of a lot, for the GTIN (01) and lot (10) in ``elements``.

    >>> epc_class_uri([ElementString("01", "80614141123458"), ElementString("10", "L/1")], 7)
    'urn:epc:class:lgtin:0614141.812345.L%2F1'
    """
    where = "EPC class URI"
    values = dict(_validate(elements, where))
    _check_company_prefix_length(company_prefix_length, where)
    if "01" not in values or "10" not in values:
        raise InvalidEpc(
            f"{where}: an LGTIN needs a GTIN (01) and a lot (10), got {_ai_list(values)}"
        )
    company_prefix, item_reference = _sgtin_fields(values["01"], company_prefix_length)
    return f"urn:epc:class:lgtin:{company_prefix}.{item_reference}.{_escape(values['10'])}"


# --- Binary encodings ------------------------------------------------------------------------


def encode_sgtin96(
    gtin: Gtin, serial: str, company_prefix_length: int, filter_value: int = 1
) -> str:
    """The SGTIN-96 encoding of a unit as hex. SGTIN-96 holds only serials of digits without a
    leading zero, below 2**38; use :func:`encode_sgtin198` for any other serial.

    The default filter value 1 marks a point-of-sale trade item.

    >>> encode_sgtin96(Gtin("09506000134352"), "123456789", 11, filter_value=3)
    '3066C4409047E140075BCD15'
    >>> encode_sgtin96(Gtin("09506000134352"), "A1", 11)
    Traceback (most recent call last):
    ...
    unitrace.gs1.errors.InvalidEpc: SGTIN-96: serial 'A1' is not all digits; SGTIN-96 holds \
only serials of digits without a leading zero below 274877906944 (2**38): use SGTIN-198
    """
    return _sgtin_tag(TagScheme.SGTIN_96, gtin, serial, company_prefix_length, filter_value).hex()


def encode_sgtin198(
    gtin: Gtin, serial: str, company_prefix_length: int, filter_value: int = 1
) -> str:
    """The SGTIN-198 encoding of a unit as hex: any serial of up to 20 characters of GS1
    character set 82, 7 bits each. The 198 bits are padded with zeros to 13 16-bit words
    (52 hex digits), the length the tag's protocol control word announces.

    >>> encode_sgtin198(Gtin("09506000134352"), "32a/b", 11, filter_value=3)
    '3666C4409047E159B2C2BF100000000000000000000000000000'
    """
    return _sgtin_tag(TagScheme.SGTIN_198, gtin, serial, company_prefix_length, filter_value).hex()


def encode_sscc96(sscc: Sscc, company_prefix_length: int, filter_value: int = 0) -> str:
    """The SSCC-96 encoding of a logistic unit as hex; filter value 0 means "all others".

    >>> encode_sscc96(Sscc("095201234567891235"), 6)
    '311BA1B300CE0A6A83000000'
    """
    elements = (ElementString("00", sscc.value),)
    return EpcTag(TagScheme.SSCC_96, filter_value, company_prefix_length, elements).hex()


def decode_epc_hex(hex_text: str) -> EpcTag:
    """The tag whose EPC memory bank holds ``hex_text`` (either case), as a reader reports it:
    SGTIN-96 and SSCC-96 in 24 hex digits, SGTIN-198 in 52.

    The decoding is strict: an unknown header, a partition outside the table, a field with
    more digits than its partition gives, SGTIN-198 characters after the end of the serial,
    and non-zero reserved or padding bits are all :class:`InvalidEpc`, because each means the
    tag was not written by a TDS encoder and the EPC read from it cannot be trusted.

    >>> decode_epc_hex("311BA1B300CE0A6A83000000").pure_identity_uri
    'urn:epc:id:sscc:952012.03456789123'
    >>> decode_epc_hex("3274257BF7194E4000001A85")
    Traceback (most recent call last):
    ...
    unitrace.gs1.errors.InvalidEpc: EPC hex: header 0x32 is not one unitrace reads \
(SGTIN-96 0x30, SGTIN-198 0x36, SSCC-96 0x31)
    """
    where = "EPC hex"
    if not hex_text:
        raise InvalidEpc(f"{where}: empty")
    for position, character in enumerate(hex_text, start=1):
        if character not in _HEX_DIGITS:
            raise InvalidEpc(f"{where}: {character!r} at position {position} is not a hex digit")
    if len(hex_text) < 2:
        raise InvalidEpc(f"{where}: {hex_text!r} is shorter than the 8-bit header")
    header = int(hex_text[:2], 16)
    scheme = _SCHEME_BY_HEADER.get(header)
    if scheme is None:
        known = ", ".join(f"{s.upper()} 0x{c.header:02X}" for s, c in _CODINGS.items())
        raise InvalidEpc(f"{where}: header 0x{header:02X} is not one unitrace reads ({known})")
    coding = _CODINGS[scheme]
    name = scheme.upper()
    if len(hex_text) != coding.hex_length:
        raise InvalidEpc(
            f"{where}: {name} takes {coding.hex_length} hex digits ({coding.bits} bits in whole "
            f"16-bit words), got {len(hex_text)}"
        )
    bits = format(int(hex_text, 16), f"0{len(hex_text) * 4}b")
    if "1" in bits[coding.bits :]:
        raise InvalidEpc(
            f"{where}: the padding bits after the {coding.bits} bits of {name} must be 0"
        )
    filter_value = int(bits[8:11], 2)
    partition_value = int(bits[11:14], 2)
    if partition_value >= len(coding.partitions):
        raise InvalidEpc(
            f"{where}: partition {partition_value} is not in the {coding.key} partition table "
            f"(0 to {len(coding.partitions) - 1})"
        )
    partition = coding.partitions[partition_value]
    start = 14
    end = start + partition.company_prefix_bits
    company_prefix = _decimal_field(
        bits[start:end], partition.company_prefix_digits, "company prefix", partition
    )
    start, end = end, end + partition.reference_bits
    reference_name = "serial reference" if scheme is TagScheme.SSCC_96 else "item reference"
    reference = _decimal_field(
        bits[start:end], partition.reference_digits, reference_name, partition
    )
    if scheme is TagScheme.SSCC_96:
        if "1" in bits[end : coding.bits]:
            raise InvalidEpc(
                f"{where}: the {_SSCC96_RESERVED_BITS} reserved bits of SSCC-96 must be 0"
            )
        elements: tuple[ElementString, ...] = (
            ElementString("00", _with_check_digit(reference[0] + company_prefix + reference[1:])),
        )
    else:
        serial_bits = bits[_SERIAL_START : coding.bits]
        serial = (
            str(int(serial_bits, 2))
            if scheme is TagScheme.SGTIN_96
            else _seven_bit_text(serial_bits)
        )
        gtin = _with_check_digit(reference[0] + company_prefix + reference[1:])
        elements = (ElementString("01", gtin), ElementString("21", serial))
    return EpcTag(scheme, filter_value, partition.company_prefix_digits, elements)


# --- The parts ------------------------------------------------------------------------------

_READABLE = (
    ("id", "sgtin"),
    ("id", "sscc"),
    ("id", "sgln"),
    ("class", "lgtin"),
    ("tag", TagScheme.SGTIN_96.value),
    ("tag", TagScheme.SGTIN_198.value),
    ("tag", TagScheme.SSCC_96.value),
)


def _split_urn(uri: str) -> tuple[str, str, str]:
    """``kind``, ``scheme`` and the dotted fields of ``urn:epc:<kind>:<scheme>:<fields>``,
    for the kinds and schemes unitrace reads only."""
    if uri[:8].lower() != "urn:epc:":
        raise InvalidEpc(f"EPC URI: must start with urn:epc:, got {uri[:40]!r}")
    kind, _, rest = uri[8:].partition(":")
    scheme, separator, body = rest.partition(":")
    if not separator:
        raise InvalidEpc(
            f"EPC URI: expected urn:epc:<kind>:<scheme>:<fields> such as "
            f"urn:epc:id:sgtin:…, got {uri[:60]!r}"
        )
    if (kind, scheme) not in _READABLE:
        if (kind.lower(), scheme.lower()) in _READABLE:
            raise InvalidEpc(
                f"EPC URI: write urn:epc:{kind.lower()}:{scheme.lower()}: in lower case; only "
                "'urn:epc:' may be written in either case"
            )
        readable = ", ".join(f"{k}:{s}" for k, s in _READABLE)
        raise InvalidEpc(
            f"EPC URI: urn:epc:{kind}:{scheme}: is not an EPC unitrace reads ({readable})"
        )
    return kind, scheme, body


def _tag_from_uri(scheme_name: str, body: str) -> EpcTag:
    where = "EPC tag URI"
    scheme = TagScheme(scheme_name)
    if scheme is TagScheme.SSCC_96:
        filter_text, company_prefix, serial_reference = _fields(body, 3, "F.CP.SerialRef", where)
        elements: tuple[ElementString, ...] = (
            ElementString("00", _sscc(company_prefix, serial_reference, where)),
        )
    else:
        filter_text, company_prefix, item_reference, serial = _fields(
            body, 4, "F.CP.IR.Serial", where
        )
        if scheme is TagScheme.SGTIN_96:
            # The TDS grammar writes this serial as a plain decimal number, never escaped.
            _check_sgtin96_serial(serial, where)
        elements = (
            ElementString("01", _gtin(company_prefix, item_reference, where)),
            ElementString("21", _unescape(serial, "serial", where)),
        )
    if len(filter_text) != 1 or filter_text not in "01234567":
        raise InvalidEpc(f"{where}: filter value {filter_text!r} is not one digit 0 to 7")
    return EpcTag(scheme, int(filter_text), len(company_prefix), elements)


def _fields(body: str, count: int, pattern: str, where: str) -> list[str]:
    # Only the leading numeric fields are split off: the last field (a serial, lot or
    # extension) may itself hold dots.
    fields = body.split(".", count - 1)
    if len(fields) != count:
        raise InvalidEpc(f"{where}: expected {count} fields {pattern}, got {body!r}")
    return fields


def _digits(text: str, part: str, where: str) -> str:
    for position, character in enumerate(text, start=1):
        if character not in _DECIMAL_DIGITS:
            raise InvalidEpc(
                f"{where}: {part}: {character!r} at position {position} is not a digit"
            )
    return text


def _company_prefix(text: str, where: str) -> str:
    _digits(text, "company prefix", where)
    if len(text) not in COMPANY_PREFIX_LENGTHS:
        raise InvalidEpc(
            f"{where}: company prefix {text!r} has {len(text)} digits; the TDS provides for 6 to 12"
        )
    return text


def _check_company_prefix_length(length: int, where: str) -> None:
    if length not in COMPANY_PREFIX_LENGTHS:
        raise InvalidEpc(
            f"{where}: company prefix length {length} is outside the 6 to 12 digits the TDS "
            "provides for"
        )


def _key_digits(
    company_prefix: str, reference: str, reference_name: str, total: int, key: str, where: str
) -> None:
    _company_prefix(company_prefix, where)
    _digits(reference, reference_name, where)
    if len(company_prefix) + len(reference) != total:
        raise InvalidEpc(
            f"{where}: company prefix and {reference_name} have "
            f"{len(company_prefix) + len(reference)} digits together; {key} needs {total}"
        )


def _gtin(company_prefix: str, item_reference: str, where: str) -> str:
    _key_digits(company_prefix, item_reference, "item reference", 13, "an SGTIN", where)
    # The item reference field leads with the GTIN-14's indicator digit (TDS section 7.1).
    return _with_check_digit(item_reference[0] + company_prefix + item_reference[1:])


def _sscc(company_prefix: str, serial_reference: str, where: str) -> str:
    _key_digits(company_prefix, serial_reference, "serial reference", 17, "an SSCC", where)
    # The serial reference field leads with the SSCC's extension digit (TDS section 7.2).
    return _with_check_digit(serial_reference[0] + company_prefix + serial_reference[1:])


def _gln(company_prefix: str, location_reference: str, where: str) -> str:
    # The location reference is empty where the company prefix has 12 digits.
    _key_digits(company_prefix, location_reference, "location reference", 12, "an SGLN", where)
    return _with_check_digit(company_prefix + location_reference)


def _with_check_digit(payload: str) -> str:
    return payload + gs1_check_digit(payload)


def _sgtin_fields(gtin: str, company_prefix_length: int) -> tuple[str, str]:
    """Company prefix and item reference (indicator digit first) of a GTIN-14."""
    return gtin[1 : 1 + company_prefix_length], gtin[0] + gtin[1 + company_prefix_length : 13]


def _sscc_fields(sscc: str, company_prefix_length: int) -> tuple[str, str]:
    """Company prefix and serial reference (extension digit first) of an SSCC."""
    return sscc[1 : 1 + company_prefix_length], sscc[0] + sscc[1 + company_prefix_length : 17]


def _escape(value: str) -> str:
    """``value`` (already checked to be GS1 character set 82) as an EPC URI writes it."""
    return "".join(_URI_ESCAPES.get(character, character) for character in value)


def _unescape(text: str, part: str, where: str) -> str:
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
            if len(pair) != 2 or not _HEX_DIGITS.issuperset(pair):
                raise InvalidEpc(
                    f"{where}: {part}: '%' at position {position + 1} does not start an escape "
                    "such as %2F"
                )
            decoded = chr(int(pair, 16))
            if decoded not in _CSET82:
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


def _check_sgtin96_serial(serial: str, where: str) -> None:
    rule = (
        "SGTIN-96 holds only serials of digits without a leading zero below "
        f"{SGTIN96_SERIAL_LIMIT} (2**38): use SGTIN-198"
    )
    if not serial or not _DECIMAL_DIGITS.issuperset(serial):
        raise InvalidEpc(f"{where}: serial {serial!r} is not all digits; {rule}")
    if len(serial) > 1 and serial[0] == "0":
        raise InvalidEpc(f"{where}: serial {serial!r} starts with 0; {rule}")
    if int(serial) >= SGTIN96_SERIAL_LIMIT:
        raise InvalidEpc(f"{where}: serial {serial} is too large; {rule}")


def _sgtin_tag(
    scheme: TagScheme, gtin: Gtin, serial: str, company_prefix_length: int, filter_value: int
) -> EpcTag:
    elements = (ElementString("01", gtin.value), ElementString("21", serial))
    return EpcTag(scheme, filter_value, company_prefix_length, elements)


def _validate(elements: Sequence[ElementString], where: str) -> tuple[ElementString, ...]:
    """``elements`` checked against their AIs' rules; the error keeps its class and says which
    EPC form it was found in."""
    try:
        validate_elements(elements)
    except InvalidCode as error:
        raise type(error)(f"{where}: {error}") from None
    return tuple(elements)


def _ai_list(ais: Iterable[str]) -> str:
    return "".join(f"({ai})" for ai in ais) or "(none)"


def _words_as_hex(fields: Sequence[tuple[int, int]]) -> str:
    """``(value, bits)`` fields, most significant first, as hex of whole 16-bit words."""
    value = 0
    width = 0
    for field, bits in fields:
        value = (value << bits) | field
        width += bits
    padding = -width % 16
    return f"{value << padding:0{(width + padding) // 4}X}"


def _seven_bit_field(text: str) -> tuple[int, int]:
    """SGTIN-198's serial field: each character as its 7-bit code, zero bits after them."""
    value = 0
    for character in text:
        value = (value << 7) | ord(character)
    unused = _SGTIN198_SERIAL_CHARACTERS - len(text)
    return value << (7 * unused), 7 * _SGTIN198_SERIAL_CHARACTERS


def _seven_bit_text(bits: str) -> str:
    """The serial in SGTIN-198's 140-bit field: 7-bit characters up to the first zero code,
    which must be followed by zeros only (TDS section 14.4, "String" decoding)."""
    codes = [int(bits[start : start + 7], 2) for start in range(0, len(bits), 7)]
    length = codes.index(0) if 0 in codes else len(codes)
    if length == 0:
        raise InvalidEpc("EPC hex: SGTIN-198 serial is empty")
    if any(codes[length:]):
        raise InvalidEpc(
            f"EPC hex: SGTIN-198 serial has characters after its end (a zero code at "
            f"character {length + 1})"
        )
    for position, code in enumerate(codes[:length], start=1):
        if chr(code) not in _CSET82:
            raise InvalidEpc(
                f"EPC hex: SGTIN-198 serial character {position} (code 0x{code:02X}) is not in "
                "GS1 character set 82"
            )
    return "".join(chr(code) for code in codes[:length])


def _decimal_field(bits: str, digits: int, part: str, partition: Partition) -> str:
    value = int(bits, 2)
    if value >= 10**digits:
        raise InvalidEpc(
            f"EPC hex: {part} field {value} has more than the {digits} digits partition "
            f"{partition.value} gives it"
        )
    return f"{value:0{digits}d}"
