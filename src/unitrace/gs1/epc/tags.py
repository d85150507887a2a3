"""What an RFID tag's EPC memory bank holds: an :class:`EpcTag` in one binary coding
scheme, encoded to and decoded from the hex a reader reports (SGTIN-96, SGTIN-198, SSCC-96).
"""

from __future__ import annotations

from collections.abc import Sequence
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
from unitrace.gs1.epc.pure_identity import epc_uri
from unitrace.gs1.epc.schemes import (
    CODINGS,
    FILTER_VALUES,
    SCHEME_BY_HEADER,
    SERIAL_START,
    SGTIN198_SERIAL_CHARACTERS,
    SSCC96_RESERVED_BITS,
    Partition,
    TagScheme,
    check_sgtin96_serial,
)
from unitrace.gs1.errors import InvalidEpc
from unitrace.gs1.keys import Gtin, Sscc


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
        expected = ("00",) if self.scheme is TagScheme.SSCC_96 else ("01", "21")
        present = tuple(ai for ai, _ in self.elements)
        if present != expected:
            raise InvalidEpc(f"{name}: holds the AIs {ai_list(expected)}, got {ai_list(present)}")
        validated(self.elements, name)
        if self.scheme is TagScheme.SGTIN_96:
            check_sgtin96_serial(self.elements[1].value, name)

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
            fields.append(escape(self.elements[1].value))
        return f"urn:epc:tag:{self.scheme}:" + ".".join(fields)

    def hex(self) -> str:
        """The binary encoding as upper-case hex, zero-padded to whole 16-bit words as it is
        written to the EPC memory bank (SGTIN-198: 198 bits in 13 words, 52 hex digits)."""
        coding = CODINGS[self.scheme]
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
            fields.append((0, SSCC96_RESERVED_BITS))
        return _words_as_hex(fields)

    def _key_fields(self) -> tuple[str, str]:
        key = self.elements[0].value
        if self.scheme is TagScheme.SSCC_96:
            return sscc_fields(key, self.company_prefix_length)
        return sgtin_fields(key, self.company_prefix_length)


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
        if character not in HEX_DIGITS:
            raise InvalidEpc(f"{where}: {character!r} at position {position} is not a hex digit")
    if len(hex_text) < 2:
        raise InvalidEpc(f"{where}: {hex_text!r} is shorter than the 8-bit header")
    header = int(hex_text[:2], 16)
    scheme = SCHEME_BY_HEADER.get(header)
    if scheme is None:
        known = ", ".join(f"{s.upper()} 0x{c.header:02X}" for s, c in CODINGS.items())
        raise InvalidEpc(f"{where}: header 0x{header:02X} is not one unitrace reads ({known})")
    coding = CODINGS[scheme]
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
                f"{where}: the {SSCC96_RESERVED_BITS} reserved bits of SSCC-96 must be 0"
            )
        elements: tuple[ElementString, ...] = (
            ElementString("00", with_check_digit(reference[0] + company_prefix + reference[1:])),
        )
    else:
        serial_bits = bits[SERIAL_START : coding.bits]
        serial = (
            str(int(serial_bits, 2))
            if scheme is TagScheme.SGTIN_96
            else _seven_bit_text(serial_bits)
        )
        gtin = with_check_digit(reference[0] + company_prefix + reference[1:])
        elements = (ElementString("01", gtin), ElementString("21", serial))
    return EpcTag(scheme, filter_value, partition.company_prefix_digits, elements)


def _sgtin_tag(
    scheme: TagScheme, gtin: Gtin, serial: str, company_prefix_length: int, filter_value: int
) -> EpcTag:
    elements = (ElementString("01", gtin.value), ElementString("21", serial))
    return EpcTag(scheme, filter_value, company_prefix_length, elements)


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
    unused = SGTIN198_SERIAL_CHARACTERS - len(text)
    return value << (7 * unused), 7 * SGTIN198_SERIAL_CHARACTERS


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
        if chr(code) not in CSET82:
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
