"""Documents written as EPCIS 2.0 XML: the EPCISDocument or EPCISQueryDocument around the
events, its namespaces, the header (a StandardBusinessDocumentHeader for the sender, receiver
and instance identifier) with its master data, and query results.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from unitrace.epcis.xml import (
    EPCIS_NS,
    QUERY_NS,
    SBDH_NS,
    XSD_NS,
    XSI_NS,
    UnwritableDocument,
)
from unitrace.epcis.xml_write.events import EventWriter
from unitrace.epcis.xml_write.values import (
    Fault,
    array_of,
    fault_at,
    object_of,
    string_of,
)

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


class DocumentWriter(EventWriter):
    """Writes one document: the document around the events, its header and its master data."""

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
                root.set(attribute, string_of(document[attribute], attribute))
            except Fault as fault:
                raise UnwritableDocument(str(fault)) from None
        self._header(root)
        body = etree.SubElement(root, "EPCISBody")
        try:
            if kind == "EPCISDocument":
                events = object_of(document.get("epcisBody"), "epcisBody").get("eventList")
                self._event_list(etree.SubElement(body, "EventList"), events, "eventList")
            else:
                self._query_results(body)
            for key, value in document.items():
                if key not in _DOCUMENT_KEYS:
                    self._extension(root, key, value, key, 1)
        except Fault as fault:
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
                master_data = object_of(header_data, "epcisHeader").get("epcisMasterData")
                unknown = sorted(set(header_data) - {"epcisMasterData"})
                if unknown:
                    raise fault_at("epcisHeader", f"{unknown[0]!r} has no place in the XML header")
                if master_data is not None:
                    vocabularies = object_of(master_data, "epcisHeader.epcisMasterData").get(
                        "vocabularyList", []
                    )
                    extension = etree.SubElement(header, "extension")
                    element = etree.SubElement(extension, "EPCISMasterData")
                    self._vocabularies(
                        etree.SubElement(element, "VocabularyList"),
                        vocabularies,
                        "epcisHeader.epcisMasterData.vocabularyList",
                    )
            except Fault as fault:
                raise UnwritableDocument(str(fault)) from None

    def _sbdh(self, header: etree._Element, sender: Any, receiver: Any, instance: Any) -> None:
        def sub(parent: etree._Element, name: str, text: Any = None) -> etree._Element:
            element = etree.SubElement(parent, f"{{{SBDH_NS}}}{name}", nsmap={"sbdh": SBDH_NS})
            if text is not None:
                try:
                    element.text = string_of(text, name)
                except Fault as fault:
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
        results = object_of(
            object_of(self.document.get("epcisBody"), "epcisBody").get("queryResults"),
            "epcisBody.queryResults",
        )
        element = etree.SubElement(body, f"{{{QUERY_NS}}}QueryResults")
        path = "epcisBody.queryResults"
        if "queryName" not in results:
            raise fault_at(path, "has no queryName")
        etree.SubElement(element, "queryName").text = string_of(results["queryName"], "queryName")
        if "subscriptionID" in results:
            etree.SubElement(element, "subscriptionID").text = string_of(
                results["subscriptionID"], "subscriptionID"
            )
        answer = object_of(results.get("resultsBody"), f"{path}.resultsBody")
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
            raise fault_at(f"{path}.resultsBody", "has neither eventList nor vocabularyList")
        for key, value in results.items():
            if key not in ("queryName", "subscriptionID", "resultsBody"):
                self._extension(element, key, value, f"{path}.{key}", 1)

    # --- master data ------------------------------------------------------------------------

    def _vocabularies(self, parent: etree._Element, vocabularies: Any, path: str) -> None:
        for index, vocabulary in enumerate(array_of(vocabularies, path)):
            where = f"{path}[{index}]"
            vocabulary = object_of(vocabulary, where)
            element = etree.SubElement(parent, "Vocabulary")
            element.set("type", string_of(vocabulary.get("type"), f"{where}.type"))
            items = vocabulary.get("vocabularyElementList")
            if items is not None:
                item_list = etree.SubElement(element, "VocabularyElementList")
                for number, item in enumerate(array_of(items, f"{where}.vocabularyElementList")):
                    self._vocabulary_element(
                        item_list, item, f"{where}.vocabularyElementList[{number}]"
                    )
            for key, value in vocabulary.items():
                if key not in ("type", "vocabularyElementList"):
                    self._extension(element, key, value, f"{where}.{key}", 1)

    def _vocabulary_element(self, parent: etree._Element, item: Any, path: str) -> None:
        item = object_of(item, path)
        element = etree.SubElement(parent, "VocabularyElement")
        element.set("id", string_of(item.get("id"), f"{path}.id"))
        for index, attribute in enumerate(
            array_of(item.get("attributes", []), f"{path}.attributes")
        ):
            where = f"{path}.attributes[{index}]"
            attribute = object_of(attribute, where)
            child = etree.SubElement(element, "attribute")
            child.set("id", string_of(attribute.get("id"), f"{where}.id"))
            if "attribute" in attribute:
                self._fill(child, attribute["attribute"], f"{where}.attribute", 1)
        if "children" in item:
            children = etree.SubElement(element, "children")
            for index, child_id in enumerate(array_of(item["children"], f"{path}.children")):
                etree.SubElement(children, "id").text = string_of(
                    child_id, f"{path}.children[{index}]"
                )
        for key, value in item.items():
            if key not in ("id", "attributes", "children"):
                self._extension(element, key, value, f"{path}.{key}", 1)


def _free_xml_prefix(prefix: str, nsmap: Mapping[str, str]) -> str:
    # The XML binding's own prefixes (epcis, epcisq, xsi, xsd) stay bound to its namespaces.
    reserved = {"epcis", "epcisq", "xsi", "xsd", "sbdh", "xml", "xmlns"}
    candidate, number = prefix, 1
    while candidate in nsmap or candidate in reserved:
        candidate = f"{prefix}{number}"
        number += 1
    return candidate
