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

The reading is done by :class:`~.documents.DocumentReader` (the document, header and master
data), which builds on :class:`~.events.EventReader` (the events) and
:class:`~.extensions.ExtensionReader` (user extensions); :mod:`.elements` reads element values.

What EPCIS 1.2 input does not carry over: a ``QuantityEvent`` (deprecated in 1.1, gone in 2.0)
is refused rather than guessed into an ObjectEvent; of the StandardBusinessDocumentHeader only
the sender, receiver and instance identifier survive (the JSON-LD binding has no place for the
rest); EPCIS 1.2 documents cannot be checked against an XSD here (none is bundled).
"""

from __future__ import annotations

from typing import Any

from unitrace.epcis.xml import (
    EPCIS_NS,
    MASTER_DATA_NS,
    MAX_DOCUMENT_BYTES,
    QUERY_NS,
    local_name,
    parse_xml,
    validate_tree,
)
from unitrace.epcis.xml_read.documents import DocumentReader

__all__ = ["document_from_xml"]


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
    return DocumentReader(namespace).document(root, name)
