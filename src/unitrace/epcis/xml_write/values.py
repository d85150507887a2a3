"""JSON values as the XML writer takes them: strings, arrays, objects, numbers as
``xsd:decimal`` text, CBV words as the URIs the XML binding writes, and the :class:`Fault` of a
field that has no XML form.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from unitrace.epcis.xml import (
    XSI_NS,
    CbvTerms,
)

XSI_TYPE = f"{{{XSI_NS}}}type"
XSI_NIL = f"{{{XSI_NS}}}nil"


class Fault(Exception):
    """A field of one event that cannot be written; the writer adds which event."""


def fault_at(path: str, message: str) -> Fault:
    return Fault(f"{path}: {message}")


def string_of(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise fault_at(path, f"must be a string, not {type(value).__name__} {value!r}")
    return value


def array_of(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise fault_at(path, f"must be an array, not {type(value).__name__}")
    return value


def object_of(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise fault_at(path, f"must be an object, not {type(value).__name__}")
    return value


def number_text(value: Any, path: str) -> str:
    # bool is an int to Python but not a number to JSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fault_at(path, f"must be a number, not {type(value).__name__} {value!r}")
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise fault_at(path, f"must be a finite number, not {value!r}")
    # xsd:decimal has no exponent, and repr() of a float is its shortest exact decimal; the
    # point keeps 1e308 a float when read back (as an integer it would be exactly 10**308).
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def term_uri(terms: CbvTerms, value: Any, path: str) -> str:
    try:
        return terms.uri(string_of(value, path))
    except ValueError as error:
        raise fault_at(path, str(error)) from None
