"""User extensions in EPCIS XML read into JSON-LD: elements and attributes in namespaces of
their own become ``prefix:name`` keys, each namespace met given one prefix that the document's
``@context`` declares, values typed by ``xsi:type``, repeated elements becoming arrays.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from unitrace.epcis.xml import (
    CBVMDA_XML_NS,
    CONTEXT_PREFIXES,
    EPCIS_1_NS,
    EPCIS_NS,
    MASTER_DATA_1_NS,
    MASTER_DATA_NS,
    MAX_EXTENSION_DEPTH,
    QUERY_1_NS,
    QUERY_NS,
    XSD_NS,
    XSI_NS,
    InvalidXml,
    local_name,
)
from unitrace.epcis.xml_read.elements import (
    XSD_INTEGERS,
    XSI,
    XSI_NIL,
    XSI_TYPE,
    attributes_of,
    boolean_of,
    number_of,
    where,
)

_EPCIS_NAMESPACES = frozenset(
    {EPCIS_NS, QUERY_NS, MASTER_DATA_NS, EPCIS_1_NS, QUERY_1_NS, MASTER_DATA_1_NS}
)
# The namespaces the EPCIS context already names, so the document's @context need not.
_CONTEXT_NAMESPACES = {uri: prefix for prefix, uri in CONTEXT_PREFIXES.items()} | {
    CBVMDA_XML_NS + ":": "cbvmda"
}


class ExtensionReader:
    """Reads the user extensions of one document: knows its EPCIS version and gives every
    extension namespace met one JSON-LD prefix, in the order they are first used."""

    def __init__(self, namespace: str | None) -> None:
        self.namespace = namespace
        self.prefixes: dict[str, str] = {}  # namespace URI -> prefix declared in @context
        self.taken: set[str] = set(CONTEXT_PREFIXES)

    def _extensions_only(self, element: etree._Element, into: dict[str, Any]) -> None:
        """The content of an ILMD, or of an ``<extension>`` wrapper: user extensions only."""
        for child in element:
            tag = child.tag
            if tag[:1] == "{":
                self._extension(child, into, 1)
            elif tag == "extension":
                self._extensions_only(child, into)
            else:
                raise InvalidXml(f"{where(child)} is not an element this reader understands")

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
        for name, value in attributes_of(element):
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
            for name, value in attributes_of(element)
            if not name.startswith(XSI) and name != skip
        ]
        if not len(element) and not attributes:
            if element.get(XSI_NIL) in ("true", "1"):
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
                    f"{where(element)} mixes text with elements, which has no JSON-LD form"
                )
            value["@value"] = self._typed(element, text)
        return value

    def _typed(self, element: etree._Element, text: str) -> Any:
        declared = element.get(XSI_TYPE)
        if declared is None:
            return text
        prefix, _, name = declared.strip().rpartition(":")
        if element.nsmap.get(prefix or None) != XSD_NS:
            return text
        if name == "boolean":
            return boolean_of(text, element)
        if name in XSD_INTEGERS:
            return number_of(text, element)
        if name in ("decimal", "double", "float"):
            return number_of(text, element)
        return text
