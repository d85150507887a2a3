"""The JSON-LD document dict written as EPCIS 2.0 XML.

:func:`document_to_xml` is the reverse of :func:`unitrace.epcis.xml_read.document_from_xml`:
bare CBV words become the CBV URNs, every ``prefix:name`` key becomes an element (or, on
``sensorMetadata`` and ``sensorReport``, an attribute) in the namespace the document's
``@context`` gives that prefix, and the fields go in the order of the official XSD, so that the
output validates against it.

>>> document = {
...     "@context": [
...         "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
...         {"ex": "https://ns.example.com/epcis/"},
...     ],
...     "type": "EPCISDocument",
...     "schemaVersion": "2.0",
...     "creationDate": "2024-05-04T09:30:00Z",
...     "epcisBody": {"eventList": [{
...         "type": "ObjectEvent",
...         "eventTime": "2024-05-04T09:30:00.000+08:00",
...         "eventTimeZoneOffset": "+08:00",
...         "epcList": ["urn:epc:id:sgtin:9506000.013435.X1"],
...         "action": "OBSERVE",
...         "bizStep": "shipping",
...         "ex:checked": True,
...     }]},
... }
>>> print(document_to_xml(document).decode())  # doctest: +NORMALIZE_WHITESPACE
<?xml version='1.0' encoding='UTF-8'?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"
  xmlns:ex="https://ns.example.com/epcis/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  schemaVersion="2.0" creationDate="2024-05-04T09:30:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2024-05-04T09:30:00.000+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:9506000.013435.X1</epc></epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><ex:checked xsi:type="xsd:boolean">true</ex:checked></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>

What the XML binding cannot carry is refused with :class:`UnwritableDocument` rather than lost
quietly, except what has no XML place at all and no meaning for the events: the document's own
``id`` and the JSON-LD term definitions of its ``@context``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from lxml import etree

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.xml import (
    ACTIONS,
    BIZ_STEPS,
    BIZ_TRANSACTION_TYPES,
    COMMON_FIELDS,
    COMPONENTS,
    CONTEXT_PREFIXES,
    DISPOSITIONS,
    EPCIS_NS,
    ERROR_REASONS,
    EVENT_FIELDS,
    MAX_EXTENSION_DEPTH,
    MEASUREMENT_TYPES,
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
    UnwritableDocument,
)

_XSI_TYPE = f"{{{XSI_NS}}}type"
_XSI_NIL = f"{{{XSI_NS}}}nil"
_DOCUMENT_KEYS = frozenset(
    [
        "@context",
        "id",
        "type",
        "schemaVersion",
        "creationDate",
        "sender",
        "receiver",
        "instanceIdentifier",
        "epcisHeader",
        "epcisBody",
    ]
)


def document_to_xml(document: Mapping[str, Any]) -> bytes:
    """An ``EPCISDocument`` or ``EPCISQueryDocument`` dict as EPCIS 2.0 XML (UTF-8).

    Master data in ``epcisHeader.epcisMasterData.vocabularyList`` goes to
    ``EPCISHeader/extension/EPCISMasterData``; ``sender``, ``receiver`` and
    ``instanceIdentifier`` become a StandardBusinessDocumentHeader. Raises
    :class:`UnwritableDocument` naming the event (index and eventID) and the field.
    """
    return _DocumentWriter(document).xml()


class _Fault(Exception):
    """A field of one event that cannot be written; the writer adds which event."""


def _fault(path: str, message: str) -> _Fault:
    return _Fault(f"{path}: {message}")


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fault(path, f"must be a string, not {type(value).__name__} {value!r}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fault(path, f"must be an array, not {type(value).__name__}")
    return value


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fault(path, f"must be an object, not {type(value).__name__}")
    return value


def _number_text(value: Any, path: str) -> str:
    # bool is an int to Python but not a number to JSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fault(path, f"must be a number, not {type(value).__name__} {value!r}")
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise _fault(path, f"must be a finite number, not {value!r}")
    # xsd:decimal has no exponent, and repr() of a float is its shortest exact decimal; the
    # point keeps 1e308 a float when read back (as an integer it would be exactly 10**308).
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _term(terms: CbvTerms, value: Any, path: str) -> str:
    try:
        return terms.uri(_string(value, path))
    except ValueError as error:
        raise _fault(path, str(error)) from None


class _DocumentWriter:
    """Writes one document, resolving its ``prefix:name`` keys through its ``@context``."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        if not isinstance(document, Mapping):
            raise UnwritableDocument(f"a document is an object, not {type(document).__name__}")
        self.document = document
        # the prefixes the EPCIS context defines, then the document's (which may redefine them)
        self.namespaces = {**CONTEXT_PREFIXES, **namespaces_of(document.get("@context"))}
        self.typed = False  # whether any xsi:type names an XSD type, which needs xmlns:xsd

    def xml(self) -> bytes:
        document = self.document
        kind = document.get("type")
        if kind == "EPCISDocument":
            tag = f"{{{EPCIS_NS}}}EPCISDocument"
        elif kind == "EPCISQueryDocument":
            tag = f"{{{QUERY_NS}}}EPCISQueryDocument"
        else:
            raise UnwritableDocument(
                f"type: {kind!r} is not a document type the XML binding writes "
                "(EPCISDocument or EPCISQueryDocument)"
            )
        nsmap: dict[str, str] = {"epcis": EPCIS_NS}
        if kind == "EPCISQueryDocument":
            nsmap["epcisq"] = QUERY_NS
        for prefix, uri in self.namespaces.items():
            if uri not in nsmap.values():
                nsmap[_free_xml_prefix(prefix, nsmap)] = uri
        nsmap.update(xsi=XSI_NS, xsd=XSD_NS)
        root = etree.Element(tag, nsmap=nsmap)
        for attribute in ("schemaVersion", "creationDate"):
            if attribute not in document:
                raise UnwritableDocument(f"{attribute}: the document has none")
            try:
                root.set(attribute, _string(document[attribute], attribute))
            except _Fault as fault:
                raise UnwritableDocument(str(fault)) from None
        self._header(root)
        body = etree.SubElement(root, "EPCISBody")
        try:
            if kind == "EPCISDocument":
                events = _object(document.get("epcisBody"), "epcisBody").get("eventList")
                self._event_list(etree.SubElement(body, "EventList"), events, "eventList")
            else:
                self._query_results(body)
            for key, value in document.items():
                if key not in _DOCUMENT_KEYS:
                    self._extension(root, key, value, key, 1)
        except _Fault as fault:
            raise UnwritableDocument(str(fault)) from None
        etree.cleanup_namespaces(root, keep_ns_prefixes=["xsd"] if self.typed else None)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    def _header(self, root: etree._Element) -> None:
        document = self.document
        parties = [document.get(key) for key in ("sender", "receiver", "instanceIdentifier")]
        header_data = document.get("epcisHeader")
        if not any(parties) and not header_data:
            return
        header = etree.SubElement(root, "EPCISHeader")
        if any(parties):
            self._sbdh(header, *parties)
        if header_data:
            try:
                master_data = _object(header_data, "epcisHeader").get("epcisMasterData")
                unknown = sorted(set(header_data) - {"epcisMasterData"})
                if unknown:
                    raise _fault("epcisHeader", f"{unknown[0]!r} has no place in the XML header")
                if master_data is not None:
                    vocabularies = _object(master_data, "epcisHeader.epcisMasterData").get(
                        "vocabularyList", []
                    )
                    extension = etree.SubElement(header, "extension")
                    element = etree.SubElement(extension, "EPCISMasterData")
                    self._vocabularies(
                        etree.SubElement(element, "VocabularyList"),
                        vocabularies,
                        "epcisHeader.epcisMasterData.vocabularyList",
                    )
            except _Fault as fault:
                raise UnwritableDocument(str(fault)) from None

    def _sbdh(self, header: etree._Element, sender: Any, receiver: Any, instance: Any) -> None:
        def sub(parent: etree._Element, name: str, text: Any = None) -> etree._Element:
            element = etree.SubElement(parent, f"{{{SBDH_NS}}}{name}", nsmap={"sbdh": SBDH_NS})
            if text is not None:
                try:
                    element.text = _string(text, name)
                except _Fault as fault:
                    raise UnwritableDocument(str(fault)) from None
            return element

        sbdh = sub(header, "StandardBusinessDocumentHeader")
        sub(sbdh, "HeaderVersion", "1.0")
        sub(sub(sbdh, "Sender"), "Identifier", sender or "")
        sub(sub(sbdh, "Receiver"), "Identifier", receiver or "")
        identification = sub(sbdh, "DocumentIdentification")
        sub(identification, "Standard", "EPCglobal")
        sub(identification, "TypeVersion", "2.0")
        sub(identification, "InstanceIdentifier", instance or "")
        sub(identification, "Type", "Events")
        sub(identification, "CreationDateAndTime", self.document.get("creationDate"))

    def _query_results(self, body: etree._Element) -> None:
        results = _object(
            _object(self.document.get("epcisBody"), "epcisBody").get("queryResults"),
            "epcisBody.queryResults",
        )
        element = etree.SubElement(body, f"{{{QUERY_NS}}}QueryResults")
        path = "epcisBody.queryResults"
        if "queryName" not in results:
            raise _fault(path, "has no queryName")
        etree.SubElement(element, "queryName").text = _string(results["queryName"], "queryName")
        if "subscriptionID" in results:
            etree.SubElement(element, "subscriptionID").text = _string(
                results["subscriptionID"], "subscriptionID"
            )
        answer = _object(results.get("resultsBody"), f"{path}.resultsBody")
        results_body = etree.SubElement(element, "resultsBody")
        if "eventList" in answer:
            self._event_list(
                etree.SubElement(results_body, "EventList"), answer["eventList"], "eventList"
            )
        elif "vocabularyList" in answer:
            self._vocabularies(
                etree.SubElement(results_body, "VocabularyList"),
                answer["vocabularyList"],
                f"{path}.resultsBody.vocabularyList",
            )
        else:
            raise _fault(f"{path}.resultsBody", "has neither eventList nor vocabularyList")
        for key, value in results.items():
            if key not in ("queryName", "subscriptionID", "resultsBody"):
                self._extension(element, key, value, f"{path}.{key}", 1)

    # --- master data ------------------------------------------------------------------------

    def _vocabularies(self, parent: etree._Element, vocabularies: Any, path: str) -> None:
        for index, vocabulary in enumerate(_list(vocabularies, path)):
            where = f"{path}[{index}]"
            vocabulary = _object(vocabulary, where)
            element = etree.SubElement(parent, "Vocabulary")
            element.set("type", _string(vocabulary.get("type"), f"{where}.type"))
            items = vocabulary.get("vocabularyElementList")
            if items is not None:
                item_list = etree.SubElement(element, "VocabularyElementList")
                for number, item in enumerate(_list(items, f"{where}.vocabularyElementList")):
                    self._vocabulary_element(
                        item_list, item, f"{where}.vocabularyElementList[{number}]"
                    )
            for key, value in vocabulary.items():
                if key not in ("type", "vocabularyElementList"):
                    self._extension(element, key, value, f"{where}.{key}", 1)

    def _vocabulary_element(self, parent: etree._Element, item: Any, path: str) -> None:
        item = _object(item, path)
        element = etree.SubElement(parent, "VocabularyElement")
        element.set("id", _string(item.get("id"), f"{path}.id"))
        for index, attribute in enumerate(_list(item.get("attributes", []), f"{path}.attributes")):
            where = f"{path}.attributes[{index}]"
            attribute = _object(attribute, where)
            child = etree.SubElement(element, "attribute")
            child.set("id", _string(attribute.get("id"), f"{where}.id"))
            if "attribute" in attribute:
                self._fill(child, attribute["attribute"], f"{where}.attribute", 1)
        if "children" in item:
            children = etree.SubElement(element, "children")
            for index, child_id in enumerate(_list(item["children"], f"{path}.children")):
                etree.SubElement(children, "id").text = _string(
                    child_id, f"{path}.children[{index}]"
                )
        for key, value in item.items():
            if key not in ("id", "attributes", "children"):
                self._extension(element, key, value, f"{path}.{key}", 1)

    # --- events -----------------------------------------------------------------------------

    def _event_list(self, parent: etree._Element, events: Any, path: str) -> None:
        for index, event in enumerate(_list(events, path)):
            try:
                self._event(parent, _object(event, f"{path}[{index}]"))
            except _Fault as fault:
                event_id = event.get("eventID") if isinstance(event, Mapping) else None
                kind = event.get("type") if isinstance(event, Mapping) else None
                named = f", eventID {event_id}" if isinstance(event_id, str) else ""
                raise _Fault(f"{path}[{index}] ({kind}{named}), {fault}") from None

    def _event(self, parent: etree._Element, event: Mapping[str, Any]) -> None:
        kind = event.get("type")
        fields = EVENT_FIELDS.get(kind) if isinstance(kind, str) else None
        if fields is None:
            raise _fault("type", f"{kind!r} is not an event type the XML binding has")
        for required in ("eventTime", "eventTimeZoneOffset"):
            if required not in event:
                raise _fault(required, "is missing")
        if kind != "TransformationEvent" and "action" not in event:
            raise _fault("action", "is missing")
        known = set(COMMON_FIELDS).union(fields)
        for key in event:
            if key not in known and key not in ("type", "@context") and ":" not in key:
                raise _fault(key, f"is not a field of a {kind}")
        element = etree.SubElement(parent, str(kind))
        for name in (*COMMON_FIELDS, *fields):
            if name in event:
                _FIELD_WRITERS[name](self, element, name, event[name])
        for key, value in event.items():
            if ":" in key and key not in known:
                self._extension(element, key, value, key, 1)

    def _text(self, parent: etree._Element, name: str, value: Any) -> None:
        text = _string(value, name)
        if name == "action" and text not in ACTIONS:
            raise _fault(name, f"must be ADD, OBSERVE or DELETE, not {text!r}")
        etree.SubElement(parent, name).text = text

    def _certification(self, parent: etree._Element, name: str, value: Any) -> None:
        if isinstance(value, list):
            if len(value) != 1:
                raise _fault(
                    name,
                    f"the XML binding carries exactly one certificationInfo, not {len(value)}",
                )
            value = value[0]
        etree.SubElement(parent, name).text = _string(value, name)

    def _biz_step(self, parent: etree._Element, name: str, value: Any) -> None:
        etree.SubElement(parent, name).text = _term(BIZ_STEPS, value, name)

    def _disposition(self, parent: etree._Element, name: str, value: Any) -> None:
        etree.SubElement(parent, name).text = _term(DISPOSITIONS, value, name)

    def _epcs(self, parent: etree._Element, name: str, value: Any) -> None:
        element = etree.SubElement(parent, name)
        for index, epc in enumerate(_list(value, name)):
            etree.SubElement(element, "epc").text = _string(epc, f"{name}[{index}]")

    def _quantities(self, parent: etree._Element, name: str, value: Any) -> None:
        element = etree.SubElement(parent, name)
        for index, item in enumerate(_list(value, name)):
            where = f"{name}[{index}]"
            item = _object(item, where)
            unknown = sorted(set(item) - {"epcClass", "quantity", "uom"})
            if unknown:
                raise _fault(f"{where}.{unknown[0]}", "is not part of a quantity element")
            if "epcClass" not in item:
                raise _fault(f"{where}.epcClass", "is missing")
            quantity = etree.SubElement(element, "quantityElement")
            etree.SubElement(quantity, "epcClass").text = _string(
                item["epcClass"], f"{where}.epcClass"
            )
            if "quantity" in item:
                etree.SubElement(quantity, "quantity").text = _number_text(
                    item["quantity"], f"{where}.quantity"
                )
            if "uom" in item:
                if "quantity" not in item:
                    raise _fault(f"{where}.uom", "needs a quantity")
                etree.SubElement(quantity, "uom").text = _string(item["uom"], f"{where}.uom")

    def _place(self, parent: etree._Element, name: str, value: Any) -> None:
        place = _object(value, name)
        if "id" not in place:
            raise _fault(f"{name}.id", "is missing")
        element = etree.SubElement(parent, name)
        etree.SubElement(element, "id").text = _string(place["id"], f"{name}.id")
        for key, item in place.items():
            if key != "id":
                self._extension(element, key, item, f"{name}.{key}", 1)

    def _biz_transactions(self, parent: etree._Element, name: str, value: Any) -> None:
        self._typed_ids(parent, name, value, "bizTransaction", BIZ_TRANSACTION_TYPES, False)

    def _sources(self, parent: etree._Element, name: str, value: Any) -> None:
        self._typed_ids(parent, name, value, "source", SOURCE_DEST_TYPES, True)

    def _destinations(self, parent: etree._Element, name: str, value: Any) -> None:
        self._typed_ids(parent, name, value, "destination", SOURCE_DEST_TYPES, True)

    def _typed_ids(
        self,
        parent: etree._Element,
        name: str,
        value: Any,
        key: str,
        terms: CbvTerms,
        type_required: bool,
    ) -> None:
        element = etree.SubElement(parent, name)
        for index, item in enumerate(_list(value, name)):
            where = f"{name}[{index}]"
            item = _object(item, where)
            unknown = sorted(set(item) - {"type", key})
            if unknown:
                raise _fault(f"{where}.{unknown[0]}", f"is not part of a {key}")
            if key not in item:
                raise _fault(f"{where}.{key}", "is missing")
            child = etree.SubElement(element, key)
            child.text = _string(item[key], f"{where}.{key}")
            if "type" in item:
                child.set("type", _term(terms, item["type"], f"{where}.type"))
            elif type_required:
                raise _fault(f"{where}.type", "is missing")

    def _persistent_disposition(self, parent: etree._Element, name: str, value: Any) -> None:
        changes = _object(value, name)
        unknown = sorted(set(changes) - {"set", "unset"})
        if unknown:
            raise _fault(f"{name}.{unknown[0]}", "is neither set nor unset")
        element = etree.SubElement(parent, name)
        for change in ("unset", "set"):
            for index, item in enumerate(_list(changes.get(change, []), f"{name}.{change}")):
                etree.SubElement(element, change).text = _term(
                    DISPOSITIONS, item, f"{name}.{change}[{index}]"
                )

    def _ilmd(self, parent: etree._Element, name: str, value: Any) -> None:
        element = etree.SubElement(parent, name)
        for key, item in _object(value, name).items():
            self._extension(element, key, item, f"{name}.{key}", 1)

    def _error_declaration(self, parent: etree._Element, name: str, value: Any) -> None:
        declaration = _object(value, name)
        element = etree.SubElement(parent, name)
        if "declarationTime" in declaration:
            etree.SubElement(element, "declarationTime").text = _string(
                declaration["declarationTime"], f"{name}.declarationTime"
            )
        if "reason" in declaration:
            etree.SubElement(element, "reason").text = _term(
                ERROR_REASONS, declaration["reason"], f"{name}.reason"
            )
        if "correctiveEventIDs" in declaration:
            where = f"{name}.correctiveEventIDs"
            ids = etree.SubElement(element, "correctiveEventIDs")
            for index, event_id in enumerate(_list(declaration["correctiveEventIDs"], where)):
                etree.SubElement(ids, "correctiveEventID").text = _string(
                    event_id, f"{where}[{index}]"
                )
        for key, item in declaration.items():
            if key not in ("declarationTime", "reason", "correctiveEventIDs"):
                self._extension(element, key, item, f"{name}.{key}", 1)

    def _sensor_elements(self, parent: etree._Element, name: str, value: Any) -> None:
        element = etree.SubElement(parent, name)
        for index, item in enumerate(_list(value, name)):
            where = f"{name}[{index}]"
            sensor = _object(item, where)
            child = etree.SubElement(element, "sensorElement")
            if "sensorMetadata" in sensor:
                self._sensor_attributes(
                    etree.SubElement(child, "sensorMetadata"),
                    _object(sensor["sensorMetadata"], f"{where}.sensorMetadata"),
                    SENSOR_METADATA_FIELDS,
                    f"{where}.sensorMetadata",
                )
            reports = _list(sensor.get("sensorReport"), f"{where}.sensorReport")
            for number, report in enumerate(reports):
                self._sensor_attributes(
                    etree.SubElement(child, "sensorReport"),
                    _object(report, f"{where}.sensorReport[{number}]"),
                    SENSOR_REPORT_FIELDS,
                    f"{where}.sensorReport[{number}]",
                )
            for key, item in sensor.items():
                if key not in ("sensorMetadata", "sensorReport"):
                    self._extension(child, key, item, f"{where}.{key}", 1)

    def _sensor_attributes(
        self,
        element: etree._Element,
        values: Mapping[str, Any],
        known: frozenset[str],
        path: str,
    ) -> None:
        for key, value in values.items():
            where = f"{path}.{key}"
            if ":" in key:
                if isinstance(value, Mapping | list):
                    raise _fault(where, "the XML binding carries it as an attribute: no objects")
                element.set(self._qualified(key, where), self._scalar(value, where))
                continue
            if key not in known:
                raise _fault(where, "is not a sensor field")
            if key in SENSOR_NUMBERS:
                text = _number_text(value, where)
            elif key == "booleanValue":
                if not isinstance(value, bool):
                    raise _fault(where, f"must be true or false, not {value!r}")
                text = "true" if value else "false"
            elif key == "type":
                text = _term(MEASUREMENT_TYPES, value, where)
            elif key == "exception":
                text = _term(SENSOR_ALERT_TYPES, value, where)
            elif key == "component":
                text = _term(COMPONENTS, value, where)
            else:
                text = _string(value, where)
            element.set(key, text)

    # --- user extensions --------------------------------------------------------------------

    def _qualified(self, key: str, path: str) -> str:
        prefix, colon, name = key.partition(":")
        if not colon:
            return key
        namespace = self.namespaces.get(prefix)
        if namespace is None:
            raise _fault(path, f"the prefix {prefix!r} is not declared in the @context")
        return f"{{{namespace}}}{name}"

    def _extension(
        self, parent: etree._Element, key: str, value: Any, path: str, depth: int
    ) -> None:
        if key.startswith("@"):
            return
        tag = self._qualified(key, path)
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if isinstance(item, list):
                raise _fault(f"{path}[{index}]", "an array in an array has no XML form")
            self._fill(etree.SubElement(parent, tag), item, path, depth)

    def _fill(self, element: etree._Element, value: Any, path: str, depth: int) -> None:
        if depth > MAX_EXTENSION_DEPTH:
            raise _fault(path, f"extensions nest deeper than {MAX_EXTENSION_DEPTH}")
        if isinstance(value, Mapping) and "@value" in value:
            # Text beside other keys: the read form of an element with attributes and text, so
            # the other keys go back as attributes (an element cannot mix text and elements).
            for key, item in value.items():
                if key == "@value":
                    element.text = self._scalar(item, f"{path}.@value", element)
                elif isinstance(item, Mapping | list) or item is None:
                    raise _fault(f"{path}.{key}", "beside @value it is an attribute: no objects")
                else:
                    element.set(self._qualified(key, path), self._scalar(item, f"{path}.{key}"))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                self._extension(element, key, item, f"{path}.{key}", depth + 1)
        elif value is None:
            element.set(_XSI_NIL, "true")
        else:
            element.text = self._scalar(value, path, element)

    def _scalar(self, value: Any, path: str, element: etree._Element | None = None) -> str:
        """The text of a JSON value; where it is a boolean or a number, the element says so
        with ``xsi:type`` so that reading it back gives the same JSON type."""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            kind, text = "boolean", "true" if value else "false"
        elif isinstance(value, int):
            kind, text = "integer", str(value)
        elif isinstance(value, float):
            kind, text = "decimal", _number_text(value, path)
        else:
            raise _fault(path, f"{type(value).__name__} {value!r} has no XML form")
        if element is not None:
            element.set(_XSI_TYPE, f"xsd:{kind}")
            self.typed = True
        return text


