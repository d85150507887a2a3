"""Describe a scanned or typed code: its form, its AIs and the other forms of the same data.

The command line's ``unitrace code parse`` and the HTTP API answer with this description, so
both give the same result for the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unitrace.gs1 import InvalidCode, Scan, build_digital_link, parse
from unitrace.gs1.digital_link import check_resolver_base
from unitrace.gs1.epc import epc_uri
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
    check_resolver_base(resolver_base)
    scan = parse(text)
    try:
        digital_link: str | None = build_digital_link(scan.elements, resolver_base)
    except InvalidCode:
        digital_link = None
    prefix_length = company_prefix_length or scan.company_prefix_length
    epc = epc_uri(scan.elements, prefix_length) if prefix_length is not None else None
    return CodeDescription(scan, digital_link, epc)
