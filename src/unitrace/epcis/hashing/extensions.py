"""The names an event's fields go by in the event hash, and its extensions: the namespaces
of the EPCIS context and of the document's ``@context`` (:class:`Context`), and user extension
fields written as ``{namespace URI}localName=value``, nested ones within their holders, sorted
(CBV 2.0 section 8.9, rules 19 to 21).

>>> STANDARD_CONTEXT.expanded_name("cbvmda:lotNumber")
'{urn:epcglobal:cbv:mda}lotNumber'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from unitrace.epcis.hashing.canonical import canonical_text
from unitrace.epcis.hashing.json_values import Refused, as_object, scalar_text, sorted_join

#: The prefixes of the EPCIS 2.0 JSON-LD context, which every document has without declaring
#: them; a document's own ``@context`` entries come on top.
STANDARD_NAMESPACES: Mapping[str, str] = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}


class Context:
    """The namespaces an event's prefixes resolve to, ready for lookups."""

    __slots__ = ("namespaces",)

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces

    @classmethod
    def of(cls, namespaces: Mapping[str, str]) -> Context:
        if not namespaces:
            return STANDARD_CONTEXT
        return cls({**STANDARD_NAMESPACES, **namespaces})

    def expanded_name(self, key: str) -> str | None:
        """``{namespace}local`` for an extension key written ``prefix:local``, ``{uri}local``
        or as an absolute URI; None for a key with no namespace."""
        if key.startswith("{"):
            return key
        prefix, colon, local = key.partition(":")
        if not colon:
            return None
        if local.startswith("//"):
            cut = max(key.rfind("/"), key.rfind("#")) + 1
            return "{" + key[:cut] + "}" + key[cut:]
        namespace = self.namespaces.get(prefix)
        if namespace is None:
            raise Refused(f"the prefix {prefix!r} of {key!r} is not declared in the @context")
        # A JSON-LD prefix needs the separator an XML namespace does without: the CBV master
        # data namespace is urn:epcglobal:cbv:mda: in JSON-LD and urn:epcglobal:cbv:mda in XML.
        if namespace.endswith(":"):
            namespace = namespace[:-1]
        return "{" + namespace + "}" + local

    def uri(self, text: str) -> str:
        """A URI-valued field: a declared CURIE expanded, then written canonically."""
        prefix, colon, local = text.partition(":")
        if colon and not local.startswith("//"):
            namespace = self.namespaces.get(prefix)
            if namespace is not None:
                text = namespace + local
        return canonical_text(text)

    def term(self, text: str, vocabulary: str) -> str:
        """A vocabulary-valued field: a bare word is a term of ``vocabulary`` (the JSON-LD
        binding writes CBV and GS1 words bare)."""
        if ":" not in text:
            return vocabulary + text
        return self.uri(text)


STANDARD_CONTEXT = Context(dict(STANDARD_NAMESPACES))


def extension(name: str, value: Any, context: Context) -> list[str]:
    """One extension field as its ``{namespace}local=value`` texts: one per member of an array,
    an object's members written within it, sorted (rules 19 to 21)."""
    if isinstance(value, Mapping):
        return [name + sorted_join(extension_members(value, context))]
    if isinstance(value, list | tuple):
        written = []
        for member in value:
            written.extend(extension(name, member, context))
        return written
    if value is None:
        return [name]
    text = canonical_text(scalar_text(value))
    return [f"{name}={text}" if text else name]


def extension_members(value: Any, context: Context) -> list[str]:
    written = []
    for key, member in as_object(value).items():
        if key.startswith("@"):
            continue
        try:
            name = context.expanded_name(key)
            written.extend(extension(key if name is None else name, member, context))
        except Refused as refused:
            raise refused.within(key) from None
    return written


def _nested_extensions(value: Any, context: Context, standard: Iterable[str]) -> list[str]:
    """The extension members of a standard object: the members not in ``standard``."""
    if not isinstance(value, Mapping):
        return []
    known = frozenset(standard)
    written = []
    for key, member in value.items():
        if key in known or key.startswith("@"):
            continue
        try:
            name = context.expanded_name(key)
            if name is not None:
                written.extend(extension(name, member, context))
        except Refused as refused:
            raise refused.within(key) from None
    return written


_SENSOR_METADATA_FIELDS = (
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "bizRules",
)  # fmt: skip
_SENSOR_REPORT_FIELDS = (
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
    "microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue",
    "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
    "percValue", "uom", "coordinateReferenceSystem",
)  # fmt: skip


def _sensor_extensions(value: Any, context: Context) -> list[str]:
    """Under CBV 2.0 the extensions of a sensor element, its metadata and its reports follow
    the event's standard fields, each under the names of the elements that hold it."""
    if not isinstance(value, list | tuple):
        return []
    tail = []
    for position, element in enumerate(value):
        if not isinstance(element, Mapping):
            continue
        try:
            parts = _nested_extensions(element, context, ("sensorMetadata", "sensorReport"))
            metadata = _nested_extensions(
                element.get("sensorMetadata"), context, _SENSOR_METADATA_FIELDS
            )
            if metadata:
                parts.append("sensorMetadata" + sorted_join(metadata))
            reports = element.get("sensorReport")
            for report in reports if isinstance(reports, list | tuple) else ():
                extensions = _nested_extensions(report, context, _SENSOR_REPORT_FIELDS)
                if extensions:
                    parts.append("sensorReport" + sorted_join(extensions))
        except Refused as refused:
            raise refused.within(f"[{position}]") from None
        if parts:
            tail.append("sensorElement" + sorted_join(parts))
    return tail


def _point_extensions(name: str) -> Callable[[Any, Context], list[str]]:
    def tail(value: Any, context: Context) -> list[str]:
        extensions = _nested_extensions(value, context, ("id",))
        return [name + sorted_join(extensions)] if extensions else []

    return tail


EXTENSION_POINTS: Mapping[str, Callable[[Any, Context], list[str]]] = {
    "readPoint": _point_extensions("readPoint"),
    "bizLocation": _point_extensions("bizLocation"),
    "sensorElementList": _sensor_extensions,
}
