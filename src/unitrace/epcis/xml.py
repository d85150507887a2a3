"""The XML binding of EPCIS 2.0: what :mod:`unitrace.epcis.xml_read` and
:mod:`unitrace.epcis.xml_write` share, and checking a document against the official XSD.

An EPCIS document in XML names CBV terms by URI (``urn:epcglobal:cbv:bizstep:shipping``) where
the JSON-LD binding writes the bare term (``"shipping"``); :class:`CbvTerms` carries each
vocabulary of :mod:`unitrace.epcis.cbv` both ways. The official XSDs travel with the package (``data/xsd``, GS1's licence
beside them), so that :func:`validate_xml` needs neither the network nor the conformance folder.

Everything an XML parser is asked to read here goes through :func:`parse_xml`: entities are never
expanded, nothing is fetched, and a document that declares entities, nests too deep or is too
large is refused before any of it is used.

>>> BIZ_STEPS.word("urn:epcglobal:cbv:bizstep:shipping"), BIZ_STEPS.uri("shipping")
('shipping', 'urn:epcglobal:cbv:bizstep:shipping')
>>> validate_xml(b"<EPCISDocument/>")
Traceback (most recent call last):
  ...
unitrace.epcis.xml.InvalidXml: line 1: the root element <EPCISDocument> is not an EPCIS 2.0 document (expected EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument in namespace urn:epcglobal:epcis:xsd:2, urn:epcglobal:epcis-query:xsd:2 or urn:epcglobal:epcis-masterdata:xsd:2)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

from lxml import etree

from unitrace.epcis import cbv
from unitrace.epcis.cbv import CbvKind

#: XML namespaces of EPCIS 2.0 documents (EPCIS 2.0 section 9.2).
EPCIS_NS = "urn:epcglobal:epcis:xsd:2"
QUERY_NS = "urn:epcglobal:epcis-query:xsd:2"
MASTER_DATA_NS = "urn:epcglobal:epcis-masterdata:xsd:2"
#: The same three in EPCIS 1.x, read (not written) so that 1.2 partners can still send.
EPCIS_1_NS = "urn:epcglobal:epcis:xsd:1"
QUERY_1_NS = "urn:epcglobal:epcis-query:xsd:1"
MASTER_DATA_1_NS = "urn:epcglobal:epcis-masterdata:xsd:1"
SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"

#: Where CBV master-data attributes live as XML elements (CBV 2.0 section 8). The EPCIS JSON-LD
#: context binds ``cbvmda`` to the same namespace with a trailing colon, so both spellings are
#: one prefix.
CBVMDA_XML_NS = "urn:epcglobal:cbv:mda"

#: Prefixes the EPCIS 2.0 JSON-LD context itself defines, and the XML namespace each stands for
#: where no ``@context`` entry of the document says otherwise.
CONTEXT_PREFIXES: Mapping[str, str] = MappingProxyType(
    {
        "cbvmda": CBVMDA_XML_NS,
        "gs1": "https://gs1.org/voc/",
        "cbv": "https://ref.gs1.org/cbv/",
        "epcis": "https://ref.gs1.org/epcis/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "dcterms": "http://purl.org/dc/terms/",
    }
)

#: Documents larger than this are refused unread; a capture of 64 MiB is already ~100,000 events.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: How deep user extensions may nest, in both directions. libxml2 stops at 256 levels on its own;
#: this keeps the recursion of the converters well inside Python's stack.
MAX_EXTENSION_DEPTH = 100


class InvalidXml(ValueError):
    """An XML document that is malformed, unsafe, not EPCIS, or breaks the official XSD.

    ``problems`` holds every finding, one line each; the message is the first of them.
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)


class UnwritableDocument(ValueError):
    """A JSON-LD document or event dict that has no form in the XML binding."""


