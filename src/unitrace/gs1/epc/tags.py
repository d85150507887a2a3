"""What an RFID tag's EPC memory bank holds: an :class:`EpcTag` in one binary coding
scheme, encoded to and decoded from the hex a reader reports (SGTIN-96, SGTIN-198, SSCC-96).
"""

from __future__ import annotations

from dataclasses import dataclass

from unitrace.gs1.elements import ElementString
from unitrace.gs1.epc.fields import (
    CSET82,
    HEX_DIGITS,
    ai_list,
    check_company_prefix_length,
    escape,
    sgtin_fields,
    sscc_fields,
    validated,
    with_check_digit,
)
from unitrace.gs1.epc.schemes import (
    CODINGS,
    FILTER_VALUES,
    SCHEME_BY_HEADER,
    SGTIN198_SERIAL_CHARACTERS,
    SSCC96_RESERVED_BITS,
    Coding,
    FieldLayout,
    Partition,
    TagScheme,
    check_sgtin96_serial,
    fits_sgtin96,
)
from unitrace.gs1.errors import InvalidEpc
from unitrace.gs1.keys import Gtin, Sscc

# Enum members read off their class cost a look-up each time; the hot paths use these names.
_SGTIN_96, _SGTIN_198, _SSCC_96 = TagScheme.SGTIN_96, TagScheme.SGTIN_198, TagScheme.SSCC_96
_SCHEME_AND_CODING = {
    header: (scheme, CODINGS[scheme]) for header, scheme in SCHEME_BY_HEADER.items()
}


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
        check_company_prefix_length(self.company_prefix_length, name)
        expected = ("00",) if self.scheme is _SSCC_96 else ("01", "21")
        present = tuple(ai for ai, _ in self.elements)
        if present != expected:
            raise InvalidEpc(f"{name}: holds the AIs {ai_list(expected)}, got {ai_list(present)}")
        validated(self.elements, name)
        if self.scheme is _SGTIN_96:
            check_sgtin96_serial(self.elements[1].value, name)

    @classmethod
    def _of_checked_fields(
        cls,
        scheme: TagScheme,
        filter_value: int,
        company_prefix_length: int,
        elements: tuple[ElementString, ...],
    ) -> EpcTag:
        """The tag of fields that already keep every rule ``__post_init__`` checks, as the
        fields decoded from a tag's bits do: they are not checked a second time."""
        tag = object.__new__(cls)
        object.__setattr__(tag, "scheme", scheme)
        object.__setattr__(tag, "filter_value", filter_value)
        object.__setattr__(tag, "company_prefix_length", company_prefix_length)
        object.__setattr__(tag, "elements", elements)
        return tag

    @property
    def pure_identity_uri(self) -> str:
        """The EPC without its tag encoding, as EPCIS events name the object."""
        # The elements were checked when the tag was made; the URI is written from them as
        # :func:`~unitrace.gs1.epc.epc_uri` writes it, without checking them again.
        return _PURE_IDENTITY_PREFIXES[self.scheme] + ".".join(self._uri_fields())

    @property
    def tag_uri(self) -> str:
        """The EPC with its binary scheme and filter value, ``urn:epc:tag:<scheme>:F.…``."""
        return f"urn:epc:tag:{self.scheme}:{self.filter_value}." + ".".join(self._uri_fields())

    def hex(self) -> str:
        """The binary encoding as upper-case hex, zero-padded to whole 16-bit words as it is
        written to the EPC memory bank (SGTIN-198: 198 bits in 13 words, 52 hex digits)."""
        coding = CODINGS[self.scheme]
        layout = coding.by_prefix_length[self.company_prefix_length]
        key = self.elements[0].value
        if self.scheme is _SSCC_96:
            return _hex(coding, layout, self.filter_value, key, 0)
        serial = self.elements[1].value
        tail = int(serial) if self.scheme is _SGTIN_96 else _seven_bit_field(serial)
        return _hex(coding, layout, self.filter_value, key, tail)

    def _uri_fields(self) -> tuple[str, ...]:
        key = self.elements[0].value
        if self.scheme is _SSCC_96:
            return sscc_fields(key, self.company_prefix_length)
        company_prefix, item_reference = sgtin_fields(key, self.company_prefix_length)
        serial = self.elements[1].value
        # An SGTIN-96 serial is digits, which a URI writes as they are.
        if self.scheme is not _SGTIN_96:
            serial = escape(serial)
        return company_prefix, item_reference, serial


