"""GS1 identifiers: keys, Application Identifiers, and every form a unit's code takes.

Pure: no database, no network, no configuration read from the environment.
"""

from unitrace.gs1.digital_link import DEFAULT_RESOLVER_BASE, build_digital_link
from unitrace.gs1.element_strings import (
    GROUP_SEPARATOR,
    encode_element_string,
    parse_element_string,
)
from unitrace.gs1.elements import ElementString, validate_combination, validate_element
from unitrace.gs1.errors import (
    InvalidCharacter,
    InvalidCheckDigit,
    InvalidCode,
    InvalidCombination,
    InvalidDate,
    InvalidDigitalLink,
    InvalidElementString,
    InvalidEpc,
    InvalidLength,
    InvalidValue,
    UnknownApplicationIdentifier,
    UnrecognisedCode,
)
from unitrace.gs1.hri import format_hri, parse_hri
from unitrace.gs1.identity import UnitIdentity
from unitrace.gs1.keys import Expiry, Gln, Gtin, Sscc
from unitrace.gs1.scan import Scan, ScanForm, parse

__all__ = [
    "DEFAULT_RESOLVER_BASE",
    "GROUP_SEPARATOR",
    "ElementString",
    "Expiry",
    "Gln",
    "Gtin",
    "InvalidCharacter",
    "InvalidCheckDigit",
    "InvalidCode",
    "InvalidCombination",
    "InvalidDate",
    "InvalidDigitalLink",
    "InvalidElementString",
    "InvalidEpc",
    "InvalidLength",
    "InvalidValue",
    "Scan",
    "ScanForm",
    "Sscc",
    "UnitIdentity",
    "UnknownApplicationIdentifier",
    "UnrecognisedCode",
    "build_digital_link",
    "encode_element_string",
    "format_hri",
    "parse",
    "parse_element_string",
    "parse_hri",
    "validate_combination",
    "validate_element",
]
