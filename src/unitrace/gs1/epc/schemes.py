"""The EPC binary coding schemes unitrace reads and writes (SGTIN-96, SGTIN-198, SSCC-96):
their headers and bit layouts, the TDS partition tables that share bits between the company
prefix and the reference, and what each scheme's serial may hold.

>>> CODINGS[TagScheme.SGTIN_198].hex_length, CODINGS[TagScheme.SSCC_96].partition(7).value
(52, 5)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from unitrace.gs1.epc.fields import DECIMAL_DIGITS
from unitrace.gs1.errors import InvalidEpc

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


#: The SGTIN partition table (TDS 2.3 Table 14-16, section 14.6.1; Table 14-2 before TDS 2.0).
SGTIN_PARTITIONS = (
    Partition(0, 40, 12, 4, 1),
    Partition(1, 37, 11, 7, 2),
    Partition(2, 34, 10, 10, 3),
    Partition(3, 30, 9, 14, 4),
    Partition(4, 27, 8, 17, 5),
    Partition(5, 24, 7, 20, 6),
    Partition(6, 20, 6, 24, 7),
)

#: The SSCC partition table (TDS 2.3 section 14.6.2; Table 14-5 before TDS 2.0).
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
class FieldLayout:
    """Where one partition row puts the company prefix and the reference in a tag's bits,
    worked out once so that encoding and decoding are shifts and masks. Shifts count from the
    least significant bit of the encoding without its padding."""

    partition: Partition
    #: The header and partition fields in place, the bits every tag of this row starts with.
    head: int
    company_prefix_shift: int
    company_prefix_mask: int
    #: 10 ** digits: a field value at or above it has more digits than the row gives it.
    company_prefix_limit: int
    reference_shift: int
    reference_mask: int
    reference_limit: int


@dataclass(frozen=True, slots=True)
class Coding:
    """The fixed layout of one binary coding scheme."""

    header: int
    bits: int
    partitions: tuple[Partition, ...]
    key: str
    # Worked out once from the fields above (see __post_init__).
    #: Hex digits of the encoding as the EPC memory bank holds it: whole 16-bit words.
    hex_length: int = field(init=False, compare=False)
    #: The zero bits after the encoding that fill its last 16-bit word.
    padding_bits: int = field(init=False, compare=False)
    #: Where the 3-bit filter value sits, after the 8-bit header.
    filter_shift: int = field(init=False, compare=False)
    #: The bits after the company prefix and the reference: the serial of an SGTIN, the
    #: reserved bits of SSCC-96.
    tail_bits: int = field(init=False, compare=False)
    tail_mask: int = field(init=False, compare=False)
    #: The layout of each partition row, indexed by the partition value.
    layouts: tuple[FieldLayout, ...] = field(init=False, compare=False, repr=False)
    #: The same layouts found by the company prefix length they serve.
    by_prefix_length: dict[int, FieldLayout] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        hex_length = -(-self.bits // 16) * 4
        first = self.partitions[0]
        derived = {
            "hex_length": hex_length,
            "padding_bits": hex_length * 4 - self.bits,
            "filter_shift": self.bits - 11,
            "tail_bits": self.bits - 14 - first.company_prefix_bits - first.reference_bits,
        }
        derived["tail_mask"] = (1 << derived["tail_bits"]) - 1
        for name, value in derived.items():
            object.__setattr__(self, name, value)
        layouts = tuple(self._layout(partition) for partition in self.partitions)
        object.__setattr__(self, "layouts", layouts)
        object.__setattr__(
            self,
            "by_prefix_length",
            {layout.partition.company_prefix_digits: layout for layout in layouts},
        )

    def _layout(self, partition: Partition) -> FieldLayout:
        company_prefix_shift = self.filter_shift - 3 - partition.company_prefix_bits
        return FieldLayout(
            partition,
            head=(self.header << (self.filter_shift + 3))
            | (partition.value << (self.filter_shift - 3)),
            company_prefix_shift=company_prefix_shift,
            company_prefix_mask=(1 << partition.company_prefix_bits) - 1,
            company_prefix_limit=10**partition.company_prefix_digits,
            reference_shift=company_prefix_shift - partition.reference_bits,
            reference_mask=(1 << partition.reference_bits) - 1,
            reference_limit=10**partition.reference_digits,
        )

    def partition(self, company_prefix_length: int) -> Partition:
        return self.by_prefix_length[company_prefix_length].partition


# TDS Table 14-1 (headers) and the coding tables of sections 14.6.1 and 14.6.2 (14.5.x before
# TDS 2.0).
CODINGS = {
    TagScheme.SGTIN_96: Coding(0x30, 96, SGTIN_PARTITIONS, "SGTIN"),
    TagScheme.SGTIN_198: Coding(0x36, 198, SGTIN_PARTITIONS, "SGTIN"),
    TagScheme.SSCC_96: Coding(0x31, 96, SSCC_PARTITIONS, "SSCC"),
}
SCHEME_BY_HEADER = {coding.header: scheme for scheme, coding in CODINGS.items()}

SGTIN198_SERIAL_CHARACTERS = 20
SSCC96_RESERVED_BITS = 24


def check_sgtin96_serial(serial: str, where: str) -> None:
    rule = (
        "SGTIN-96 holds only serials of digits without a leading zero below "
        f"{SGTIN96_SERIAL_LIMIT} (2**38): use SGTIN-198"
    )
    if not serial or not DECIMAL_DIGITS.issuperset(serial):
        raise InvalidEpc(f"{where}: serial {serial!r} is not all digits; {rule}")
    if len(serial) > 1 and serial[0] == "0":
        raise InvalidEpc(f"{where}: serial {serial!r} starts with 0; {rule}")
    if int(serial) >= SGTIN96_SERIAL_LIMIT:
        raise InvalidEpc(f"{where}: serial {serial} is too large; {rule}")


def fits_sgtin96(serial: str) -> bool:
    """Whether SGTIN-96 holds ``serial``: digits without a leading zero, below 2**38."""
    return (
        serial.isascii()
        and serial.isdigit()
        and (serial[0] != "0" or serial == "0")
        and len(serial) <= 12
        and int(serial) < SGTIN96_SERIAL_LIMIT
    )
