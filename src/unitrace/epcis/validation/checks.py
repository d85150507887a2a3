"""What every check of a document shares: the problems found (:class:`EventProblem`,
:class:`InvalidDocument`), the :class:`Report` that collects them for one event or for the
document's own fields, and the checks of the JSON Schema's building blocks (strings, URIs,
identifiers, times, numbers, arrays, objects, required and unique members, closed and open
sets of fields, ``@context``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from unitrace.epcis.scoped_contexts import CONTEXT, within
from unitrace.epcis.validation.formats import (
    PROTECTED_TERMS,
    STANDARD_PREFIXES,
    URI,
    in_utc_years,
    is_date_time,
    is_uri,
)
from unitrace.epcis.validation.identifiers import PLAIN_EPC, identifier_problem


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


class Report:
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

    def prefix(self, key: str, path: str, namespaces: Mapping[str, str] | None = None) -> None:
        """The rule that a compact IRI's prefix is declared (a full URI needs none), in
        ``namespaces`` (those in scope where the key is written; the event's by default)."""
        prefix, _, rest = key.partition(":")
        if (
            rest.startswith("//")
            or prefix in ("urn", "http", "https")
            or prefix in (self.namespaces if namespaces is None else namespaces)
            or prefix in STANDARD_PREFIXES
        ):
            return
        self(
            path,
            f'prefix "{prefix}" is not declared in the @context in scope (the document\'s, '
            "the event's or an enclosing object's)",
        )

    def extension(self, key: str, value: Any, path: str) -> None:
        """An extension field: its prefix, and those of the fields within it, each object
        within it declaring prefixes for itself and what it holds with a ``@context`` of its
        own (JSON-LD's embedded contexts)."""
        if not self.rules:
            return
        self.prefix(key, path)
        stack: list[tuple[Any, str, Mapping[str, str]]] = [(value, path, self.namespaces)]
        while stack:
            item, where, outer = stack.pop()
            if isinstance(item, dict):
                scope = outer
                if CONTEXT in item:
                    check_context(item[CONTEXT], f"{where}.{CONTEXT}", self)
                    scope = within(outer, item)
                for inner, nested in item.items():
                    if ":" in inner and not inner.startswith("@"):
                        self.prefix(inner, f"{where}.{inner}", scope)
                    if inner != CONTEXT:
                        stack.append((nested, f"{where}.{inner}", scope))
            elif isinstance(item, list):
                stack.extend((nested, where, outer) for nested in item)


#: A check of one field: it reports what is wrong; what it returns (where it returns
#: something) says whether the value was well formed.
Check = Callable[[Any, str, Report], object]


def quoted(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def check_string(value: Any, path: str, report: Report) -> bool:
    if isinstance(value, str):
        return True
    report(path, f"must be a string, not {quoted(value)}")
    return False


def check_uri(value: Any, path: str, report: Report) -> bool:
    if not isinstance(value, str):
        report(path, f"must be a URI string, not {quoted(value)}")
        return False
    if URI.fullmatch(value) is None:
        report(path, f"{quoted(value)} is not a URI")
        return False
    return True


def check_identifier(value: Any, path: str, report: Report) -> None:
    if isinstance(value, str) and PLAIN_EPC.fullmatch(value) is not None:
        return  # a URI, and a well-formed EPC
    if check_uri(value, path, report) and report.rules:
        problem = identifier_problem(value)
        if problem is not None:
            report(path, f"{quoted(value)}: {problem}")


def check_time(value: Any, path: str, report: Report) -> None:
    if not isinstance(value, str) or not is_date_time(value):
        report(path, f"{quoted(value)} is not a date-time with its UTC offset (RFC 3339)")
    elif not in_utc_years(value):
        report(path, f"{quoted(value)} falls outside the years 1 to 9999 in UTC")


def check_number(value: Any, path: str, report: Report) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        report(path, f"must be a number, not {quoted(value)}")


def check_array(value: Any, path: str, report: Report, min_items: int = 0) -> bool:
    if not isinstance(value, list):
        report(path, f"must be an array, not {quoted(value)}")
        return False
    if len(value) < min_items:
        report(path, f"must hold at least {min_items} item{'s' if min_items > 1 else ''}")
        return False
    return True


def check_object(value: Any, path: str, report: Report) -> bool:
    if isinstance(value, dict):
        return True
    report(path, f"must be an object, not {quoted(value)}")
    return False


def check_required(value: dict[str, Any], keys: Iterable[str], path: str, report: Report) -> None:
    for key in keys:
        if key not in value:
            report(f"{path}{key}", "is required, and missing")


def check_unique(items: list[Any], path: str, report: Report) -> None:
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
                report(path, f"{quoted(item)} is named twice")
                return
            seen.add(item)


def check_context(value: Any, path: str, report: Report) -> None:
    if isinstance(value, dict):
        check_context_terms(value, path, report)
        return
    if isinstance(value, str):
        check_uri(value, path, report)
        return
    if not isinstance(value, list):
        report(path, f"must be a URI, an object or an array of them, not {quoted(value)}")
        return
    for number, entry in enumerate(value):
        if isinstance(entry, dict):
            check_context_terms(entry, f"{path}[{number}]", report)
        else:
            check_uri(entry, f"{path}[{number}]", report)
    strings = [entry for entry in value if isinstance(entry, str)]
    if len(set(strings)) != len(strings) or any(
        value.count(entry) > 1 for entry in value if isinstance(entry, dict)
    ):
        report(path, "names an entry twice")


def check_context_terms(entry: Mapping[str, Any], path: str, report: Report) -> None:
    """The terms a context object defines: none of the event and document fields the EPCIS
    context defines and protects (JSON-LD 1.1, section 4.1.11, "protected term
    redefinition"); and a prefix's namespace is a URI. Its prefixes are bound elsewhere by
    GS1's own examples (``cbvmda`` in TransformationEvent_all_possible_fields), and their
    keys then expand there, as written. Rules beyond the JSON Schema's, which takes any
    object."""
    if not report.rules:
        return
    for term, definition in entry.items():
        where = f"{path}.{term}"
        if term in PROTECTED_TERMS:
            report(where, "is a term the EPCIS context defines and protects: it is not redefined")
        elif (
            isinstance(definition, str)
            and not term.startswith("@")
            and not definition.startswith("@")
            and not is_uri(definition)
        ):
            report(where, f"{quoted(definition)} is not a namespace URI (a prefix names one)")


def check_certification_info(value: Any, path: str, report: Report) -> None:
    if isinstance(value, list):
        for number, item in enumerate(value):
            check_uri(item, f"{path}[{number}]", report)
    else:
        check_uri(value, path, report)


def check_open_fields(
    value: dict[str, Any],
    known: Mapping[str, Check],
    path: str,
    report: Report,
) -> None:
    """Checks the fields of an object whose other fields must be extensions (URIs)."""
    for key, item in value.items():
        check = known.get(key)
        if check is not None:
            check(item, f"{path}{key}", report)
        elif URI.fullmatch(key) is None:
            report(
                f"{path}{key}",
                "is not a field EPCIS 2.0 knows here, nor an extension (prefix:name)",
            )
        else:
            report.extension(key, item, f"{path}{key}")


def check_closed_fields(
    value: dict[str, Any],
    known: Mapping[str, Check],
    path: str,
    report: Report,
) -> None:
    """Checks the fields of an object that allows no others."""
    for key, item in value.items():
        check = known.get(key)
        if check is None:
            report(f"{path}{key}", "is not a field EPCIS 2.0 allows here")
        else:
            check(item, f"{path}{key}", report)


def check_items(check: Check, min_items: int = 0) -> Check:
    def each(value: Any, path: str, report: Report) -> None:
        if check_array(value, path, report, min_items):
            for number, item in enumerate(value):
                check(item, f"{path}[{number}]", report)

    return each