@dataclass(frozen=True, slots=True)
class CbvTerms:
    """One CBV vocabulary as the two bindings write it: the bare term of the JSON-LD context
    (``in_transit``) and the URI the XML binding uses for it (``written``), plus every other URI
    that names the same term and is read back to it (the CBV 2.0 Web URI, or a ``gs1:`` CURIE
    where the official XML examples use one).

    >>> SOURCE_DEST_TYPES.word("https://ref.gs1.org/cbv/SDT-owning_party")
    'owning_party'
    >>> SOURCE_DEST_TYPES.word("urn:example:sdt:carrier")
    'urn:example:sdt:carrier'
    """

    name: str
    written: Mapping[str, str]
    read: Mapping[str, str] = field(repr=False)

    @classmethod
    def of(cls, kind: CbvKind) -> CbvTerms:
        """The vocabulary ``kind`` as the XML binding spells it: its words written as URNs
        where the vocabulary has them, else as compact URIs, and read back from either that
        or the Web URI."""
        written = kind.urn or kind.compact
        words = sorted(kind.words)
        read = {prefix + word: word for prefix in (written, kind.web) for word in words}
        return cls(
            kind.name,
            MappingProxyType({word: written + word for word in words}),
            MappingProxyType(read),
        )

    def word(self, uri: str) -> str:
        """The bare term a CBV URI stands for; any other URI unchanged."""
        return self.read.get(uri, uri)

    def uri(self, value: str) -> str:
        """The URI the XML binding writes for a bare term; a URI unchanged.

        >>> BIZ_TRANSACTION_TYPES.uri("shipment")
        Traceback (most recent call last):
          ...
        ValueError: 'shipment' is neither a CBV business transaction type nor a URI
        """
        written = self.written.get(value)
        if written is not None:
            return written
        if ":" not in value:
            raise ValueError(f"{value!r} is neither a CBV {self.name} nor a URI")
        return value


BIZ_STEPS = CbvTerms.of(cbv.BIZ_STEP)
DISPOSITIONS = CbvTerms.of(cbv.DISPOSITION)
BIZ_TRANSACTION_TYPES = CbvTerms.of(cbv.BIZ_TRANSACTION_TYPE)
SOURCE_DEST_TYPES = CbvTerms.of(cbv.SOURCE_DEST_TYPE)
ERROR_REASONS = CbvTerms.of(cbv.ERROR_REASON)
# Measurement types and alert types are terms of the GS1 Web vocabulary; EPCIS 2.0's XML
# examples write them as gs1: CURIEs, so that is the written form.
MEASUREMENT_TYPES = CbvTerms.of(cbv.MEASUREMENT_TYPE)
SENSOR_ALERT_TYPES = CbvTerms.of(cbv.SENSOR_ALERT_TYPE)
COMPONENTS = CbvTerms.of(cbv.COMPONENT)

#: The event types of EPCIS 2.0, and the fields each carries after the common ones, in the order
#: of the XSD's sequence (EPCglobal-epcis-2_0.xsd), which is the order the writer follows.
COMMON_FIELDS = (
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "errorDeclaration",
    "certificationInfo",
)
_WHY_AND_WHERE = ("bizStep", "disposition", "readPoint", "bizLocation")
_AFTER_WHERE = ("sourceList", "destinationList", "sensorElementList", "persistentDisposition")
EVENT_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "ObjectEvent": (
            "epcList",
            "action",
            *_WHY_AND_WHERE,
            "bizTransactionList",
            "quantityList",
            *_AFTER_WHERE,
            "ilmd",
        ),
        "AggregationEvent": (
            "parentID",
            "childEPCs",
            "action",
            *_WHY_AND_WHERE,
            "bizTransactionList",
            "childQuantityList",
            *_AFTER_WHERE,
        ),
        "TransactionEvent": (
            "bizTransactionList",
            "parentID",
            "epcList",
            "action",
            *_WHY_AND_WHERE,
            "quantityList",
            *_AFTER_WHERE,
        ),
        "TransformationEvent": (
            "inputEPCList",
            "inputQuantityList",
            "outputEPCList",
            "outputQuantityList",
            "transformationID",
            *_WHY_AND_WHERE,
            "bizTransactionList",
            *_AFTER_WHERE,
            "ilmd",
        ),
        "AssociationEvent": (
            "parentID",
            "childEPCs",
            "childQuantityList",
            "action",
            *_WHY_AND_WHERE,
            "bizTransactionList",
            *_AFTER_WHERE,
        ),
    }
)
ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})
SENSOR_METADATA_FIELDS = frozenset(
    [
        "time",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "startTime",
        "endTime",
        "bizRules",
        "dataProcessingMethod",
    ]
)
SENSOR_REPORT_FIELDS = frozenset(
    [
        "type",
        "exception",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
        "time",
        "microorganism",
        "chemicalSubstance",
        "coordinateReferenceSystem",
        "value",
        "component",
        "stringValue",
        "booleanValue",
        "hexBinaryValue",
        "uriValue",
        "minValue",
        "maxValue",
        "meanValue",
        "sDev",
        "percRank",
        "percValue",
        "uom",
    ]
)
#: Sensor report attributes the XSD types xsd:double, which the JSON binding writes as numbers.
SENSOR_NUMBERS = frozenset(
    ["value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"]
)


