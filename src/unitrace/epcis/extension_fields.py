"""An EPCIS 2.0 event's extension fields as flat rows, for the query parameters that look at
them (EPCIS 2.0 section 8.2.7.1: ``EQ_fieldname``, ``GT_INNER_ILMD_fieldname``,
``EXISTS_SENSORREPORT_fieldname`` …).

Where a field is (its :data:`Area`):

- ``event``: a top-level extension field of the event;
- ``ilmd``: a top-level field of the event's ``ilmd`` (its ILMD is user extensions and CBV
  master data attributes, ``cbvmda:lotNumber`` among them);
- ``errorDeclaration``, ``readPoint``, ``bizLocation``: an extension field of that object;
- ``sensorElement``, ``sensorMetadata``, ``sensorReport``: an extension field of a sensor
  element, of its metadata or of one of its reports.

A field nested in an extension field's object (at any depth, in arrays too) is ``inner`` in the
area of the field that holds it. Only namespaced names are extension fields (the JSON-LD binding
writes every extension ``prefix:localName``); an unqualified member of an object cannot be
named by a query and is not a row.

Names are written ``{namespace}localName`` (:func:`field_name`), the namespace without one
trailing separator (``#``, ``/`` or ``:``): the same field is declared ``http://ns.example.com/epcis``
in XML and ``http://ns.example.com/epcis/`` in JSON-LD, and the standard's own spelling of a
field in a query parameter is the namespace, ``#`` and the local name.

Values: a JSON string is text, and also a number where it reads as a decimal and a time where
it reads as a date-time with its offset or as a date (the JSON-LD binding writes typed values
of XML extensions as strings: ``"ext1:int": "10"``); a JSON number is a number and its text;
``true``/``false`` are text. An object, an array's object and ``null`` give a row with no
value, which ``EXISTS_`` finds.

>>> rows = extension_rows({"@context": [{"ex": "http://ex.com/"}],
...     "ex:size": "10", "ilmd": {"cbvmda:lotNumber": "L1"}})
>>> [(row.area, row.inner, row.name, row.text, row.number) for row in rows]
[('event', False, '{http://ex.com}size', '10', 10.0), ('ilmd', False, '{urn:epcglobal:cbv:mda}lotNumber', 'L1', None)]
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.hashing.extensions import STANDARD_NAMESPACES

__all__ = [
    "AREAS",
    "Area",
    "FieldRow",
    "attribute_name",
    "extension_rows",
    "field_name",
    "number_of",
    "time_of",
]

Area = Literal[
    "event",
    "ilmd",
    "errorDeclaration",
    "readPoint",
    "bizLocation",
    "sensorElement",
    "sensorMetadata",
    "sensorReport",
]
AREAS: Final[frozenset[str]] = frozenset(get_args(Area))
#: A decimal as XML Schema writes one (no exponent, no ``inf``): what a string must be to be
#: compared as a number.
_DECIMAL: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE_TIME: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_DATE: Final = re.compile(r"\d{4}-\d\d-\d\d")
_SEPARATORS: Final = "#/:"


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One occurrence of an extension field: where it is, its name, and its value as text,
    number and time (each None where the value is not one)."""

    area: Area
    inner: bool
    name: str
    text: str | None = None
    number: float | None = None
    time: dt.datetime | None = None


def field_name(namespace: str, local: str) -> str:
    """A field's name as rows and queries write it: ``{namespace}local``, the namespace
    without one trailing separator.

    >>> field_name("http://ns.example.com/epcis/", "a"), field_name("urn:epcglobal:cbv:mda:", "b")
    ('{http://ns.example.com/epcis}a', '{urn:epcglobal:cbv:mda}b')
    """
    if namespace and namespace[-1] in _SEPARATORS:
        namespace = namespace[:-1]
    return "{" + namespace + "}" + local


def attribute_name(text: str) -> str:
    """A master-data attribute's name, however written (``urn:epcglobal:cbv:mda#city`` in
    XML, ``cbvmda:city`` or its expansion ``urn:epcglobal:cbv:mda:city`` in JSON-LD), as
    :func:`field_name` writes names: split at its last ``#``, ``/`` or ``:`` after the scheme.

    >>> {attribute_name(t) for t in ("cbvmda:city", "urn:epcglobal:cbv:mda#city",
    ...                              "urn:epcglobal:cbv:mda:city")}
    {'{urn:epcglobal:cbv:mda}city'}
    """
    prefix, colon, local = text.partition(":")
    if colon and prefix in STANDARD_NAMESPACES and not local.startswith("//"):
        text = STANDARD_NAMESPACES[prefix] + local
    scheme = text.find(":") + 1
    cut = max(text.rfind(separator) for separator in _SEPARATORS)
    if cut < scheme or cut == len(text) - 1:
        return text
    return field_name(text[: cut + 1], text[cut + 1 :])


