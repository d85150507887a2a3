"""The checks of a whole EPCISDocument or EPCISQueryDocument: the document's own fields, its
header's master data, the shape of its body and query results, then each event's
(:func:`~unitrace.epcis.validation.events.event_problems`).
"""

from __future__ import annotations

from typing import Any

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.validation.checks import (
    Check,
    EventProblem,
    Report,
    check_array,
    check_context,
    check_items,
    check_object,
    check_required,
    check_string,
    check_time,
    check_uri,
    quoted,
)
from unitrace.epcis.validation.events import event_problems
from unitrace.epcis.validation.formats import URI, VERSION

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


def _version(value: Any, path: str, report: Report) -> None:
    if not isinstance(value, str) or VERSION.fullmatch(value) is None:
        report(path, f"{quoted(value)} is not a version such as 2.0")


def _attribute(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    check_required(value, ("id",), f"{path}.", report)
    if "id" in value:
        check_uri(value["id"], f"{path}.id", report)
    if "attribute" in value:
        item = value["attribute"]
        if isinstance(item, bool) or not isinstance(item, int | float | str | dict):
            report(
                f"{path}.attribute", f"must be a number, a string or an object, not {quoted(item)}"
            )


def _uris(value: Any, path: str, report: Report) -> None:
    if check_array(value, path, report):
        for number, item in enumerate(value):
            check_uri(item, f"{path}[{number}]", report)


def _vocabulary_element(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    check_required(value, ("id",), f"{path}.", report)
    for key, check in (
        ("id", check_uri),
        ("attributes", check_items(_attribute)),
        ("children", _uris),
    ):
        if key in value:
            check(value[key], f"{path}.{key}", report)


def _vocabulary(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    check_required(value, ("type",), f"{path}.", report)
    if "type" in value:
        check_uri(value["type"], f"{path}.type", report)
    if "vocabularyElementList" in value:
        check_items(_vocabulary_element)(
            value["vocabularyElementList"], f"{path}.vocabularyElementList", report
        )


def _header(value: Any, path: str, report: Report) -> None:
    if not check_object(value, path, report):
        return
    for key, item in value.items():
        if key == "epcisMasterData":
            if check_object(item, f"{path}.{key}", report) and "vocabularyList" in item:
                check_items(_vocabulary)(
                    item["vocabularyList"], f"{path}.{key}.vocabularyList", report
                )
        elif URI.fullmatch(key) is None:
            report(f"{path}.{key}", "is not a field of an epcisHeader, nor an extension")
        else:
            report.extension(key, item, f"{path}.{key}")


def document_problems(
    document: Any, *, rules: bool = True, from_xml: bool = False
) -> list[EventProblem]:
    """Everything wrong with an EPCISDocument or EPCISQueryDocument dict (see the module's
    description): the document's own fields, then each event's; ``from_xml`` as for
    :func:`event_problems`."""
    report = Report(None, None, {}, rules)
    if not isinstance(document, dict):
        report("document", f"must be an object, not {quoted(document)}")
        return report.problems
    type_ = document.get("type")
    required: tuple[str, ...]
    if type_ == "EPCISDocument":
        known = _DOCUMENT_FIELDS
        required = ("@context", "type", "schemaVersion", "creationDate", "epcisBody")
    elif type_ == "EPCISQueryDocument":
        known, required = _QUERY_DOCUMENT_FIELDS, ("@context", "type", "epcisBody")
    else:
        report("type", f"{quoted(type_)} is not EPCISDocument or EPCISQueryDocument")
        return report.problems
    namespaces = namespaces_of(document.get("@context"))
    report.namespaces = namespaces
    for key in required:
        if key not in document:
            report(key, "is required, and missing")
    checks: dict[str, Check] = {
        "@context": check_context,
        "id": check_uri,
        "schemaVersion": _version,
        "creationDate": check_time,
        "instanceIdentifier": check_string,
        "sender": check_string,
        "receiver": check_string,
        "epcisHeader": _header,
    }
    for key, value in document.items():
        if key in known:
            check = checks.get(key)
            if check is not None:
                check(value, key, report)
        elif URI.fullmatch(key) is None:
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


def _event_list(document: dict[str, Any], type_: str, report: Report) -> list[Any] | None:
    """The document's events, where its body is shaped so that it has them."""
    if "epcisBody" not in document:
        return None
    body = document["epcisBody"]
    if not check_object(body, "epcisBody", report):
        return None
    if type_ == "EPCISDocument":
        path, holder = "epcisBody.", body
    else:
        for key in body:
            if key != "queryResults" and URI.fullmatch(key) is None:
                report(f"epcisBody.{key}", "is not a field of an epcisBody, nor an extension")
        if "queryResults" not in body:
            report("epcisBody.queryResults", "is required, and missing")
            return None
        results = body["queryResults"]
        if not check_object(results, "epcisBody.queryResults", report):
            return None
        path = "epcisBody.queryResults."
        check_required(results, ("queryName", "resultsBody"), path, report)
        for key, value in results.items():
            if key in ("queryName", "subscriptionID"):
                check_string(value, f"{path}{key}", report)
            elif key != "resultsBody" and URI.fullmatch(key) is None:
                report(f"{path}{key}", "is not a field of queryResults, nor an extension")
        if "resultsBody" not in results:
            return None
        holder = results["resultsBody"]
        if not check_object(holder, f"{path}resultsBody", report):
            return None
        path += "resultsBody."
        for key, value in holder.items():
            if key == "vocabularyList":
                check_items(_vocabulary)(value, f"{path}{key}", report)
            elif key != "eventList" and URI.fullmatch(key) is None:
                report(f"{path}{key}", "is not a field of resultsBody, nor an extension")
    if "eventList" not in holder:
        report(f"{path}eventList", "is required, and missing")
        return None
    events: Any = holder["eventList"]
    return events if check_array(events, f"{path}eventList", report) else None
