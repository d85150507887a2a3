"""Describe a scanned or typed code: its form, its AIs and the other forms of the same data.

The command line's ``unitrace code parse`` and the HTTP API answer with this description, so
both give the same result for the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unitrace.gs1 import (
    ElementString,
    InvalidCode,
    InvalidEpc,
    Scan,
    build_digital_link,
    parse,
)
from unitrace.gs1.digital_link import check_resolver_base
from unitrace.gs1.epc import (
    EpcTag,
    TagScheme,
    decode_epc_hex,
    epc_class_uri,
    epc_uri,
    fits_sgtin96,
)
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY


@dataclass(frozen=True, slots=True)
class CodeDescription:
    scan: Scan
    digital_link: str | None
    epc_uri: str | None

    def as_json(self) -> dict[str, Any]:
        scan = self.scan
        expiry = scan.expiry
        answer: dict[str, Any] = {
            "form": scan.form.value,
            "symbology": scan.symbology,
            "ais": scan.ais,
            "gtin": scan.gtin.value if scan.gtin else None,
            "serial": scan.serial,
            "lot": scan.lot,
            "expiry": expiry.date.isoformat() if expiry else None,
            "sscc": scan.sscc.value if scan.sscc else None,
            "hri": scan.hri(),
            "element_string": scan.element_string(),
            "digital_link": self.digital_link,
        }
        if self.epc_uri is not None:
            answer["epc_uri"] = self.epc_uri
        return answer

    def rows(self) -> list[tuple[str, str, str]]:
        """(AI, title, value) for each AI, for a table a person reads."""
        return [(ai, SYNTAX_DICTIONARY[ai].title, value) for ai, value in self.scan.elements]


def describe_code(
    text: str, *, resolver_base: str, company_prefix_length: int | None = None
) -> CodeDescription:
    """Parse ``text`` (any form a scanner produces) and give its other forms.

    The Digital Link is omitted where the AIs have none (no primary key); the EPC URI is given
    where the company prefix length is known, from the caller or from an EPC URI itself.
    """
    return describe_scan(
        parse(text), resolver_base=resolver_base, company_prefix_length=company_prefix_length
    )


def describe_scan(
    scan: Scan, *, resolver_base: str, company_prefix_length: int | None = None
) -> CodeDescription:
    """The description of an already parsed code, e.g. one read from an image."""
    check_resolver_base(resolver_base)
    try:
        digital_link: str | None = build_digital_link(scan.elements, resolver_base)
    except InvalidCode:
        digital_link = None
    prefix_length = company_prefix_length or scan.company_prefix_length
    epc = None
    if prefix_length is not None:
        try:
            epc = epc_uri(scan.elements, prefix_length)
        except InvalidEpc:
            if (scan.lot, scan.serial) == (None, None) or scan.value("01") is None:
                raise
            # a GTIN with its lot and no serial names a class of units: an LGTIN
            epc = epc_class_uri(scan.elements, prefix_length)
    return CodeDescription(scan, digital_link, epc)


def looks_like_tag_hex(text: str) -> bool:
    """Whether ``text`` has the shape of an EPC memory bank as readers report it: 24 or 52 hex
    digits starting with a header unitrace decodes (30 SGTIN-96, 31 SSCC-96, 36 SGTIN-198)."""
    return (
        len(text) in (24, 52)
        and all(c in "0123456789ABCDEFabcdef" for c in text)
        and text[:2] in ("30", "31", "36")
    )


def epc_tag(
    text: str,
    *,
    company_prefix_length: int | None,
    scheme: TagScheme | None = None,
    filter_value: int | None = None,
) -> EpcTag:
    """The RFID tag encoding of a code, or the tag that hex read off a tag names.

    Hex is decoded; any other code is parsed and encoded in ``scheme``, by default SSCC-96 for
    an SSCC, SGTIN-96 for a serial it can hold (digits, no leading zero, below 2**38) and
    SGTIN-198 otherwise. Filter value defaults: 1 (point-of-sale item) for an SGTIN, 0 for an
    SSCC.
    """
    tag_refusal: InvalidEpc | None = None
    if looks_like_tag_hex(text) and scheme is None:
        try:
            return decode_epc_hex(text)
        except InvalidEpc as refused:
            tag_refusal = refused  # perhaps not a tag after all: read it as a code
    try:
        scan = parse(text)
    except InvalidCode:
        if tag_refusal is None:
            raise
        # Neither a tag nor a code: the tag's broken rule says more than the parser's
        # complaint about hex it was never meant to read.
        raise tag_refusal from None
    prefix_length = company_prefix_length or scan.company_prefix_length
    if prefix_length is None:
        raise InvalidEpc(
            "EPC: the company prefix length (6-12) is needed to encode this code; "
            "give --company-prefix-length"
        )
    if scan.sscc is not None and scan.serial is None:
        chosen = scheme or TagScheme.SSCC_96
        elements: tuple[ElementString, ...] = (ElementString("00", scan.sscc.value),)
    else:
        unit = scan.identity()
        chosen = scheme or (
            TagScheme.SGTIN_96 if fits_sgtin96(unit.serial) else TagScheme.SGTIN_198
        )
        elements = (ElementString("01", unit.gtin.value), ElementString("21", unit.serial))
    if filter_value is None:
        filter_value = 0 if chosen is TagScheme.SSCC_96 else 1
    return EpcTag(chosen, filter_value, prefix_length, elements)
