"""GS1's reference implementation of the event hash (PyPI ``epcis-event-hash-generator``) as a
test oracle, and the CBV 2.0 pre-hash string assembled from what it writes.

The reference writes each field's *value* canonically (identifiers as Digital Links, CBV words
as web URIs, numbers, times, lists sorted) but departs from the CBV 2.0 text in where some
fields go and in a few fields it adds (see docs/event-hash.md, "Where GS1's reference
implementation departs from the text"). :func:`cbv20_pre_hash` therefore asks the reference
for each field on its own, and puts the pieces in the order CBV 2.0 section 8.9 gives: the
values are the reference's, the order is the standard's.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from epcis_event_hash_generator import hash_generator, json_to_py, xml_to_py

from unitrace.epcis.xml_write import document_to_xml

# The reference logs every event it reads at INFO and some at WARNING.
logging.getLogger().setLevel(logging.ERROR)

CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

#: CBV 2.0 section 8.9.2, the canonical property order after eventType, eventTime and
#: eventTimeZoneOffset.
CBV20_ORDER = (
    "epcList", "parentID", "inputEPCList", "childEPCs", "quantityList", "childQuantityList",
    "inputQuantityList", "outputEPCList", "outputQuantityList", "action", "transformationID",
    "bizStep", "disposition", "persistentDisposition", "readPoint", "bizLocation",
    "bizTransactionList", "sourceList", "destinationList", "sensorElementList",
)  # fmt: skip
#: Fields CBV 2.0 leaves out of the hash (the reference hashes certificationInfo).
NOT_HASHED = ("eventID", "recordTime", "errorDeclaration", "certificationInfo")
_BASE = ("type", "eventTime", "eventTimeZoneOffset", "action")


def document(events: list[dict[str, Any]], namespaces: Mapping[str, str]) -> dict[str, Any]:
    return {
        "@context": [CONTEXT_URL, dict(namespaces)] if namespaces else [CONTEXT_URL],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-04T09:30:00Z",
        "epcisBody": {"eventList": events},
    }


def reference_json(doc: Mapping[str, Any]) -> list[str]:
    """The reference's pre-hash strings of a JSON-LD document."""
    events = json_to_py.event_list_from_epcis_document_str(json.dumps(doc))
    return list(hash_generator.derive_prehashes_from_events(events))


# unitrace's XML writer marks numbers and booleans in extensions with their XML Schema type
# (xsi:type="xsd:integer"), as the EPCIS 2.0 JSON/XML mapping does; the reference would hash
# that annotation as if it were an extension attribute of the event.
_XSI_TYPE = re.compile(r' xsi:type="[^"]*"')


def reference_xml(doc: Mapping[str, Any], *, xsi_types: bool = False) -> list[str]:
    """The reference's pre-hash strings of the same document written as XML by unitrace
    (without its xsi:type annotations unless ``xsi_types``)."""
    written = document_to_xml(doc).decode()
    if not xsi_types:
        written = _XSI_TYPE.sub("", written)
    events = xml_to_py.event_list_from_epcis_document_str(written)
    return list(hash_generator.derive_prehashes_from_events(events))


def _one(read: Callable[[Mapping[str, Any]], list[str]], event: Mapping[str, Any],
         namespaces: Mapping[str, str]) -> str:  # fmt: skip
    written = read(document([dict(event)], namespaces))
    assert len(written) == 1, f"the reference could not read {event!r}"
    return written[0]


def _piece(
    read: Callable[[Mapping[str, Any]], list[str]],
    base: Mapping[str, Any],
    base_text: str,
    extra: Mapping[str, Any],
    namespaces: Mapping[str, str],
) -> str:
    """What one more field adds to the reference's text of ``base`` (the event's type, times
    and action, which the XML binding needs): after it, or before the action."""
    text = _one(read, {**base, **extra}, namespaces)
    if text.startswith(base_text):
        return text[len(base_text) :]
    action = f"action={base['action']}" if "action" in base else ""
    head = base_text[: len(base_text) - len(action)]
    assert action, (text, base_text)
    assert text.startswith(head), (text, base_text)
    assert text.endswith(action), (text, base_text)
    return text[len(head) : len(text) - len(action)]


def _without_label(text: str, label: str) -> str:
    assert text.startswith(label), (text, label)
    return text[len(label) :]