_PURE_IDENTITY_PREFIXES = {
    scheme: f"urn:epc:id:{coding.key.lower()}:" for scheme, coding in CODINGS.items()
}


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
    coding = CODINGS[_SGTIN_96]
    # A float equal to a length finds its layout too: only an int takes the fast path.
    layout = (
        coding.by_prefix_length.get(company_prefix_length)
        if type(company_prefix_length) is int
        else None
    )
    if layout is not None and filter_value in FILTER_VALUES and fits_sgtin96(serial):
        # A Gtin is checked when it is made, and these are the tag's other rules.
        return _hex(coding, layout, filter_value, gtin.value, int(serial))
    # Some rule is broken: the tag's own checks say which, in their order.
    return _sgtin_tag(_SGTIN_96, gtin, serial, company_prefix_length, filter_value).hex()


def encode_sgtin198(
    gtin: Gtin, serial: str, company_prefix_length: int, filter_value: int = 1
) -> str:
    """The SGTIN-198 encoding of a unit as hex: any serial of up to 20 characters of GS1
    character set 82, 7 bits each. The 198 bits are padded with zeros to 13 16-bit words
    (52 hex digits), the length the tag's protocol control word announces.

    >>> encode_sgtin198(Gtin("09506000134352"), "32a/b", 11, filter_value=3)
    '3666C4409047E159B2C2BF100000000000000000000000000000'
    """
    coding = CODINGS[_SGTIN_198]
    # A float equal to a length finds its layout too: only an int takes the fast path.
    layout = (
        coding.by_prefix_length.get(company_prefix_length)
        if type(company_prefix_length) is int
        else None
    )
    if (
        layout is not None
        and filter_value in FILTER_VALUES
        and 0 < len(serial) <= SGTIN198_SERIAL_CHARACTERS
        and CSET82.issuperset(serial)
    ):
        # Characters of set 82, 1 to 20 of them, are what a serial (21) may hold.
        return _hex(coding, layout, filter_value, gtin.value, _seven_bit_field(serial))
    return _sgtin_tag(_SGTIN_198, gtin, serial, company_prefix_length, filter_value).hex()


def encode_sscc96(sscc: Sscc, company_prefix_length: int, filter_value: int = 0) -> str:
    """The SSCC-96 encoding of a logistic unit as hex; filter value 0 means "all others".

    >>> encode_sscc96(Sscc("095201234567891235"), 6)
    '311BA1B300CE0A6A83000000'
    """
    coding = CODINGS[_SSCC_96]
    # A float equal to a length finds its layout too: only an int takes the fast path.
    layout = (
        coding.by_prefix_length.get(company_prefix_length)
        if type(company_prefix_length) is int
        else None
    )
    if layout is not None and filter_value in FILTER_VALUES:
        return _hex(coding, layout, filter_value, sscc.value, 0)
    elements = (ElementString("00", sscc.value),)
    return EpcTag(_SSCC_96, filter_value, company_prefix_length, elements).hex()


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
    if not hex_text or len(hex_text) < 2 or not HEX_DIGITS.issuperset(hex_text):
        _refuse_malformed(hex_text)
    header = int(hex_text[:2], 16)
    found = _SCHEME_AND_CODING.get(header)
    if found is None:
        known = ", ".join(f"{s.upper()} 0x{c.header:02X}" for s, c in CODINGS.items())
        raise InvalidEpc(f"{where}: header 0x{header:02X} is not one unitrace reads ({known})")
    scheme, coding = found
    if len(hex_text) != coding.hex_length:
        raise InvalidEpc(
            f"{where}: {scheme.upper()} takes {coding.hex_length} hex digits ({coding.bits} bits in whole "
            f"16-bit words), got {len(hex_text)}"
        )
    bits = int(hex_text, 16)
    if coding.padding_bits:
        if bits & ((1 << coding.padding_bits) - 1):
            raise InvalidEpc(
                f"{where}: the padding bits after the {coding.bits} bits of {scheme.upper()} "
                "must be 0"
            )
        bits >>= coding.padding_bits
    partition_value = (bits >> (coding.filter_shift - 3)) & 7
    if partition_value >= len(coding.layouts):
        raise InvalidEpc(
            f"{where}: partition {partition_value} is not in the {coding.key} partition table "
            f"(0 to {len(coding.layouts) - 1})"
        )
    layout = coding.layouts[partition_value]
    partition = layout.partition
    company_prefix = (bits >> layout.company_prefix_shift) & layout.company_prefix_mask
    if company_prefix >= layout.company_prefix_limit:
        raise _too_many_digits(
            "company prefix", company_prefix, partition.company_prefix_digits, partition
        )
    reference = (bits >> layout.reference_shift) & layout.reference_mask
    if reference >= layout.reference_limit:
        reference_name = "serial reference" if scheme is _SSCC_96 else "item reference"
        raise _too_many_digits(reference_name, reference, partition.reference_digits, partition)
    prefix_digits = str(company_prefix).zfill(partition.company_prefix_digits)
    reference_digits = str(reference).zfill(partition.reference_digits)
    # The reference leads with the GTIN's indicator digit or the SSCC's extension digit.
    key = with_check_digit(reference_digits[0] + prefix_digits + reference_digits[1:])
    tail = bits & coding.tail_mask
    if scheme is _SSCC_96:
        if tail:
            raise InvalidEpc(
                f"{where}: the {SSCC96_RESERVED_BITS} reserved bits of SSCC-96 must be 0"
            )
        elements: tuple[ElementString, ...] = (ElementString("00", key),)
    else:
        serial = str(tail) if scheme is _SGTIN_96 else _seven_bit_text(tail)
        elements = (ElementString("01", key), ElementString("21", serial))
    filter_value = (bits >> coding.filter_shift) & 7
    # Every field was read within its rules above: a GTIN or SSCC with its check digit, a
    # serial of digits below 2**38 or of up to 20 characters of set 82.
    return EpcTag._of_checked_fields(
        scheme, filter_value, partition.company_prefix_digits, elements
    )