_FIELD_WRITERS: dict[str, Callable[[_DocumentWriter, etree._Element, str, Any], None]] = {
    **dict.fromkeys(
        (
            [
                "eventTime",
                "recordTime",
                "eventTimeZoneOffset",
                "eventID",
                "action",
                "parentID",
                "transformationID",
            ]
        ),
        _DocumentWriter._text,
    ),
    "certificationInfo": _DocumentWriter._certification,
    "bizStep": _DocumentWriter._biz_step,
    "disposition": _DocumentWriter._disposition,
    **dict.fromkeys(
        ("epcList", "childEPCs", "inputEPCList", "outputEPCList"), _DocumentWriter._epcs
    ),
    **dict.fromkeys(
        ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"),
        _DocumentWriter._quantities,
    ),
    "readPoint": _DocumentWriter._place,
    "bizLocation": _DocumentWriter._place,
    "bizTransactionList": _DocumentWriter._biz_transactions,
    "sourceList": _DocumentWriter._sources,
    "destinationList": _DocumentWriter._destinations,
    "sensorElementList": _DocumentWriter._sensor_elements,
    "persistentDisposition": _DocumentWriter._persistent_disposition,
    "ilmd": _DocumentWriter._ilmd,
    "errorDeclaration": _DocumentWriter._error_declaration,
}


def _free_xml_prefix(prefix: str, nsmap: Mapping[str, str]) -> str:
    # The XML binding's own prefixes (epcis, epcisq, xsi, xsd) stay bound to its namespaces.
    reserved = {"epcis", "epcisq", "xsi", "xsd", "sbdh", "xml", "xmlns"}
    candidate, number = prefix, 1
    while candidate in nsmap or candidate in reserved:
        candidate = f"{prefix}{number}"
        number += 1
    return candidate