def number_of(text: str) -> float | None:
    """``text`` as a finite number where it is written as a decimal; else None."""
    if _DECIMAL.fullmatch(text.strip()) is None:
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def time_of(text: str) -> dt.datetime | None:
    """``text`` as a time in UTC where it is a date-time with its offset, or a date (the
    first instant of that day in UTC: ``cbvmda:itemExpirationDate`` is an ``xsd:date``); else
    None.

    >>> time_of("2028-01-31"), time_of("2028-01-31T00:00:00")
    (datetime.datetime(2028, 1, 31, 0, 0, tzinfo=datetime.timezone.utc), None)
    """
    stripped = text.strip()
    try:
        if _DATE.fullmatch(stripped) is not None:
            return dt.datetime.combine(dt.date.fromisoformat(stripped), dt.time(), dt.UTC)
        if _DATE_TIME.fullmatch(stripped) is not None:
            return dt.datetime.fromisoformat(stripped).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    return None


def extension_rows(document: Mapping[str, Any]) -> list[FieldRow]:
    """Every occurrence of an extension field in the event ``document`` (its JSON-LD, with
    its own ``@context`` where it declares namespaces)."""
    names = _Names({**STANDARD_NAMESPACES, **namespaces_of(document.get("@context"))})
    rows: list[FieldRow] = []
    rows += names.fields("event", document)
    for key, area in (
        ("ilmd", "ilmd"),
        ("errorDeclaration", "errorDeclaration"),
        ("readPoint", "readPoint"),
        ("bizLocation", "bizLocation"),
    ):
        holder = document.get(key)
        if isinstance(holder, Mapping):
            rows += names.fields(area, holder)  # type: ignore[arg-type]
    for element in _objects(document.get("sensorElementList")):
        rows += names.fields("sensorElement", element)
        metadata = element.get("sensorMetadata")
        if isinstance(metadata, Mapping):
            rows += names.fields("sensorMetadata", metadata)
        for report in _objects(element.get("sensorReport")):
            rows += names.fields("sensorReport", report)
    return rows


def _objects(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list | tuple):
        yield from (member for member in value if isinstance(member, Mapping))


class _Names:
    """The namespaces an event's prefixes resolve to, and its fields read with them."""

    __slots__ = ("namespaces",)

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces

    def name(self, key: str) -> str | None:
        """``{namespace}local`` for a namespaced key (``prefix:local``, ``{uri}local`` or an
        absolute IRI); None for a key with none, or with a prefix nothing declares."""
        if key.startswith("@"):
            return None
        if key.startswith("{"):
            namespace, closed, local = key[1:].partition("}")
            return field_name(namespace, local) if closed and local else None
        prefix, colon, local = key.partition(":")
        if not colon or not local:
            return None
        if local.startswith("//"):
            cut = max(key.rfind("/"), key.rfind("#")) + 1
            return field_name(key[:cut], key[cut:]) if cut < len(key) else None
        declared = self.namespaces.get(prefix)
        return None if declared is None else field_name(declared, local)

    def fields(self, area: Area, holder: Mapping[str, Any]) -> Iterator[FieldRow]:
        for key, value in holder.items():
            name = self.name(key)
            if name is not None:
                yield from self._values(area, False, name, value)

    def _values(self, area: Area, inner: bool, name: str, value: Any) -> Iterator[FieldRow]:
        if isinstance(value, list | tuple):
            for member in value:
                yield from self._values(area, inner, name, member)
        elif isinstance(value, Mapping):
            yield FieldRow(area, inner, name)
            for key, member in value.items():
                member_name = self.name(key)
                if member_name is not None:
                    yield from self._values(area, True, member_name, member)
        elif value is None:
            yield FieldRow(area, inner, name)
        elif isinstance(value, bool):
            yield FieldRow(area, inner, name, "true" if value else "false")
        elif isinstance(value, int | float):
            number = float(value)
            yield FieldRow(
                area, inner, name, _number_text(value), number if math.isfinite(number) else None
            )
        else:
            text = str(value)
            yield FieldRow(area, inner, name, text, number_of(text), time_of(text))


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)