def _refuse_malformed(hex_text: str) -> None:
    where = "EPC hex"
    if not hex_text:
        raise InvalidEpc(f"{where}: empty")
    for position, character in enumerate(hex_text, start=1):
        if character not in HEX_DIGITS:
            raise InvalidEpc(f"{where}: {character!r} at position {position} is not a hex digit")
    raise InvalidEpc(f"{where}: {hex_text!r} is shorter than the 8-bit header")


def _hex(coding: Coding, layout: FieldLayout, filter_value: int, key: str, tail: int) -> str:
    """A tag's bits as upper-case hex of whole 16-bit words. ``key`` is the GTIN-14 or SSCC;
    its first digit, the indicator or extension digit, leads the reference field (TDS sections
    7.1 and 7.2); ``tail`` holds the bits after the reference."""
    digits = layout.partition.company_prefix_digits
    bits = (
        layout.head
        | (filter_value << coding.filter_shift)
        | (int(key[1 : 1 + digits]) << layout.company_prefix_shift)
        | (int(key[0] + key[1 + digits : -1]) << layout.reference_shift)
        | tail
    )
    return f"{bits << coding.padding_bits:0{coding.hex_length}X}"


def _sgtin_tag(
    scheme: TagScheme, gtin: Gtin, serial: str, company_prefix_length: int, filter_value: int
) -> EpcTag:
    elements = (ElementString("01", gtin.value), ElementString("21", serial))
    return EpcTag(scheme, filter_value, company_prefix_length, elements)


def _seven_bit_field(text: str) -> int:
    """SGTIN-198's 140-bit serial field: each character as its 7-bit code, zero bits after
    them."""
    value = 0
    for character in text:
        value = (value << 7) | ord(character)
    return value << (7 * (SGTIN198_SERIAL_CHARACTERS - len(text)))


_SEVEN_BIT_SHIFTS = range(7 * (SGTIN198_SERIAL_CHARACTERS - 1), -1, -7)


def _seven_bit_text(field: int) -> str:
    """The serial in SGTIN-198's 140-bit field: 7-bit characters up to the first zero code,
    which must be followed by zeros only (TDS section 14.4, "String" decoding)."""
    codes = [(field >> shift) & 0x7F for shift in _SEVEN_BIT_SHIFTS]
    length = codes.index(0) if 0 in codes else len(codes)
    if length == 0:
        raise InvalidEpc("EPC hex: SGTIN-198 serial is empty")
    if any(codes[length:]):
        raise InvalidEpc(
            f"EPC hex: SGTIN-198 serial has characters after its end (a zero code at "
            f"character {length + 1})"
        )
    for position, code in enumerate(codes[:length], start=1):
        if chr(code) not in CSET82:
            raise InvalidEpc(
                f"EPC hex: SGTIN-198 serial character {position} (code 0x{code:02X}) is not in "
                "GS1 character set 82"
            )
    return "".join(chr(code) for code in codes[:length])


def _too_many_digits(part: str, value: int, digits: int, partition: Partition) -> InvalidEpc:
    return InvalidEpc(
        f"EPC hex: {part} field {value} has more than the {digits} digits partition "
        f"{partition.value} gives it"
    )
