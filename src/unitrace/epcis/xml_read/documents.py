"""EPCIS XML documents read into the JSON-LD document dict: the EPCISDocument,
EPCISQueryDocument and EPCISMasterDataDocument around the events, the header (the parts of the
StandardBusinessDocumentHeader the JSON-LD binding keeps) and master data.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from unitrace.epcis.events import EPCIS_CONTEXT
from unitrace.epcis.xml import (
    EPCIS_1_NS,
    EPCIS_NS,
    MASTER_DATA_1_NS,
    MASTER_DATA_NS,
    QUERY_1_NS,
    QUERY_NS,
    SBDH_NS,
    InvalidXml,
    local_name,
)
from unitrace.epcis.xml_read.elements import element_text, where
from unitrace.epcis.xml_read.events import EventReader


class DocumentReader(EventReader):
    """Reads one document: the document around the events, its header and its master data."""

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
                raise InvalidXml(f"{where(child)} does not belong in <{name}>")
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
                raise InvalidXml(f"{where(child)} does not belong in <EPCISHeader>")

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
                raise InvalidXml(f"{where(child)} does not belong in <EPCISBody>")
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
                answer[local] = element_text(child)
            elif local == "resultsBody":
                answer["resultsBody"] = self._results_body(child)
            elif local != "extension":
                raise InvalidXml(f"{where(child)} does not belong in <QueryResults>")
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
                raise InvalidXml(f"{where(child)} does not belong in <resultsBody>")
        return body

    def _master_data_body(self, body: etree._Element) -> list[dict[str, Any]]:
        vocabularies: list[dict[str, Any]] = []
        for child in body:
            namespace, local = local_name(child.tag)
            if namespace is None and local == "VocabularyList":
                vocabularies.extend(self._vocabularies(child))
            elif namespace is None and local != "extension":
                raise InvalidXml(f"{where(child)} does not belong in <EPCISBody>")
        return vocabularies

    # --- master data ------------------------------------------------------------------------

    def _vocabularies(self, element: etree._Element) -> list[dict[str, Any]]:
        vocabularies = []
        for vocabulary in element:
            if local_name(vocabulary.tag) != (None, "Vocabulary"):
                raise InvalidXml(f"{where(vocabulary)} does not belong in <VocabularyList>")
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
                    raise InvalidXml(f"{where(child)} does not belong in <Vocabulary>")
            vocabularies.append(entry)
        return vocabularies

    def _vocabulary_element(self, element: etree._Element) -> dict[str, Any]:
        if local_name(element.tag) != (None, "VocabularyElement"):
            raise InvalidXml(f"{where(element)} does not belong in <VocabularyElementList>")
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
                entry["children"] = [element_text(item) for item in child]
            elif local != "extension":
                raise InvalidXml(f"{where(child)} does not belong in <VocabularyElement>")
        if attributes:
            entry["attributes"] = attributes
        return entry
