"""The values of EPCIS XML elements: their text, attributes, numbers and booleans, and where an
element stands in its document (for messages).
"""

from __future__ import annotations

import re
from typing import cast

from lxml import etree

from unitrace.epcis.xml import (
    XSI_NS,
    InvalidXml,
    local_name,
)

XSI_TYPE = f"{{{XSI_NS}}}type"
XSI_NIL = f"{{{XSI_NS}}}nil"
_INTEGER = re.compile(r"[+-]?\d+")
XSD_INTEGERS = frozenset(
    [
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
)

XSI = f"{{{XSI_NS}}}"


def attributes_of(element: etree._Element) -> list[tuple[str, str]]:
    # lxml gives str for both (the stubs allow bytes, which lxml returns only on Python 2).
    return cast("list[tuple[str, str]]", element.attrib.items())


def where(element: etree._Element) -> str:
    return f"line {element.sourceline}: <{local_name(element.tag)[1]}>"


def element_text(element: etree._Element) -> str:
    if len(element):
        raise InvalidXml(f"{where(element)} holds elements where a value belongs")
    return (element.text or "").strip()


def number_of(text: str, element: etree._Element) -> int | float:
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        raise InvalidXml(f"{where(element)} {text!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidXml(f"{where(element)} {text!r} is not a finite number")
    return number


def boolean_of(text: str, element: etree._Element) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise InvalidXml(f"{where(element)} {text!r} is not a boolean (true, false, 1 or 0)")