def cbv20_pre_hash(event: Mapping[str, Any], namespaces: Mapping[str, str], *, binding: str) -> str:
    """The CBV 2.0 pre-hash string of ``event``, each field's text as the reference writes it
    in ``binding`` ("json" or "xml"), the fields in the standard's order."""
    read = reference_json if binding == "json" else reference_xml
    if binding == "json":
        event = _json_booleans_as_text(event)
        # The reference leaves the prefixes of the EPCIS context itself (cbvmda:) unexpanded
        # in a JSON-LD event's ILMD, where rule 19 writes every key as {namespace}localName:
        # it is given the same keys under a prefix the document declares.
        if "ilmd" in event:
            event = {**event, "ilmd": _master_data_declared(event["ilmd"])}
            namespaces = {**namespaces, _MDA_PREFIX: "urn:epcglobal:cbv:mda"}
    base = {key: event[key] for key in _BASE if key in event}
    base_text = _one(read, base, namespaces)
    action = f"action={base['action']}" if "action" in base else ""
    parts = [base_text[: len(base_text) - len(action)]]
    # After the fields: ILMD, the standard fields' extensions in the fields' canonical order,
    # then the event's own extensions, sorted (canonical order 24 and 25, rules 19 to 21).
    ilmd: list[str] = []
    nested: list[str] = []
    own: list[str] = []
    for key in CBV20_ORDER:
        if key not in event:
            continue
        value = event[key]
        if key in ("readPoint", "bizLocation"):
            bare = {"id": value["id"]}
            placed = _piece(read, base, base_text, {key: bare}, namespaces)
            parts.append(placed)
            if len(value) > 1:
                # CBV 2.0 rule 21: a standard field's extensions go after ILMD under the
                # field's name; the reference (like the CBV 2.1 draft) writes them inline.
                whole = _piece(read, base, base_text, {key: value}, namespaces)
                nested.append(key + _without_label(whole, placed))
            continue
        if key == "action":
            parts.append(action)
            continue
        if key == "sensorElementList":
            standard = [_sensor_standard(element) for element in value]
            text = _piece(read, base, base_text, {key: standard}, namespaces)
            # The list's name is the CBV 2.1 draft's (rule 11); CBV 2.0 writes the elements only.
            parts.append(_without_label(text, "sensorElementList"))
            extension = _Extensions(read, base, base_text, namespaces)
            nested.extend(sorted(filter(None, (extension.of_sensor_element(e) for e in value))))
            continue
        parts.append(_piece(read, base, base_text, {key: value}, namespaces))
    for key, value in event.items():
        if key in _BASE or key in CBV20_ORDER or key in NOT_HASHED:
            continue
        text = _piece(read, base, base_text, {key: value}, namespaces)
        (ilmd if key == "ilmd" else own).extend(_split_group(text))
    return "".join(parts) + "".join(ilmd) + "".join(nested) + "".join(sorted(own))


_SENSOR_METADATA = frozenset(
    ("time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
     "dataProcessingMethod", "bizRules")
)  # fmt: skip
_SENSOR_REPORT = frozenset(
    ("type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod",
     "time", "microorganism", "chemicalSubstance", "value", "component", "stringValue",
     "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev",
     "percRank", "percValue", "uom", "coordinateReferenceSystem")
)  # fmt: skip


def _sensor_standard(element: Mapping[str, Any]) -> dict[str, Any]:
    """A sensor element with its standard fields only."""
    standard: dict[str, Any] = {}
    if "sensorMetadata" in element:
        metadata = element["sensorMetadata"]
        standard["sensorMetadata"] = {k: v for k, v in metadata.items() if k in _SENSOR_METADATA}
    if "sensorReport" in element:
        standard["sensorReport"] = [
            {k: v for k, v in report.items() if k in _SENSOR_REPORT}
            for report in element["sensorReport"]
        ]
    return standard


class _Extensions:
    """CBV 2.0 rule 21 for a sensor element: its extensions, its metadata's and each report's,
    under the names of the elements that hold them, after the event's fields. Each extension's
    own text is the reference's, asked for it as an extension of the event."""

    def __init__(
        self,
        read: Callable[[Mapping[str, Any]], list[str]],
        base: Mapping[str, Any],
        base_text: str,
        namespaces: Mapping[str, str],
    ) -> None:
        self.read, self.base, self.base_text, self.namespaces = read, base, base_text, namespaces

    def _items(self, value: Mapping[str, Any], standard: frozenset[str]) -> list[str]:
        return [
            _piece(self.read, self.base, self.base_text, {key: member}, self.namespaces)
            for key, member in value.items()
            if key not in standard
        ]

    def of_sensor_element(self, element: Mapping[str, Any]) -> str:
        parts = self._items(element, frozenset(("sensorMetadata", "sensorReport")))
        metadata = self._items(element.get("sensorMetadata", {}), _SENSOR_METADATA)
        if metadata:
            parts.append("sensorMetadata" + "".join(sorted(metadata)))
        for report in element.get("sensorReport", []):
            extensions = self._items(report, _SENSOR_REPORT)
            if extensions:
                parts.append("sensorReport" + "".join(sorted(extensions)))
        return "sensorElement" + "".join(sorted(parts)) if parts else ""


def _split_group(text: str) -> list[str]:
    """One top-level extension's text as the reference writes it: already sorted and joined,
    which sorts the same as its items one by one (see the generator's names)."""
    return [text]


_MDA_PREFIX = "mda"


def _master_data_declared(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            (_MDA_PREFIX + key[6:] if key.startswith("cbvmda:") else key): _master_data_declared(
                member
            )
            for key, member in value.items()
        }
    if isinstance(value, list):
        return [_master_data_declared(member) for member in value]
    return value


def _json_booleans_as_text(value: Any) -> Any:
    """JSON true and false as the text the XML binding carries: the reference writes a JSON
    boolean as Python prints it (``True``), which no rule of CBV 2.0 section 8.9 asks for;
    and gs1: CURIEs expanded."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith("gs1:"):
        # Rule 15 expands a CURIE; the reference leaves gs1: ones in a JSON-LD event as they
        # are. It is given the URI the EPCIS 2.0 context expands them to.
        return "https://gs1.org/voc/" + value[4:]
    if isinstance(value, Mapping):
        return {key: _json_booleans_as_text(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_json_booleans_as_text(member) for member in value]
    return value


def without_unhashed(event: Mapping[str, Any]) -> dict[str, Any]:
    return {key: copy.deepcopy(value) for key, value in event.items() if key not in NOT_HASHED}
