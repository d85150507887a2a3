"""The EPCIS 2.0 extension-field and quantity query parameters (section 8.2.7.1) read into
:class:`~unitrace.store.epcis_query.FieldCondition` s.

The families, each ``EQ_``, ``GT_``, ``GE_``, ``LT_``, ``LE_`` or ``EXISTS_`` and then, where
the field is (see :mod:`unitrace.epcis.extension_fields`):

- ``fieldname``: a top-level extension field of the event; ``INNER_fieldname`` one nested in
  an extension field at any depth;
- ``ILMD_``, ``INNER_ILMD_``: in the event's ILMD;
- ``ERROR_DECLARATION_``, ``INNER_ERROR_DECLARATION_``: in its errorDeclaration;
- ``SENSORELEMENT_``, ``SENSORMETADATA_``, ``SENSORREPORT_`` and their ``INNER_`` forms: in a
  sensor element, its metadata or one of its reports;
- ``readPoint_``, ``bizLocation_`` and their ``INNER_`` forms: in the readPoint or bizLocation;

and ``EQ_quantity``, ``GT_quantity`` … (a QuantityElement's quantity, whatever its unit) and
``EQ_quantity_<uom>`` … (of the QuantityElements in that unit).

A field is named (the ``fieldname``) in any of three spellings, all meaning the same field:

- ``prefix:localName`` (the REST binding's query schema), the prefix declared in the query's
  ``@context`` (a named query's JSON), in the ``GS1-Extensions`` header of a query string
  (``ext1=http://example.com/ext1/``), or one of the EPCIS context's own (``cbvmda``, ``gs1`` …);
- ``namespace#localName`` (the standard's: the namespace URI, a pound sign, the name);
- ``{namespace}localName``.

Values: ``EQ_`` takes a list, each value matching a field's text, and a field's number or time
where the value reads as one (``EQ_ext1:int=10`` finds ``"10"`` and ``10.0``); ``GT_`` …
take one number, or one time with its zone or a date (its first instant in UTC, as a field
written as a date is kept: ``GE_ILMD_cbvmda:itemExpirationDate=2028-01-01``), compared with
fields of that type only (a text never compares greater); ``EXISTS_`` takes no value and finds
a field present, even empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, get_args

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.extension_fields import field_name, number_of, time_of
from unitrace.epcis.hashing.extensions import STANDARD_NAMESPACES
from unitrace.services.epcis_query.values import QueryParameterException
from unitrace.store.epcis_query.field_conditions import FieldCondition, FieldOperator
from unitrace.store.event_fields import QUANTITY_AREA

__all__ = [
    "CONTEXT",
    "extensions_context",
    "field_condition_of",
    "is_field_list",
    "is_field_parameter",
    "is_field_presence",
    "query_namespaces",
    "stored_field_value",
]

#: The parameter that carries a query's namespace declarations (the query schema's).
CONTEXT: Final = "@context"
_AREAS: Final = {
    None: "event",
    "ILMD": "ilmd",
    "ERROR_DECLARATION": "errorDeclaration",
    "SENSORELEMENT": "sensorElement",
    "SENSORMETADATA": "sensorMetadata",
    "SENSORREPORT": "sensorReport",
    "readPoint": "readPoint",
    "bizLocation": "bizLocation",
}
_FIELD: Final = re.compile(
    r"(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?"
    r"(?:(ILMD|ERROR_DECLARATION|SENSORELEMENT|SENSORMETADATA|SENSORREPORT|readPoint|bizLocation)_)?"
    r"(.*[:#{].*)"
)
_QUANTITY: Final = re.compile(r"(EQ|GT|GE|LT|LE)_quantity(?:_(.*))?")
_UOM: Final = re.compile(r"[A-Z0-9]{2,4}")
_LOCAL: Final = re.compile(r"[A-Za-z_][\w.\-]*")
_PREFIX: Final = re.compile(r"[A-Za-z][\w.\-]*")
_NAMESPACE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s{}]*")
_OPERATORS: Final[Mapping[str, FieldOperator]] = {
    "EQ": "eq",
    "GT": "gt",
    "GE": "ge",
    "LT": "lt",
    "LE": "le",
    "EXISTS": "exists",
}
assert set(_OPERATORS.values()) == set(get_args(FieldOperator))


def is_field_parameter(key: str) -> bool:
    """Whether ``key`` is an extension-field or quantity parameter."""
    return _QUANTITY.fullmatch(key) is not None or _field(key) is not None


def _field(key: str) -> re.Match[str] | None:
    # EQ_ATTR_ (a master-data attribute) is a family of its own, whatever its name holds
    return None if key.startswith("EQ_ATTR_") else _FIELD.fullmatch(key)


def is_field_list(key: str) -> bool:
    """Whether ``key`` takes a list (``EQ_`` ones do)."""
    return key.startswith("EQ_") and is_field_parameter(key)


def is_field_presence(key: str) -> bool:
    """Whether ``key`` takes no value (``EXISTS_`` ones)."""
    return key.startswith("EXISTS_") and _field(key) is not None


def query_namespaces(key: str, context: str | None) -> dict[str, str]:
    """The ``{prefix: namespace}`` a query may name fields with: the EPCIS context's and
    those its ``@context`` (as JSON text) declares."""
    declared: dict[str, str] = {}
    if context is not None:
        try:
            declared = namespaces_of(json.loads(context))
        except (ValueError, RecursionError):
            # ValueError: not JSON, or an integer of over 4,300 digits; RecursionError:
            # arrays nested some thousands deep
            raise QueryParameterException(key, "is not a JSON-LD @context") from None
    return {**STANDARD_NAMESPACES, **declared}


def extensions_context(header: str) -> str:
    """The ``GS1-Extensions`` header (``prefix=namespace`` pairs, comma-separated) as the
    ``@context`` parameter of a query string."""
    declared: dict[str, str] = {}
    for pair in header.split(","):
        if not pair.strip():
            continue
        prefix, equals, namespace = (part.strip() for part in pair.partition("="))
        if not equals or _PREFIX.fullmatch(prefix) is None or ":" not in namespace:
            raise QueryParameterException(
                "GS1-Extensions", f"{pair.strip()!r} is not prefix=namespace URI"
            )
        declared[prefix] = namespace
    return json.dumps([declared], separators=(",", ":"))


def field_condition_of(
    key: str, values: Sequence[str], namespaces: Mapping[str, str]
) -> FieldCondition | None:
    """The condition of the extension-field or quantity parameter ``key``; None where
    ``key`` is none; :class:`QueryParameterException` for a name or value it cannot read."""
    if (quantity := _QUANTITY.fullmatch(key)) is not None:
        operator, uom = quantity.groups()
        if uom is not None and _UOM.fullmatch(uom) is None:
            raise QueryParameterException(
                key, f"{uom!r} is not a unit of measure (a UN/CEFACT code: KGM, LTR …)"
            )
        numbers = tuple(_number(key, value) for value in values)
        if operator != "EQ" and len(numbers) != 1:
            raise QueryParameterException(key, "takes one number")
        return FieldCondition(_OPERATORS[operator], QUANTITY_AREA, False, uom, numbers=numbers)
    if (field := _field(key)) is None:
        return None
    operator, inner, where, spelled = field.groups()
    area, nested, name = _AREAS[where], inner is not None, _name(key, spelled, namespaces)
    if operator == "EXISTS":
        if values[0] not in ("", "true", "1"):
            raise QueryParameterException(key, f"takes no value ({key}=)")
        return FieldCondition("exists", area, nested, name)
    if operator == "EQ":
        numbers = tuple(number for value in values if (number := number_of(value)) is not None)
        times = tuple(time for value in values if (time := time_of(value)) is not None)
        return FieldCondition("eq", area, nested, name, tuple(values), numbers, times)
    (value,) = values
    number, time = number_of(value), time_of(value)
    if number is not None:
        return FieldCondition(_OPERATORS[operator], area, nested, name, numbers=(number,))
    if time is not None:
        return FieldCondition(_OPERATORS[operator], area, nested, name, times=(time,))
    raise QueryParameterException(
        key, f"{value!r} is neither a number, a time with its zone (Z or ±hh:mm) nor a date"
    )


def _name(key: str, spelled: str, namespaces: Mapping[str, str]) -> str:
    """The field ``spelled`` names, as :func:`~unitrace.epcis.extension_fields.field_name`
    writes it."""
    namespace: str | None
    if spelled.startswith("{"):
        namespace, _, local = spelled[1:].partition("}")
    elif "#" in spelled:
        # the standard's pound sign joins the namespace and the name: it is no part of either
        namespace, _, local = spelled.rpartition("#")
    else:
        prefix, _, local = spelled.partition(":")
        if _PREFIX.fullmatch(prefix) is None:
            raise QueryParameterException(
                key, f"{spelled!r} is not a field name (prefix:localName or namespace#localName)"
            )
        namespace = namespaces.get(prefix)
        if namespace is None:
            raise QueryParameterException(
                key,
                f"the prefix {prefix!r} is not declared: declare it in the query's @context or "
                "the GS1-Extensions header, or write the field namespace#localName",
            )
    if _NAMESPACE.fullmatch(namespace) is None or _LOCAL.fullmatch(local) is None:
        raise QueryParameterException(
            key, f"{spelled!r} is not a field name (prefix:localName or namespace#localName)"
        )
    return field_name(namespace, local)


def _number(key: str, text: str) -> float:
    number = number_of(text)
    if number is None:
        raise QueryParameterException(key, f"{text!r} is not a number")
    return number


def stored_field_value(key: str, values: Sequence[str]) -> Any:
    """A field or quantity parameter's value as the REST binding's query schema writes it in
    a named query: quantities as numbers (a list for ``EQ_``), ``EQ_`` fields as lists of
    strings, the others a number where they read as one, else a string."""
    if _QUANTITY.fullmatch(key) is not None:
        numbers = [_json_number(value) for value in values]
        return numbers if key.startswith("EQ_") else numbers[0]
    if key.startswith("EQ_"):
        return list(values)
    return _json_number(values[0]) if number_of(values[0]) is not None else values[0]


def _json_number(text: str) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
