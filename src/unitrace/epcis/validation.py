"""What makes an EPCIS 2.0 JSON-LD document acceptable: the official JSON Schema, and the rules
the schema cannot say.

**The schema.** Every rule of ``EPCIS-JSON-Schema.json`` (EPCIS 2.0, draft 7, with its ``uri``
and ``date-time`` formats) is coded here directly, field by field, instead of run through a
general JSON Schema validator: the validator takes milliseconds per event, this takes
microseconds, and capture must keep up with packaging lines. The tests hold the two to the same
verdict on the official examples and on every broken document they build.

**The rules beyond the schema**, checked by :func:`document_problems` with ``rules=True``:

- EPC URIs and GS1 Digital Links that name objects, classes, places and parties (``epcList``,
  ``parentID``, ``childEPCs``, inputs, outputs, ``epcClass``, ``readPoint``, ``bizLocation``,
  sources, destinations) are read through :mod:`unitrace.gs1`: a malformed
  ``urn:epc:id:sgtin:…`` or a Digital Link with a bad check digit is refused; EPC schemes the
  code layer does not read (``giai``, ``pgln``, ``idpat``…) and other URIs (``urn:uuid:…``,
  ``https://example.com/…`` without a GS1 key in its path) pass, as EPCIS allows any URI;
- ``eventTimeZoneOffset`` lies within -12:00…+14:00, the offsets in use on Earth (the schema
  lets -13:59 through);
- a prefixed extension field (``ext1:float``, at any depth) has its prefix declared in the
  document's ``@context`` or in the EPCIS context;
- the event type is one of the five of EPCIS 2.0 (the schema admits any URI as a type, which
  a repository cannot index);
- an aggregation or association names each child once, and never its parent as a child; a
  TransformationEvent carries ILMD only with outputs, which it creates;
- a sensor report's ``uom`` is a UN/CEFACT Recommendation 20 code, as a quantity's is.

Each problem names the event (its index in ``eventList``, from 0, and its eventID where it has
one), the field (a path such as ``sourceList[1].source``) and the rule.

>>> import json
>>> event = {"type": "ObjectEvent", "eventID": "urn:uuid:1", "action": "OBSERVE",
...          "eventTime": "2026-01-01T00:00:00Z", "eventTimeZoneOffset": "+25:00",
...          "epcList": [], "bizStep": "shiping"}
>>> for problem in event_problems(event, {}, index=3):
...     print(problem)
event 3 (urn:uuid:1): eventTimeZoneOffset: "+25:00" is not an offset ±HH:MM within -12:00…+14:00
event 3 (urn:uuid:1): bizStep: "shiping" is not a CBV 2.0 business step
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.vocabulary import (
    BizStep,
    BizTransactionType,
    Component,
    Disposition,
    ErrorReason,
    MeasurementType,
    SensorAlertType,
    SourceDestType,
)
from unitrace.gs1.digital_link import parse_digital_link
from unitrace.gs1.epc import parse_epc_uri
from unitrace.gs1.errors import InvalidCode
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY


@dataclass(frozen=True, slots=True)
class EventProblem:
    """One thing wrong with a document: in the event at ``index`` of its ``eventList`` (None
    for the document's own fields, or for an event read alone), the event's ID where it has
    one, the field, and what is wrong."""

    index: int | None
    event_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.index is not None:
            where = f"event {self.index}"
            where += f" ({self.event_id}): " if self.event_id else ": "
        elif self.event_id:
            where = f"event ({self.event_id}): "
        else:
            where = ""
        return f"{where}{self.field}: {self.message}"


class InvalidDocument(ValueError):
    """An EPCIS document (or event) that breaks the schema or a rule: every problem found."""

    def __init__(self, problems: Iterable[EventProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- formats -------------------------------------------------------------------------------

# RFC 3986 "URI": scheme ":" hier-part [ "?" query ] [ "#" fragment ]. An IP literal is taken
# loosely (hex digits, colons, dots within brackets); nothing in EPCIS names a host by one.
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_PCT})"
_AUTHORITY = (
    rf"(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|{_PCT})*@)?"
    rf"(?:\[[0-9A-Fa-f:.vV]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|{_PCT})*)"
    r"(?::[0-9]*)?"
)
_URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:"
    rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|(?!//)(?:{_PCHAR}|/)*)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
)
# RFC 3339 date-time, as the schema's date-time format reads it (upper-case T and Z)
_DATE_TIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
_SCHEMA_OFFSET = re.compile(r"[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)")
_VERSION = re.compile(r"\d+(?:\.\d+)*", re.ASCII)
_UOM = re.compile(r"[A-Z0-9]{2,3}")
_HEX = re.compile(r"[A-Fa-f0-9]+")
# CBV words are written bare in JSON-LD: their URI forms are refused by the schema
_CBV_URI = re.compile(r"urn:epcglobal:cbv|https?://ns\.gs1\.org/cbv/")
_WEB_VOCABULARY_URI = re.compile(r"https?://gs1\.org/voc/|https?://www\.gs1\.org/voc/")

#: Prefixes the EPCIS 2.0 context declares: usable without a declaration of one's own.
STANDARD_PREFIXES = frozenset({"epcis", "cbv", "cbvmda", "gs1", "rdfs", "owl", "xsd", "dcterms"})


def is_uri(text: str) -> bool:
    """Whether ``text`` is a URI as RFC 3986 defines one (a scheme, then the rest).

    >>> is_uri("urn:epc:id:sgtin:0614141.107346.2017"), is_uri("shipping"), is_uri("a b:c")
    (True, False, False)
    """
    return _URI.fullmatch(text) is not None


def is_date_time(text: str) -> bool:
    """Whether ``text`` is an RFC 3339 date-time, with its UTC offset, on a day that exists.

    >>> is_date_time("2005-04-03T20:33:31.116-06:00"), is_date_time("2005-02-30T00:00:00Z")
    (True, False)
    """
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return False
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    return year > 0 and 1 <= day <= calendar.monthrange(year, month)[1]


def _offset_in_use(text: str) -> bool:
    sign, hours, minutes = text[0], int(text[1:3]), int(text[4:6])
    return hours * 60 + minutes <= (14 * 60 if sign == "+" else 12 * 60)


# --- identifiers through the code layer ----------------------------------------------------

_EPC_SCHEMES_READ = ("id:sgtin:", "id:sscc:", "id:sgln:", "class:lgtin:")
_DIGITAL_LINK_KEYS = frozenset(
    ai for ai, entry in SYNTAX_DICTIONARY.items() if entry.digital_link_primary_key
)


# The common shapes of the EPCs a packaging line writes, with serials of letters and digits
# only: every URI these match is one parse_epc_uri reads (the check digit is computed, not
# written), so they are taken without the full parse, which costs ten times as much. The
# property tests hold the two to that.
_PLAIN_EPC = re.compile(
    r"urn:epc:id:(?:"
    r"sgtin:(?=[0-9.]{14}\.)[0-9]{6,12}\.[0-9]{1,7}\.[A-Za-z0-9]{1,20}"
    r"|sscc:(?=[0-9.]{18}$)[0-9]{6,12}\.[0-9]{5,11}"
    r"|sgln:(?=[0-9.]{13}\.)[0-9]{6,12}\.[0-9]{0,6}\.[A-Za-z0-9]{1,20}"
    r")",
    re.ASCII,
)


@lru_cache(maxsize=8192)
def identifier_problem(uri: str) -> str | None:
    """What is wrong with ``uri`` as the name of an object, class, place or party, or None:
    EPC URIs of the schemes :mod:`unitrace.gs1` reads, and GS1 Digital Links (an http(s) URI
    with a GS1 primary key in its path), are read in full; other URIs pass.

    >>> identifier_problem("urn:epc:id:sgtin:0614141.107346.2017") is None
    True
    >>> identifier_problem("https://id.gs1.org/01/09506000134353/21/1")
    'AI (01): check digit 2 expected, got 3'
    >>> identifier_problem("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6") is None
    True
    """
    lowered = uri[:8].lower()
    if lowered == "urn:epc:":
        if _PLAIN_EPC.fullmatch(uri) is None and uri[8:].startswith(_EPC_SCHEMES_READ):
            try:
                parse_epc_uri(uri)
            except InvalidCode as error:
                return str(error)
        return None
    if lowered.startswith(("http://", "https://")):
        path = uri.partition("//")[2].partition("?")[0].partition("#")[0]
        segments = path.split("/")[1:]
        if any(segment in _DIGITAL_LINK_KEYS for segment in segments[:-1]):
            try:
                parse_digital_link(uri)
            except InvalidCode as error:
                return str(error)
    return None


# --- the checks ----------------------------------------------------------------------------


class _Report:
    """Collects the problems of one event (or of the document's own fields)."""

    __slots__ = ("event_id", "from_xml", "index", "namespaces", "problems", "rules")

    def __init__(
        self,
        index: int | None,
        event_id: str | None,
        namespaces: Mapping[str, str],
        rules: bool,
        from_xml: bool = False,
    ) -> None:
        self.index = index
        self.event_id = event_id
        self.namespaces = namespaces
        self.rules = rules
        #: read from XML, whose schema (the XSD) is wider than the JSON Schema in two places
        self.from_xml = from_xml
        self.problems: list[EventProblem] = []

    def __call__(self, field: str, message: str) -> None:
        self.problems.append(EventProblem(self.index, self.event_id, field, message))

    def prefix(self, key: str, path: str) -> None:
        """The rule that a compact IRI's prefix is declared (a full URI needs none)."""
        prefix, _, rest = key.partition(":")
        if (
            rest.startswith("//")
            or prefix in ("urn", "http", "https")
            or prefix in self.namespaces
            or prefix in STANDARD_PREFIXES
        ):
            return
        self(path, f'prefix "{prefix}" is not declared in the document\'s @context')

    def extension(self, key: str, value: Any, path: str) -> None:
        """An extension field: its prefix, and those of the fields within it."""
        if not self.rules:
            return
        self.prefix(key, path)
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for inner, nested in item.items():
                    if ":" in inner and not inner.startswith("@"):
                        self.prefix(inner, f"{path}.{inner}")
                    stack.append(nested)
            elif isinstance(item, list):
                stack.extend(item)


#: A check of one field: it reports what is wrong; what it returns (where it returns
#: something) says whether the value was well formed.
Check = Callable[[Any, str, _Report], object]


def _quoted(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _string(value: Any, path: str, report: _Report) -> bool:
    if isinstance(value, str):
        return True
    report(path, f"must be a string, not {_quoted(value)}")
    return False


def _uri(value: Any, path: str, report: _Report) -> bool:
    if not isinstance(value, str):
        report(path, f"must be a URI string, not {_quoted(value)}")
        return False
    if _URI.fullmatch(value) is None:
        report(path, f"{_quoted(value)} is not a URI")
        return False
    return True


def _identifier(value: Any, path: str, report: _Report) -> None:
    if isinstance(value, str) and _PLAIN_EPC.fullmatch(value) is not None:
        return  # a URI, and a well-formed EPC
    if _uri(value, path, report) and report.rules:
        problem = identifier_problem(value)
        if problem is not None:
            report(path, f"{_quoted(value)}: {problem}")


def _time(value: Any, path: str, report: _Report) -> None:
    if not isinstance(value, str) or not is_date_time(value):
        report(path, f"{_quoted(value)} is not a date-time with its UTC offset (RFC 3339)")
    elif not in_utc_years(value):
        report(path, f"{_quoted(value)} falls outside the years 1 to 9999 in UTC")


def in_utc_years(text: str) -> bool:
    """Whether the RFC 3339 date-time ``text`` falls within the years 1 to 9999 once moved to
    UTC and rounded to the millisecond, as the event hash and the repository write it (a time
    at the very edge of the calendar, with an offset that moves it past the edge, cannot be).

    >>> in_utc_years("2026-01-01T00:00:00+14:00"), in_utc_years("9999-12-31T23:59:59-12:00")
    (True, False)
    >>> in_utc_years("0001-01-01T00:00:00+14:00"), in_utc_years("9999-12-31T23:59:59.9999Z")
    (False, False)
    >>> in_utc_years("0001-01-01T00:00:00Z"), in_utc_years("9999-12-31T23:59:59.999Z")
    (True, True)
    """
    match = _DATE_TIME.fullmatch(text)
    assert match is not None, "an RFC 3339 date-time"
    if int(match[1]) not in (1, 9999):
        return True  # no offset moves a time a whole year
    seconds = dt.datetime.fromisoformat(text[:19] + (text[-6:] if text[-1] != "Z" else "+00:00"))
    fraction = text[20:].rstrip("Z").split("+")[0].split("-")[0] if text[19] == "." else ""
    milliseconds = round(float(f"0.{fraction or 0}") * 1000)
    try:
        # rounding to the millisecond may carry a fraction up to the next second
        seconds.astimezone(dt.UTC) + dt.timedelta(milliseconds=milliseconds)
    except OverflowError:
        return False
    return True


def _number(value: Any, path: str, report: _Report) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        report(path, f"must be a number, not {_quoted(value)}")


def _list(value: Any, path: str, report: _Report, min_items: int = 0) -> bool:
    if not isinstance(value, list):
        report(path, f"must be an array, not {_quoted(value)}")
        return False
    if len(value) < min_items:
        report(path, f"must hold at least {min_items} item{'s' if min_items > 1 else ''}")
        return False
    return True


def _object(value: Any, path: str, report: _Report) -> bool:
    if isinstance(value, dict):
        return True
    report(path, f"must be an object, not {_quoted(value)}")
    return False


def _required(value: dict[str, Any], keys: Iterable[str], path: str, report: _Report) -> None:
    for key in keys:
        if key not in value:
            report(f"{path}{key}", "is required, and missing")


def _unique(items: list[Any], path: str, report: _Report) -> None:
    if len(items) < 2:
        return
    try:
        distinct = len(set(items))
    except TypeError:  # unhashable items, already reported as not URIs
        return
    if distinct != len(items):
        seen: set[Any] = set()
        for item in items:
            if item in seen:
                report(path, f"{_quoted(item)} is named twice")
                return
            seen.add(item)


def _word(
    words: frozenset[str],
    what: str,
    reserved: re.Pattern[str] = _CBV_URI,
    writes: str = "CBV words",
) -> Check:
    """A check of a vocabulary field: one of ``words``, or a URI outside the standard's own
    namespace (whose terms are written bare)."""

    def check(value: Any, path: str, report: _Report) -> None:
        if not isinstance(value, str):
            report(path, f"must be a string, not {_quoted(value)}")
        elif value in words:
            return
        elif _URI.fullmatch(value) is None:
            report(path, f'"{value}" is not {what}')
        elif reserved.match(value) is not None:
            report(path, f'"{value}": {writes} are written bare in JSON-LD, without their URI')

    return check


_biz_step = _word(frozenset(BizStep), "a CBV 2.0 business step")
_disposition = _word(frozenset(Disposition), "a CBV 2.0 disposition")
_biz_transaction_type = _word(frozenset(BizTransactionType), "a CBV 2.0 business transaction type")
_source_dest_type = _word(frozenset(SourceDestType), "a CBV 2.0 source/destination type")
_error_reason = _word(frozenset(ErrorReason), "a CBV 2.0 error reason")
_component = _word(frozenset(Component), "a CBV 2.0 component")
_measurement_type = _word(
    frozenset(MeasurementType),
    "a GS1 Web Vocabulary measurement type",
    _WEB_VOCABULARY_URI,
    "GS1 Web Vocabulary terms",
)
_sensor_alert_type = _word(
    frozenset(SensorAlertType),
    "a GS1 Web Vocabulary sensor alert type",
    _WEB_VOCABULARY_URI,
    "GS1 Web Vocabulary terms",
)


def _action(value: Any, path: str, report: _Report) -> None:
    if value not in ("ADD", "OBSERVE", "DELETE") or not isinstance(value, str):
        report(path, f"{_quoted(value)} is not an action (ADD, OBSERVE, DELETE)")


def _offset(value: Any, path: str, report: _Report) -> None:
    if (
        not isinstance(value, str)
        or _SCHEMA_OFFSET.fullmatch(value) is None
        or (report.rules and not _offset_in_use(value))
    ):
        report(path, f"{_quoted(value)} is not an offset ±HH:MM within -12:00…+14:00")


def _context(value: Any, path: str, report: _Report) -> None:
    if isinstance(value, dict):
        return
    if isinstance(value, str):
        _uri(value, path, report)
        return
    if not isinstance(value, list):
        report(path, f"must be a URI, an object or an array of them, not {_quoted(value)}")
        return
    for number, entry in enumerate(value):
        if not isinstance(entry, dict):
            _uri(entry, f"{path}[{number}]", report)
    strings = [entry for entry in value if isinstance(entry, str)]
    if len(set(strings)) != len(strings) or any(
        value.count(entry) > 1 for entry in value if isinstance(entry, dict)
    ):
        report(path, "names an entry twice")


def _certification_info(value: Any, path: str, report: _Report) -> None:
    if isinstance(value, list):
        for number, item in enumerate(value):
            _uri(item, f"{path}[{number}]", report)
    else:
        _uri(value, path, report)


def _open_fields(
    value: dict[str, Any],
    known: Mapping[str, Check],
    path: str,
    report: _Report,
) -> None:
    """Checks the fields of an object whose other fields must be extensions (URIs)."""
    for key, item in value.items():
        check = known.get(key)
        if check is not None:
            check(item, f"{path}{key}", report)
        elif _URI.fullmatch(key) is None:
            report(
                f"{path}{key}",
                "is not a field EPCIS 2.0 knows here, nor an extension (prefix:name)",
            )
        else:
            report.extension(key, item, f"{path}{key}")


def _closed_fields(
    value: dict[str, Any],
    known: Mapping[str, Check],
    path: str,
    report: _Report,
) -> None:
    """Checks the fields of an object that allows no others."""
    for key, item in value.items():
        check = known.get(key)
        if check is None:
            report(f"{path}{key}", "is not a field EPCIS 2.0 allows here")
        else:
            check(item, f"{path}{key}", report)


def _error_declaration(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    _required(value, ("declarationTime",), f"{path}.", report)
    _open_fields(value, _ERROR_DECLARATION_FIELDS, f"{path}.", report)


def _corrective_event_ids(value: Any, path: str, report: _Report) -> None:
    if _list(value, path, report):
        for number, item in enumerate(value):
            _uri(item, f"{path}[{number}]", report)


_ERROR_DECLARATION_FIELDS: dict[str, Check] = {
    "declarationTime": _time,
    "reason": _error_reason,
    "correctiveEventIDs": _corrective_event_ids,
}


def _epc_list(unique: bool) -> Check:
    def check(value: Any, path: str, report: _Report) -> None:
        if not _list(value, path, report):
            return
        for number, item in enumerate(value):
            _identifier(item, f"{path}[{number}]", report)
        if unique:
            _unique(value, path, report)

    return check


def _quantity_element(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    _required(value, ("epcClass",), f"{path}.", report)
    _closed_fields(value, _QUANTITY_FIELDS, f"{path}.", report)


def _uom(value: Any, path: str, report: _Report) -> None:
    if not isinstance(value, str) or _UOM.fullmatch(value) is None:
        report(path, f"{_quoted(value)} is not a UN/CEFACT Recommendation 20 unit code")


_QUANTITY_FIELDS: dict[str, Check] = {
    "epcClass": _identifier,
    "quantity": _number,
    "uom": _uom,
}


def _items(check: Check, min_items: int = 0) -> Check:
    def each(value: Any, path: str, report: _Report) -> None:
        if _list(value, path, report, min_items):
            for number, item in enumerate(value):
                check(item, f"{path}[{number}]", report)

    return each


def _place(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    if "id" not in value:
        report(f"{path}.id", "is required, and missing")
    for key, item in value.items():
        if key == "id":
            _identifier(item, f"{path}.id", report)
        elif ":" in key:
            report.extension(key, item, f"{path}.{key}")


def _biz_transaction(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    _required(value, ("bizTransaction",), f"{path}.", report)
    _closed_fields(value, _BIZ_TRANSACTION_FIELDS, f"{path}.", report)


_BIZ_TRANSACTION_FIELDS: dict[str, Check] = {
    "type": _biz_transaction_type,
    "bizTransaction": _uri,
}


def _source_dest(role: str) -> Check:
    fields = {"type": _source_dest_type, role: _identifier}

    def check(value: Any, path: str, report: _Report) -> None:
        if not _object(value, path, report):
            return
        _required(value, ("type", role), f"{path}.", report)
        _closed_fields(value, fields, f"{path}.", report)

    return check


def _persistent_disposition(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    if "set" not in value and "unset" not in value:
        report(path, "needs set, unset or both")
    _closed_fields(value, _PERSISTENT_FIELDS, f"{path}.", report)


def _dispositions(value: Any, path: str, report: _Report) -> None:
    if _list(value, path, report, 1):
        for number, item in enumerate(value):
            _disposition(item, f"{path}[{number}]", report)
        _unique(value, path, report)


_PERSISTENT_FIELDS: dict[str, Check] = {
    "set": _dispositions,
    "unset": _dispositions,
}


def _ilmd(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    for key, item in value.items():
        if _URI.fullmatch(key) is None:
            report(f"{path}.{key}", "is not a master-data attribute (prefix:name or a URI)")
        else:
            report.extension(key, item, f"{path}.{key}")


def _boolean(value: Any, path: str, report: _Report) -> None:
    if not isinstance(value, bool):
        report(path, f"must be true or false, not {_quoted(value)}")


def _hex_binary(value: Any, path: str, report: _Report) -> None:
    if not isinstance(value, str) or _HEX.fullmatch(value) is None:
        report(path, f"{_quoted(value)} is not hexadecimal")


def _sensor_uom(value: Any, path: str, report: _Report) -> None:
    if _string(value, path, report) and report.rules and _UOM.fullmatch(value) is None:
        report(path, f"{_quoted(value)} is not a UN/CEFACT Recommendation 20 unit code")


_SENSOR_METADATA_FIELDS: dict[str, Check] = {
    "time": _time,
    "deviceID": _uri,
    "deviceMetadata": _uri,
    "rawData": _uri,
    "startTime": _time,
    "endTime": _time,
    "dataProcessingMethod": _uri,
    "bizRules": _uri,
}
_SENSOR_REPORT_FIELDS: dict[str, Check] = {
    "type": _measurement_type,
    "exception": _sensor_alert_type,
    "deviceID": _uri,
    "deviceMetadata": _uri,
    "rawData": _uri,
    "dataProcessingMethod": _uri,
    "bizRules": _uri,
    "time": _time,
    "microorganism": _uri,
    "chemicalSubstance": _uri,
    "coordinateReferenceSystem": _uri,
    "value": _number,
    "component": _component,
    "stringValue": _string,
    "booleanValue": _boolean,
    "hexBinaryValue": _hex_binary,
    "uriValue": _uri,
    "minValue": _number,
    "maxValue": _number,
    "meanValue": _number,
    "sDev": _number,
    "percRank": _number,
    "percValue": _number,
    "uom": _sensor_uom,
}


def _sensor_metadata(value: Any, path: str, report: _Report) -> None:
    if _object(value, path, report):
        _open_fields(value, _SENSOR_METADATA_FIELDS, f"{path}.", report)


def _sensor_report(value: Any, path: str, report: _Report) -> None:
    if _object(value, path, report):
        if not report.from_xml:  # the XSD lets a sensor report leave its type out
            _required(value, ("type",), f"{path}.", report)
        _open_fields(value, _SENSOR_REPORT_FIELDS, f"{path}.", report)


_SENSOR_ELEMENT_FIELDS: dict[str, Check] = {
    "sensorMetadata": _sensor_metadata,
    "sensorReport": _items(_sensor_report, 1),
}


def _sensor_element(value: Any, path: str, report: _Report) -> None:
    if _object(value, path, report):
        _required(value, ("sensorReport",), f"{path}.", report)
        _open_fields(value, _SENSOR_ELEMENT_FIELDS, f"{path}.", report)


# The fields of each event type and their checks (the schema's properties and propertyNames).
_COMMON: dict[str, Check] = {
    "@context": _context,
    "type": _string,
    "eventTime": _time,
    "recordTime": _time,
    "eventTimeZoneOffset": _offset,
    "eventID": _uri,
    "certificationInfo": _certification_info,
    "errorDeclaration": _error_declaration,
}
_WHY_WHERE: dict[str, Check] = {
    "bizStep": _biz_step,
    "disposition": _disposition,
    "readPoint": _place,
    "bizLocation": _place,
    "bizTransactionList": _items(_biz_transaction),
    "sourceList": _items(_source_dest("source")),
    "destinationList": _items(_source_dest("destination")),
    "sensorElementList": _items(_sensor_element),
}
_QUANTITIES = _items(_quantity_element)
_FIELDS: dict[str, dict[str, Check]] = {
    "ObjectEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "action": _action,
        "epcList": _epc_list(unique=True),
        "quantityList": _QUANTITIES,
        "persistentDisposition": _persistent_disposition,
        "ilmd": _ilmd,
    },
    "AggregationEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "action": _action,
        "parentID": _identifier,
        "childEPCs": _epc_list(unique=False),
        "childQuantityList": _QUANTITIES,
    },
    "TransactionEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "bizTransactionList": _items(_biz_transaction, 1),
        "action": _action,
        "parentID": _identifier,
        "epcList": _epc_list(unique=False),
        "quantityList": _QUANTITIES,
    },
    "TransformationEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "inputEPCList": _epc_list(unique=True),
        "inputQuantityList": _QUANTITIES,
        "outputEPCList": _epc_list(unique=True),
        "outputQuantityList": _QUANTITIES,
        "transformationID": _uri,
        "persistentDisposition": _persistent_disposition,
        "ilmd": _ilmd,
    },
    "AssociationEvent": {
        **_COMMON,
        **_WHY_WHERE,
        "action": _action,
        "parentID": _identifier,
        "childEPCs": _epc_list(unique=False),
        "childQuantityList": _QUANTITIES,
    },
}
#: The XSD's wider rule: an AggregationEvent may carry a persistentDisposition too.
_XML_FIELDS: dict[str, dict[str, Check]] = {
    **_FIELDS,
    "AggregationEvent": {
        **_FIELDS["AggregationEvent"],
        "persistentDisposition": _persistent_disposition,
    },
}
_REQUIRED = {
    "ObjectEvent": ("eventTime", "eventTimeZoneOffset", "action"),
    "AggregationEvent": ("eventTime", "eventTimeZoneOffset", "action"),
    "TransactionEvent": ("eventTime", "eventTimeZoneOffset", "action", "bizTransactionList"),
    "TransformationEvent": ("eventTime", "eventTimeZoneOffset"),
    "AssociationEvent": ("eventTime", "eventTimeZoneOffset", "action", "parentID"),
}
#: The five event types of EPCIS 2.0.
EVENT_TYPES = tuple(_FIELDS)


def _filled(event: dict[str, Any], key: str) -> bool:
    value = event.get(key)
    return isinstance(value, list) and len(value) > 0


def event_problems(
    event: Any,
    namespaces: Mapping[str, str],
    *,
    index: int | None = None,
    rules: bool = True,
    from_xml: bool = False,
) -> list[EventProblem]:
    """Everything wrong with one event dict: the schema's rules, and (``rules=True``) the
    rules beyond it. ``namespaces`` are the ``{prefix: URI}`` of the document's ``@context``;
    ``index`` the event's place in its ``eventList``. An event read from XML (``from_xml``)
    is held to the XSD where it is wider than the JSON Schema: an AggregationEvent may carry a
    persistentDisposition, a sensor report may leave out its type."""
    if not isinstance(event, dict):
        return [EventProblem(index, None, "event", f"must be an object, not {_quoted(event)}")]
    event_id = event.get("eventID")
    report = _Report(
        index, event_id if isinstance(event_id, str) else None, namespaces, rules, from_xml
    )
    type_ = event.get("type")
    fields = (_XML_FIELDS if from_xml else _FIELDS).get(type_) if isinstance(type_, str) else None
    if fields is None:
        _unknown_type(event, type_, report)
        return report.problems
    for key, value in event.items():
        check = fields.get(key)
        if check is not None:
            check(value, key, report)
        elif key == "action":
            report("action", "a TransformationEvent has no action")
        elif _URI.fullmatch(key) is None:
            report(key, f"is not a field of a {type_} in EPCIS 2.0, nor an extension (prefix:name)")
        else:
            report.extension(key, value, key)
    for key in _REQUIRED[str(type_)]:
        if key not in event:
            report(key, "is required, and missing")
    action = event.get("action")
    if type_ == "ObjectEvent":
        if not (
            "epcList" in event
            or _filled(event, "quantityList")
            or (_filled(event, "sensorElementList") and "readPoint" in event)
        ):
            report(
                "epcList",
                "an ObjectEvent names its objects: epcList, quantityList, or sensor readings "
                "with a readPoint",
            )
        if "ilmd" in event and action != "ADD" and isinstance(action, str):
            report(
                "ilmd",
                f"only an ADD event, which creates the objects, carries ILMD; this one is {action}",
            )
    elif type_ in ("AggregationEvent", "AssociationEvent"):
        if not (
            _filled(event, "childEPCs") or _filled(event, "childQuantityList") or action == "DELETE"
        ):
            report(
                "childEPCs",
                f"an {action} {type_} names its children (childEPCs or childQuantityList)",
            )
        if report.rules:
            _family_rules(event, report)
    elif type_ == "TransactionEvent":
        if not ("epcList" in event or _filled(event, "quantityList") or action == "DELETE"):
            report("epcList", f"an {action} TransactionEvent names its objects")
    else:
        _transformation_rules(event, report)
    return report.problems


def _unknown_type(event: dict[str, Any], type_: Any, report: _Report) -> None:
    if "type" not in event:
        report("type", "is required, and missing")
        return
    known = ", ".join(EVENT_TYPES)
    if not isinstance(type_, str) or _URI.fullmatch(type_) is None:
        report("type", f"{_quoted(type_)} is not an EPCIS 2.0 event type ({known})")
        return
    # the schema's Extended-Event: only what every event has
    for key in ("eventTime", "eventTimeZoneOffset"):
        if key not in event:
            report(key, "is required, and missing")
    for key, value in event.items():
        check = _COMMON.get(key)
        if check is not None:
            check(value, key, report)
    if report.rules:
        report("type", f'"{type_}" is not an event type unitrace keeps ({known})')


def _family_rules(event: dict[str, Any], report: _Report) -> None:
    children = event.get("childEPCs")
    if not isinstance(children, list):
        return
    parent = event.get("parentID")
    if parent is not None and parent in children:
        report("childEPCs", f"{_quoted(parent)} cannot be a child of itself")
    _unique(children, "childEPCs", report)


def _transformation_rules(event: dict[str, Any], report: _Report) -> None:
    inputs = _filled(event, "inputEPCList") or _filled(event, "inputQuantityList")
    outputs = _filled(event, "outputEPCList") or _filled(event, "outputQuantityList")
    if not (inputs and outputs) and not ((inputs or outputs) and "transformationID" in event):
        report(
            "inputEPCList",
            "a TransformationEvent names inputs and outputs, or one of them and a transformationID",
        )
    if report.rules and "ilmd" in event and not outputs:
        report("ilmd", "only outputs, which the transformation creates, get ILMD")


# --- documents -----------------------------------------------------------------------------

_DOCUMENT_FIELDS = frozenset(
    {
        "@context",
        "id",
        "type",
        "schemaVersion",
        "creationDate",
        "instanceIdentifier",
        "sender",
        "receiver",
        "epcisHeader",
        "epcisBody",
    }
)
_QUERY_DOCUMENT_FIELDS = frozenset(
    {"@context", "id", "type", "schemaVersion", "creationDate", "epcisBody"}
)


def _version(value: Any, path: str, report: _Report) -> None:
    if not isinstance(value, str) or _VERSION.fullmatch(value) is None:
        report(path, f"{_quoted(value)} is not a version such as 2.0")


def _attribute(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    _required(value, ("id",), f"{path}.", report)
    if "id" in value:
        _uri(value["id"], f"{path}.id", report)
    if "attribute" in value:
        item = value["attribute"]
        if isinstance(item, bool) or not isinstance(item, int | float | str | dict):
            report(
                f"{path}.attribute", f"must be a number, a string or an object, not {_quoted(item)}"
            )


def _uris(value: Any, path: str, report: _Report) -> None:
    if _list(value, path, report):
        for number, item in enumerate(value):
            _uri(item, f"{path}[{number}]", report)


def _vocabulary_element(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    _required(value, ("id",), f"{path}.", report)
    for key, check in (("id", _uri), ("attributes", _items(_attribute)), ("children", _uris)):
        if key in value:
            check(value[key], f"{path}.{key}", report)


def _vocabulary(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    _required(value, ("type",), f"{path}.", report)
    if "type" in value:
        _uri(value["type"], f"{path}.type", report)
    if "vocabularyElementList" in value:
        _items(_vocabulary_element)(
            value["vocabularyElementList"], f"{path}.vocabularyElementList", report
        )


def _header(value: Any, path: str, report: _Report) -> None:
    if not _object(value, path, report):
        return
    for key, item in value.items():
        if key == "epcisMasterData":
            if _object(item, f"{path}.{key}", report) and "vocabularyList" in item:
                _items(_vocabulary)(item["vocabularyList"], f"{path}.{key}.vocabularyList", report)
        elif _URI.fullmatch(key) is None:
            report(f"{path}.{key}", "is not a field of an epcisHeader, nor an extension")
        else:
            report.extension(key, item, f"{path}.{key}")


def document_problems(
    document: Any, *, rules: bool = True, from_xml: bool = False
) -> list[EventProblem]:
    """Everything wrong with an EPCISDocument or EPCISQueryDocument dict (see the module's
    description): the document's own fields, then each event's; ``from_xml`` as for
    :func:`event_problems`."""
    report = _Report(None, None, {}, rules)
    if not isinstance(document, dict):
        report("document", f"must be an object, not {_quoted(document)}")
        return report.problems
    type_ = document.get("type")
    required: tuple[str, ...]
    if type_ == "EPCISDocument":
        known = _DOCUMENT_FIELDS
        required = ("@context", "type", "schemaVersion", "creationDate", "epcisBody")
    elif type_ == "EPCISQueryDocument":
        known, required = _QUERY_DOCUMENT_FIELDS, ("@context", "type", "epcisBody")
    else:
        report("type", f"{_quoted(type_)} is not EPCISDocument or EPCISQueryDocument")
        return report.problems
    namespaces = namespaces_of(document.get("@context"))
    report.namespaces = namespaces
    for key in required:
        if key not in document:
            report(key, "is required, and missing")
    checks: dict[str, Check] = {
        "@context": _context,
        "id": _uri,
        "schemaVersion": _version,
        "creationDate": _time,
        "instanceIdentifier": _string,
        "sender": _string,
        "receiver": _string,
        "epcisHeader": _header,
    }
    for key, value in document.items():
        if key in known:
            check = checks.get(key)
            if check is not None:
                check(value, key, report)
        elif _URI.fullmatch(key) is None:
            report(key, f"is not a field of an {type_}, nor an extension (prefix:name)")
        else:
            report.extension(key, value, key)
    events = _event_list(document, type_, report)
    problems = report.problems
    if events is not None:
        for index, event in enumerate(events):
            problems.extend(
                event_problems(event, namespaces, index=index, rules=rules, from_xml=from_xml)
            )
    return problems


def _event_list(document: dict[str, Any], type_: str, report: _Report) -> list[Any] | None:
    """The document's events, where its body is shaped so that it has them."""
    if "epcisBody" not in document:
        return None
    body = document["epcisBody"]
    if not _object(body, "epcisBody", report):
        return None
    if type_ == "EPCISDocument":
        path, holder = "epcisBody.", body
    else:
        for key in body:
            if key != "queryResults" and _URI.fullmatch(key) is None:
                report(f"epcisBody.{key}", "is not a field of an epcisBody, nor an extension")
        if "queryResults" not in body:
            report("epcisBody.queryResults", "is required, and missing")
            return None
        results = body["queryResults"]
        if not _object(results, "epcisBody.queryResults", report):
            return None
        path = "epcisBody.queryResults."
        _required(results, ("queryName", "resultsBody"), path, report)
        for key, value in results.items():
            if key in ("queryName", "subscriptionID"):
                _string(value, f"{path}{key}", report)
            elif key != "resultsBody" and _URI.fullmatch(key) is None:
                report(f"{path}{key}", "is not a field of queryResults, nor an extension")
        if "resultsBody" not in results:
            return None
        holder = results["resultsBody"]
        if not _object(holder, f"{path}resultsBody", report):
            return None
        path += "resultsBody."
        for key, value in holder.items():
            if key == "vocabularyList":
                _items(_vocabulary)(value, f"{path}{key}", report)
            elif key != "eventList" and _URI.fullmatch(key) is None:
                report(f"{path}{key}", "is not a field of resultsBody, nor an extension")
    if "eventList" not in holder:
        report(f"{path}eventList", "is required, and missing")
        return None
    events: Any = holder["eventList"]
    return events if _list(events, f"{path}eventList", report) else None