def local_name(tag: str) -> tuple[str | None, str]:
    """``(namespace, local name)`` of an lxml tag in Clark notation.

    >>> local_name("{urn:x}a"), local_name("b")
    (('urn:x', 'a'), (None, 'b'))
    """
    if tag[:1] == "{":
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def parse_xml(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> etree._Element:
    """The root element of ``data``, parsed safely: no entity is expanded, no DTD or other
    resource is fetched, and a document that declares entities (the way to an XML bomb or to a
    local file), nests deeper than libxml2's 256 levels, or is over ``max_bytes`` is refused.

    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>')
    Traceback (most recent call last):
      ...
    unitrace.epcis.xml.InvalidXml: line 1: the document declares entities (x); EPCIS documents need none, and they are refused so that none can be expanded
    """
    if not isinstance(data, bytes):
        raise TypeError(f"an XML document is bytes, not {type(data).__name__}")
    if len(data) > max_bytes:
        raise InvalidXml(f"the document is {len(data):,} bytes, over the limit of {max_bytes:,}")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InvalidXml(f"line {error.lineno}: malformed XML: {error.msg}") from None
    dtd: Any = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        entities = [entity.name for entity in dtd.iterentities()]
        if entities:
            raise InvalidXml(
                f"line 1: the document declares entities ({', '.join(map(str, entities))}); "
                "EPCIS documents need none, and they are refused so that none can be expanded"
            )
    return root


_SCHEMA_FILES = {
    f"{{{EPCIS_NS}}}EPCISDocument": "EPCglobal-epcis-2_0.xsd",
    f"{{{QUERY_NS}}}EPCISQueryDocument": "EPCglobal-epcis-query-2_0.xsd",
    f"{{{MASTER_DATA_NS}}}EPCISMasterDataDocument": "EPCglobal-epcis-masterdata-2_0.xsd",
}


@functools.cache
def official_schema(file_name: str) -> etree.XMLSchema:
    """The official EPCIS 2.0 XSD ``file_name`` from the package, loaded once (it and the
    schemas it imports are read from local files only)."""
    folder = resources.files("unitrace.epcis") / "data" / "xsd"
    with resources.as_file(folder / file_name) as path:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        return etree.XMLSchema(etree.parse(str(path), parser))


def validate_tree(root: etree._Element) -> None:
    """Check a parsed EPCIS 2.0 document against the official XSD for its root element."""
    file_name = _SCHEMA_FILES.get(root.tag)
    if file_name is None:
        namespace, name = local_name(root.tag)
        if namespace in (EPCIS_1_NS, QUERY_1_NS, MASTER_DATA_1_NS):
            raise InvalidXml(
                f"line {root.sourceline}: <{name}> is an EPCIS 1.x document ({namespace}); "
                "only EPCIS 2.0 documents are checked against an XSD here"
            )
        raise InvalidXml(
            f"line {root.sourceline}: the root element <{name}> is not an EPCIS 2.0 document "
            "(expected EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument in "
            f"namespace {EPCIS_NS}, {QUERY_NS} or {MASTER_DATA_NS})"
        )
    schema = official_schema(file_name)
    if schema.validate(root):
        return
    log: Any = schema.error_log  # iterable, though the stubs do not say so
    problems = [f"line {entry.line}: {entry.message} (at {entry.path})" for entry in log]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    raise InvalidXml(f"breaks the EPCIS 2.0 XSD: {problems[0]}{more}", problems)


def validate_xml(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
    """Check an EPCIS 2.0 XML document (EPCISDocument, EPCISQueryDocument or
    EPCISMasterDataDocument) against the official XSD; :class:`InvalidXml` says where and why
    it is not, naming the line, the element and the rule.

    >>> validate_xml(b'''<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"
    ...   schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList>
    ...   <ObjectEvent><eventTime>2024-01-01T00:00:00Z</eventTime><action>ADD</action>
    ...   </ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>''')
    Traceback (most recent call last):
      ...
    unitrace.epcis.xml.InvalidXml: breaks the EPCIS 2.0 XSD: line 3: Element 'action': This element is not expected. Expected is one of ( recordTime, eventTimeZoneOffset ). (at /epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/action)
    """
    validate_tree(parse_xml(data, max_bytes=max_bytes))
