"""User extensions written as XML: each ``prefix:name`` key an element in the namespace the
document's ``@context`` gives that prefix, JSON booleans and numbers typed with ``xsi:type``,
text beside attributes, ``null`` as ``xsi:nil``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.xml import (
    CONTEXT_PREFIXES,
    MAX_EXTENSION_DEPTH,
    UnwritableDocument,
)
from unitrace.epcis.xml_write.values import (
    XSI_NIL,
    XSI_TYPE,
    fault_at,
    number_text,
)


class ExtensionWriter:
    """Writes one document's user extensions, resolving its ``prefix:name`` keys through its
    ``@context``."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        if not isinstance(document, Mapping):
            raise UnwritableDocument(f"a document is an object, not {type(document).__name__}")
        self.document = document
        # the prefixes the EPCIS context defines, then the document's (which may redefine them)
        self.namespaces = {**CONTEXT_PREFIXES, **namespaces_of(document.get("@context"))}
        self.typed = False  # whether any xsi:type names an XSD type, which needs xmlns:xsd

    def _qualified(self, key: str, path: str) -> str:
        prefix, colon, name = key.partition(":")
        if not colon:
            return key
        namespace = self.namespaces.get(prefix)
        if namespace is None:
            raise fault_at(path, f"the prefix {prefix!r} is not declared in the @context")
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
                raise fault_at(f"{path}[{index}]", "an array in an array has no XML form")
            self._fill(etree.SubElement(parent, tag), item, path, depth)

    def _fill(self, element: etree._Element, value: Any, path: str, depth: int) -> None:
        if depth > MAX_EXTENSION_DEPTH:
            raise fault_at(path, f"extensions nest deeper than {MAX_EXTENSION_DEPTH}")
        if isinstance(value, Mapping) and "@value" in value:
            # Text beside other keys: the read form of an element with attributes and text, so
            # the other keys go back as attributes (an element cannot mix text and elements).
            for key, item in value.items():
                if key == "@value":
                    element.text = self._scalar(item, f"{path}.@value", element)
                elif isinstance(item, Mapping | list) or item is None:
                    raise fault_at(f"{path}.{key}", "beside @value it is an attribute: no objects")
                else:
                    element.set(self._qualified(key, path), self._scalar(item, f"{path}.{key}"))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                self._extension(element, key, item, f"{path}.{key}", depth + 1)
        elif value is None:
            element.set(XSI_NIL, "true")
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
            kind, text = "decimal", number_text(value, path)
        else:
            raise fault_at(path, f"{type(value).__name__} {value!r} has no XML form")
        if element is not None:
            element.set(XSI_TYPE, f"xsd:{kind}")
            self.typed = True
        return text
