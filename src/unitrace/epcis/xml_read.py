"""EPCIS XML (2.0, and 1.2 as input) read into the JSON-LD document dict.

:func:`document_from_xml` gives the document a JSON-LD author would have written for the same
events: CBV terms as the bare words of the EPCIS context (``"shipping"``), numbers as numbers,
every user extension (elements and attributes, at any depth) as a ``prefix:name`` key whose
prefix the ``@context`` declares, and no trace of the ``<extension>`` wrappers that XML keeps
for EPCIS 1.x compatibility.

>>> document = document_from_xml(b'''<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"
...     xmlns:ex="https://ns.example.com/epcis/" schemaVersion="2.0"
...     creationDate="2024-05-04T09:30:00Z"><EPCISBody><EventList><ObjectEvent>
...   <eventTime>2024-05-04T09:30:00.000+08:00</eventTime>
...   <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
...   <epcList><epc>urn:epc:id:sgtin:9506000.013435.X1</epc></epcList>
...   <action>OBSERVE</action>
...   <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
...   <disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
...   <ex:carrier ex:mode="road">ACME</ex:carrier>
... </ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>''')
>>> document["@context"]
['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', {'ex': 'https://ns.example.com/epcis/'}]
>>> event = document["epcisBody"]["eventList"][0]
>>> event["bizStep"], event["disposition"], event["ex:carrier"]
('shipping', 'in_transit', {'ex:mode': 'road', '@value': 'ACME'})

What EPCIS 1.2 input does not carry over: a ``QuantityEvent`` (deprecated in 1.1, gone in 2.0)
is refused rather than guessed into an ObjectEvent; of the StandardBusinessDocumentHeader only
the sender, receiver and instance identifier survive (the JSON-LD binding has no place for the
rest); EPCIS 1.2 documents cannot be checked against an XSD here (none is bundled).
"""

from __future__ import annotations

import re
from typing import Any, cast

from lxml import etree

from unitrace.epcis.events import EPCIS_CONTEXT
from unitrace.epcis.xml import (
    ACTIONS,
    BIZ_STEPS,
    BIZ_TRANSACTION_TYPES,
    CBVMDA_XML_NS,
    COMMON_FIELDS,
    COMPONENTS,
    CONTEXT_PREFIXES,
    DISPOSITIONS,
    EPCIS_1_NS,
    EPCIS_NS,
    ERROR_REASONS,
    EVENT_FIELDS,
    MASTER_DATA_1_NS,
    MASTER_DATA_NS,
    MAX_DOCUMENT_BYTES,
    MAX_EXTENSION_DEPTH,
    MEASUREMENT_TYPES,
    QUERY_1_NS,
    QUERY_NS,
    SBDH_NS,
    SENSOR_ALERT_TYPES,
    SENSOR_METADATA_FIELDS,
    SENSOR_NUMBERS,
    SENSOR_REPORT_FIELDS,
    SOURCE_DEST_TYPES,
    XSD_NS,
    XSI_NS,
    CbvTerms,
    InvalidXml,
    local_name,
    parse_xml,
    validate_tree,
)

