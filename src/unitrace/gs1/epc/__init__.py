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
>>> from unitrace.gs1.keys import Gtin
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

from unitrace.gs1.epc.fields import COMPANY_PREFIX_LENGTHS
from unitrace.gs1.epc.pure_identity import epc_class_uri, epc_uri
from unitrace.gs1.epc.schemes import (
    FILTER_VALUES,
    SGTIN96_SERIAL_LIMIT,
    SGTIN_PARTITIONS,
    SSCC_PARTITIONS,
    Partition,
    TagScheme,
    fits_sgtin96,
)
from unitrace.gs1.epc.tags import (
    EpcTag,
    decode_epc_hex,
    encode_sgtin96,
    encode_sgtin198,
    encode_sscc96,
)
from unitrace.gs1.epc.uri_parsing import parse_epc_tag_uri, parse_epc_uri

__all__ = [
    "COMPANY_PREFIX_LENGTHS",
    "FILTER_VALUES",
    "SGTIN96_SERIAL_LIMIT",
    "SGTIN_PARTITIONS",
    "SSCC_PARTITIONS",
    "EpcTag",
    "Partition",
    "TagScheme",
    "decode_epc_hex",
    "encode_sgtin96",
    "encode_sgtin198",
    "encode_sscc96",
    "epc_class_uri",
    "epc_uri",
    "fits_sgtin96",
    "parse_epc_tag_uri",
    "parse_epc_uri",
]