_EPCIS_NAMESPACES = frozenset(
    {EPCIS_NS, QUERY_NS, MASTER_DATA_NS, EPCIS_1_NS, QUERY_1_NS, MASTER_DATA_1_NS}
)
_XSI_TYPE = f"{{{XSI_NS}}}type"
_XSI_NIL = f"{{{XSI_NS}}}nil"
_INTEGER = re.compile(r"[+-]?\d+")
_XSD_INTEGERS = frozenset(
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
_EVENT_FIELD_SETS = {kind: frozenset(COMMON_FIELDS + names) for kind, names in EVENT_FIELDS.items()}
# The namespaces the EPCIS context already names, so the document's @context need not.
_CONTEXT_NAMESPACES = {uri: prefix for prefix, uri in CONTEXT_PREFIXES.items()} | {
    CBVMDA_XML_NS + ":": "cbvmda"
}


def document_from_xml(
    data: bytes, *, validate: bool = True, max_bytes: int = MAX_DOCUMENT_BYTES
) -> dict[str, Any]:
    """The JSON-LD document dict of an EPCIS XML document.

    Reads ``EPCISDocument``, ``EPCISQueryDocument`` (query results) and
    ``EPCISMasterDataDocument`` of EPCIS 2.0 and 1.x. A master-data document becomes an
    ``EPCISDocument`` with no events whose ``epcisHeader.epcisMasterData.vocabularyList`` holds
    the vocabularies, which is where the JSON-LD binding carries master data. With ``validate``
    an EPCIS 2.0 document is first checked against the official XSD (1.x documents are checked
    by the reader alone). Raises :class:`InvalidXml` naming the event (its index in the event
    list and its eventID), the element and its line.
    """
    root = parse_xml(data, max_bytes=max_bytes)
    namespace, name = local_name(root.tag)
    if validate and namespace in (EPCIS_NS, QUERY_NS, MASTER_DATA_NS):
        validate_tree(root)
    return _DocumentReader(namespace).document(root, name)


def _attributes(element: etree._Element) -> list[tuple[str, str]]:
    # lxml gives str for both (the stubs allow bytes, which lxml returns only on Python 2).
    return cast("list[tuple[str, str]]", element.attrib.items())


def _where(element: etree._Element) -> str:
    return f"line {element.sourceline}: <{local_name(element.tag)[1]}>"


def _text(element: etree._Element) -> str:
    if len(element):
        raise InvalidXml(f"{_where(element)} holds elements where a value belongs")
    return (element.text or "").strip()


def _number(text: str, element: etree._Element) -> int | float:
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        raise InvalidXml(f"{_where(element)} {text!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidXml(f"{_where(element)} {text!r} is not a finite number")
    return number


def _boolean(text: str, element: etree._Element) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise InvalidXml(f"{_where(element)} {text!r} is not a boolean (true, false, 1 or 0)")


class _DocumentReader:
    """Reads one document: knows its EPCIS version and gives every extension namespace met one
    JSON-LD prefix, in the order they are first used."""

    def __init__(self, namespace: str | None) -> None:
        self.namespace = namespace
        self.prefixes: dict[str, str] = {}  # namespace URI -> prefix declared in @context
        self.taken: set[str] = set(CONTEXT_PREFIXES)

    # --- the document around the events -------------------------------------------------

    def document(self, root: etree._Element, name: str) -> dict[str, Any]:
        kinds = {
            (EPCIS_NS, "EPCISDocument"),
            (EPCIS_1_NS, "EPCISDocument"),
            (QUERY_NS, "EPCISQueryDocument"),
            (QUERY_1_NS, "EPCISQueryDocument"),
            (MASTER_DATA_NS, "EPCISMasterDataDocument"),
            (MASTER_DATA_1_NS, "EPCISMasterDataDocument"),
        }
        if (self.namespace, name) not in kinds:
            raise InvalidXml(
                f"line {root.sourceline}: the root element <{name}> (namespace "
                f"{self.namespace or 'none'}) is not an EPCIS document: expected EPCISDocument, "
                "EPCISQueryDocument or EPCISMasterDataDocument of EPCIS 2.0 or 1.x"
            )
        document: dict[str, Any] = {
            "@context": [EPCIS_CONTEXT],
            "type": "EPCISQueryDocument" if name == "EPCISQueryDocument" else "EPCISDocument",
        }
        for attribute in ("schemaVersion", "creationDate"):
            value = root.get(attribute)
            if value is not None:
                document[attribute] = value.strip()
        self._foreign_attributes(root, document)
        body: etree._Element | None = None
        for child in root:
            namespace, local = local_name(child.tag)
            if namespace is not None:
                self._extension(child, document, 1)
            elif local == "EPCISHeader":
                self._header(child, document)
            elif local == "EPCISBody":
                body = child
            elif local != "extension":
                raise InvalidXml(f"{_where(child)} does not belong in <{name}>")
        if body is None:
            raise InvalidXml(f"line {root.sourceline}: <{name}> has no <EPCISBody>")
        if name == "EPCISDocument":
            document["epcisBody"] = {"eventList": self._body_events(body)}
        elif name == "EPCISQueryDocument":
            document["epcisBody"] = {"queryResults": self._query_results(body)}
        else:
            vocabularies = self._master_data_body(body)
            header = document.setdefault("epcisHeader", {})
            header["epcisMasterData"] = {"vocabularyList": vocabularies}
            document["epcisBody"] = {"eventList": []}
        for namespace, prefix in self.prefixes.items():
            document["@context"].append({prefix: namespace})
        return document

    def _header(self, header: etree._Element, document: dict[str, Any]) -> None:
        for child in header:
            namespace, local = local_name(child.tag)
            if namespace == SBDH_NS and local == "StandardBusinessDocumentHeader":
                self._sbdh(child, document)
            elif namespace is None and local == "extension":
                self._header(child, document)
            elif namespace is None and local == "EPCISMasterData":
                vocabularies: list[dict[str, Any]] = []
                for part in child:
                    if local_name(part.tag) == (None, "VocabularyList"):
                        vocabularies.extend(self._vocabularies(part))
                document.setdefault("epcisHeader", {})["epcisMasterData"] = {
                    "vocabularyList": vocabularies
                }
            else:
                raise InvalidXml(f"{_where(child)} does not belong in <EPCISHeader>")

    def _sbdh(self, sbdh: etree._Element, document: dict[str, Any]) -> None:
        # The JSON-LD binding keeps three facts of the header, as the official example
        # Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers.jsonld shows; the rest has no place.
        paths = {
            "sender": f"{{{SBDH_NS}}}Sender/{{{SBDH_NS}}}Identifier",
            "receiver": f"{{{SBDH_NS}}}Receiver/{{{SBDH_NS}}}Identifier",
            "instanceIdentifier": (
                f"{{{SBDH_NS}}}DocumentIdentification/{{{SBDH_NS}}}InstanceIdentifier"
            ),
        }
        for key, path in paths.items():
            value = (sbdh.findtext(path) or "").strip()
            if value:
                document[key] = value

    def _body_events(self, body: etree._Element) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for child in body:
            namespace, local = local_name(child.tag)
            if namespace is None and local == "EventList":
                self._events(child, events)
            elif namespace is None and local == "extension":
                continue
            elif namespace is None:
                raise InvalidXml(f"{_where(child)} does not belong in <EPCISBody>")
        return events

    def _query_results(self, body: etree._Element) -> dict[str, Any]:
        children = list(body)
        results = children[0] if len(children) == 1 else None
        if results is None or local_name(results.tag)[1] != "QueryResults":
            found = ", ".join(f"<{local_name(c.tag)[1]}>" for c in children) or "nothing"
            raise InvalidXml(
                f"line {body.sourceline}: only query results have a JSON-LD form; this "
                f"EPCISQueryDocument's body holds {found}"
            )
        answer: dict[str, Any] = {}
        for child in results:
            namespace, local = local_name(child.tag)
            if namespace is not None:
                self._extension(child, answer, 1)
            elif local in ("queryName", "subscriptionID"):
                answer[local] = _text(child)
            elif local == "resultsBody":
                answer["resultsBody"] = self._results_body(child)
            elif local != "extension":
                raise InvalidXml(f"{_where(child)} does not belong in <QueryResults>")
        return answer

    def _results_body(self, element: etree._Element) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for child in element:
            local = local_name(child.tag)[1]
            if local == "EventList":
                events: list[dict[str, Any]] = []
                self._events(child, events)
                body["eventList"] = events
            elif local == "VocabularyList":
                body["vocabularyList"] = self._vocabularies(child)
            else:
                raise InvalidXml(f"{_where(child)} does not belong in <resultsBody>")
        return body

    def _master_data_body(self, body: etree._Element) -> list[dict[str, Any]]:
        vocabularies: list[dict[str, Any]] = []
        for child in body:
            namespace, local = local_name(child.tag)
            if namespace is None and local == "VocabularyList":
                vocabularies.extend(self._vocabularies(child))
            elif namespace is None and local != "extension":
                raise InvalidXml(f"{_where(child)} does not belong in <EPCISBody>")
        return vocabularies

    # --- master data ------------------------------------------------------------------------

    def _vocabularies(self, element: etree._Element) -> list[dict[str, Any]]:
        vocabularies = []
        for vocabulary in element:
            if local_name(vocabulary.tag) != (None, "Vocabulary"):
                raise InvalidXml(f"{_where(vocabulary)} does not belong in <VocabularyList>")
            entry: dict[str, Any] = {"type": (vocabulary.get("type") or "").strip()}
            for child in vocabulary:
                namespace, local = local_name(child.tag)
                if namespace is not None:
                    self._extension(child, entry, 1)
                elif local == "VocabularyElementList":
                    entry["vocabularyElementList"] = [
                        self._vocabulary_element(item) for item in child
                    ]
                elif local != "extension":
                    raise InvalidXml(f"{_where(child)} does not belong in <Vocabulary>")
            vocabularies.append(entry)
        return vocabularies

    def _vocabulary_element(self, element: etree._Element) -> dict[str, Any]:
        if local_name(element.tag) != (None, "VocabularyElement"):
            raise InvalidXml(f"{_where(element)} does not belong in <VocabularyElementList>")
        entry: dict[str, Any] = {"id": (element.get("id") or "").strip()}
        attributes: list[dict[str, Any]] = []
        for child in element:
            namespace, local = local_name(child.tag)
            if namespace is not None:
                self._extension(child, entry, 1)
            elif local == "attribute":
                attributes.append(
                    {
                        "id": (child.get("id") or "").strip(),
                        "attribute": self._value(child, 1, skip="id"),
                    }
                )
            elif local == "children":
                entry["children"] = [_text(item) for item in child]
            elif local != "extension":
                raise InvalidXml(f"{_where(child)} does not belong in <VocabularyElement>")
        if attributes:
            entry["attributes"] = attributes
        return entry

    # --- events -----------------------------------------------------------------------------

    def _events(self, event_list: etree._Element, events: list[dict[str, Any]]) -> None:
        for element in event_list:
            namespace, kind = local_name(element.tag)
            if namespace is None and kind == "extension":
                # EPCIS 1.x keeps TransformationEvent (and room for later types) in here.
                self._events(element, events)
                continue
            if namespace is not None or kind not in EVENT_FIELDS:
                index = len(events)
                if kind == "QuantityEvent":
                    reason = (
                        "QuantityEvent was deprecated by EPCIS 1.1 and removed in 2.0; send it "
                        "as an ObjectEvent with a quantityList"
                    )
                else:
                    reason = f"unknown event type {kind!r} ({namespace or 'no namespace'})"
                raise InvalidXml(f"eventList[{index}], line {element.sourceline}: {reason}")
            try:
                events.append(self._event(element, kind))
            except InvalidXml as error:
                event_id = element.findtext("eventID") or element.findtext("baseExtension/eventID")
                named = f", eventID {event_id.strip()}" if event_id else ""
                raise InvalidXml(
                    f"eventList[{len(events)}] ({kind}{named}), {error}", error.problems
                ) from None

    def _event(self, element: etree._Element, kind: str) -> dict[str, Any]:
        event: dict[str, Any] = {"type": kind}
        self._foreign_attributes(element, event)
        self._event_fields(element, event, _EVENT_FIELD_SETS[kind], kind)
        for required in ("eventTime", "eventTimeZoneOffset"):
            if required not in event:
                raise InvalidXml(f"line {element.sourceline}: <{kind}> has no <{required}>")
        if kind != "TransformationEvent" and "action" not in event:
            raise InvalidXml(f"line {element.sourceline}: <{kind}> has no <action>")
        return event

    def _event_fields(
        self, element: etree._Element, event: dict[str, Any], fields: frozenset[str], kind: str
    ) -> None:
        for child in element:
            tag = child.tag
            if tag[:1] == "{":
                self._extension(child, event, 1)
                continue
            if tag in ("extension", "baseExtension"):
                # The 1.x wrappers around later fields (eventID, quantityList, ilmd, …) and the
                # 2.0 ones around user extensions: either way the content belongs to the event.
                self._foreign_attributes(child, event)
                self._event_fields(child, event, fields, kind)
                continue
            if tag not in fields:
                raise InvalidXml(f"{_where(child)} is not part of a {kind}")
            if tag in event:
                raise InvalidXml(f"{_where(child)} appears twice")
            event[tag] = self._field(tag, child)

    def _field(self, name: str, element: etree._Element) -> Any:
        if name in _TEXT_FIELDS:
            value = _text(element)
            if name == "action" and value not in ACTIONS:
                raise InvalidXml(f"{_where(element)} must be ADD, OBSERVE or DELETE, not {value!r}")
            return value
        if name == "bizStep":
            return BIZ_STEPS.word(_text(element))
        if name == "disposition":
            return DISPOSITIONS.word(_text(element))
        if name in _EPC_LISTS:
            return self._ids(element, "epc")
        if name in _QUANTITY_LISTS:
            return [self._quantity(item) for item in self._items(element, "quantityElement")]
        if name in ("readPoint", "bizLocation"):
            return self._place(element)
        if name == "bizTransactionList":
            return [
                self._typed_id(item, "bizTransaction", BIZ_TRANSACTION_TYPES, required=False)
                for item in self._items(element, "bizTransaction")
            ]
        if name == "sourceList":
            return [
                self._typed_id(item, "source", SOURCE_DEST_TYPES, required=True)
                for item in self._items(element, "source")
            ]
        if name == "destinationList":
            return [
                self._typed_id(item, "destination", SOURCE_DEST_TYPES, required=True)
                for item in self._items(element, "destination")
            ]
        if name == "sensorElementList":
            return [self._sensor_element(item) for item in self._items(element, "sensorElement")]
        if name == "persistentDisposition":
            return self._persistent_disposition(element)
        if name == "ilmd":
            ilmd: dict[str, Any] = {}
            self._extensions_only(element, ilmd)
            return ilmd
        # errorDeclaration: the last field with its own handling.
        return self._error_declaration(element)

    def _items(self, element: etree._Element, item: str) -> list[etree._Element]:
        items = []
        for child in element:
            tag = child.tag
            if tag == item:
                items.append(child)
            elif tag != "extension":
                raise InvalidXml(f"{_where(child)} does not belong in <{element.tag}>")
        return items

    def _ids(self, element: etree._Element, item: str) -> list[str]:
        return [_text(child) for child in self._items(element, item)]

    def _quantity(self, element: etree._Element) -> dict[str, Any]:
        quantity: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if tag == "epcClass" or tag == "uom":
                quantity[tag] = _text(child)
            elif tag == "quantity":
                if child.get(_XSI_NIL) not in ("true", "1"):
                    quantity["quantity"] = _number(_text(child), child)
            else:
                raise InvalidXml(f"{_where(child)} does not belong in <quantityElement>")
        if "epcClass" not in quantity:
            raise InvalidXml(f"{_where(element)} has no <epcClass>")
        return quantity

    def _place(self, element: etree._Element) -> dict[str, Any]:
        place: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if tag == "id":
                place["id"] = _text(child)
            elif tag[:1] == "{":
                self._extension(child, place, 1)
            elif tag == "extension":
                self._extensions_only(child, place)
            else:
                raise InvalidXml(f"{_where(child)} does not belong in <{element.tag}>")
        if "id" not in place:
            raise InvalidXml(f"{_where(element)} has no <id>")
        return place

    def _typed_id(
        self, element: etree._Element, key: str, terms: CbvTerms, *, required: bool
    ) -> dict[str, str]:
        entry: dict[str, str] = {}
        kind = element.get("type")
        if kind is not None:
            entry["type"] = terms.word(kind.strip())
        elif required:
            raise InvalidXml(f"{_where(element)} has no type attribute")
        entry[key] = _text(element)
        return entry

    def _persistent_disposition(self, element: etree._Element) -> dict[str, list[str]]:
        changes: dict[str, list[str]] = {}
        for child in element:
            if child.tag not in ("set", "unset"):
                raise InvalidXml(f"{_where(child)} does not belong in <persistentDisposition>")
            changes.setdefault(str(child.tag), []).append(DISPOSITIONS.word(_text(child)))
        return changes

    def _error_declaration(self, element: etree._Element) -> dict[str, Any]:
        declaration: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if tag[:1] == "{":
                self._extension(child, declaration, 1)
            elif tag == "declarationTime":
                declaration["declarationTime"] = _text(child)
            elif tag == "reason":
                declaration["reason"] = ERROR_REASONS.word(_text(child))
            elif tag == "correctiveEventIDs":
                declaration["correctiveEventIDs"] = self._ids(child, "correctiveEventID")
            elif tag == "extension":
                self._extensions_only(child, declaration)
            else:
                raise InvalidXml(f"{_where(child)} does not belong in <errorDeclaration>")
        return declaration

    def _sensor_element(self, element: etree._Element) -> dict[str, Any]:
        sensor: dict[str, Any] = {}
        reports: list[dict[str, Any]] = []
        for child in element:
            tag = child.tag
            if tag == "sensorReport":
                reports.append(self._sensor_attributes(child, SENSOR_REPORT_FIELDS))
            elif tag == "sensorMetadata":
                sensor["sensorMetadata"] = self._sensor_attributes(child, SENSOR_METADATA_FIELDS)
            elif tag[:1] == "{":
                self._extension(child, sensor, 1)
            elif tag == "extension":
                self._extensions_only(child, sensor)
            else:
                raise InvalidXml(f"{_where(child)} does not belong in <sensorElement>")
        sensor["sensorReport"] = reports
        return sensor

    def _sensor_attributes(self, element: etree._Element, known: frozenset[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, raw in _attributes(element):
            value = raw.strip()
            if name[:1] == "{":
                namespace, local = local_name(name)
                if namespace != XSI_NS:
                    values[self._key(namespace, local, element)] = value
            elif name not in known:
                raise InvalidXml(f"{_where(element)} has an unknown attribute {name!r}")
            elif name in SENSOR_NUMBERS:
                values[name] = _number(value, element)
            elif name == "booleanValue":
                values[name] = _boolean(value, element)
            elif name == "type":
                values[name] = MEASUREMENT_TYPES.word(value)
            elif name == "exception":
                values[name] = SENSOR_ALERT_TYPES.word(value)
            elif name == "component":
                values[name] = COMPONENTS.word(value)
            else:
                values[name] = value
        if len(element) or (element.text or "").strip():
            raise InvalidXml(f"{_where(element)} carries its data in attributes, not content")
        return values

    # --- user extensions --------------------------------------------------------------------

    def _extensions_only(self, element: etree._Element, into: dict[str, Any]) -> None:
        """The content of an ILMD, or of an ``<extension>`` wrapper: user extensions only."""
        for child in element:
            tag = child.tag
            if tag[:1] == "{":
                self._extension(child, into, 1)
            elif tag == "extension":
                self._extensions_only(child, into)
            else:
                raise InvalidXml(f"{_where(child)} is not an element this reader understands")

    def _key(self, namespace: str | None, local: str, element: etree._Element) -> str:
        if namespace is None:
            return local
        prefix = self.prefixes.get(namespace) or _CONTEXT_NAMESPACES.get(namespace)
        if prefix is not None:
            return f"{prefix}:{local}"
        if namespace in _EPCIS_NAMESPACES:
            raise InvalidXml(
                f"line {element.sourceline}: {local!r} in the EPCIS namespace {namespace} is not "
                "an EPCIS element here, and a user extension needs a namespace of its own"
            )
        prefix = self._free_prefix(element, namespace)
        self.prefixes[namespace] = prefix
        self.taken.add(prefix)
        return f"{prefix}:{local}"

    def _free_prefix(self, element: etree._Element, namespace: str) -> str:
        wanted = next(
            (p for p, uri in element.nsmap.items() if uri == namespace and p is not None), None
        )
        base = wanted if wanted and wanted not in self.taken else "ns"
        prefix, number = base, 1
        while prefix in self.taken or prefix == "ns":
            prefix = f"{base}{number}"
            number += 1
        return prefix

    def _extension(self, element: etree._Element, into: dict[str, Any], depth: int) -> None:
        namespace, local = local_name(element.tag)
        key = self._key(namespace, local, element)
        value = self._value(element, depth)
        if key in into:
            present = into[key]
            if isinstance(present, list):
                present.append(value)
            else:
                into[key] = [present, value]
        else:
            into[key] = value

    def _foreign_attributes(self, element: etree._Element, into: dict[str, Any]) -> None:
        for name, value in _attributes(element):
            namespace, local = local_name(name)
            if namespace is not None and namespace != XSI_NS:
                into[self._key(namespace, local, element)] = value.strip()

    def _value(self, element: etree._Element, depth: int, skip: str = "") -> Any:
        """A user extension element as JSON: its text (typed by ``xsi:type`` where that names
        an XSD number or boolean), or an object of its attributes and child elements, repeated
        children becoming an array."""
        if depth > MAX_EXTENSION_DEPTH:
            raise InvalidXml(
                f"line {element.sourceline}: extensions nest deeper than {MAX_EXTENSION_DEPTH}"
            )
        text = (element.text or "").strip()
        attributes = [
            (name, value)
            for name, value in _attributes(element)
            if not name.startswith(_XSI) and name != skip
        ]
        if not len(element) and not attributes:
            if element.get(_XSI_NIL) in ("true", "1"):
                return None
            return self._typed(element, text)
        value: dict[str, Any] = {}
        for name, raw in attributes:
            namespace, local = local_name(name)
            value[self._key(namespace, local, element)] = raw.strip()
        for child in element:
            self._extension(child, value, depth + 1)
            if (child.tail or "").strip():
                text = "mixed"
        if text:
            if len(element):
                raise InvalidXml(
                    f"{_where(element)} mixes text with elements, which has no JSON-LD form"
                )
            value["@value"] = self._typed(element, text)
        return value

    def _typed(self, element: etree._Element, text: str) -> Any:
        declared = element.get(_XSI_TYPE)
        if declared is None:
            return text
        prefix, _, name = declared.strip().rpartition(":")
        if element.nsmap.get(prefix or None) != XSD_NS:
            return text
        if name == "boolean":
            return _boolean(text, element)
        if name in _XSD_INTEGERS:
            return _number(text, element)
        if name in ("decimal", "double", "float"):
            return _number(text, element)
        return text


_XSI = f"{{{XSI_NS}}}"
_TEXT_FIELDS = frozenset(
    [
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "eventID",
        "action",
        "parentID",
        "transformationID",
        "certificationInfo",
    ]
)
_EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
_QUANTITY_LISTS = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
