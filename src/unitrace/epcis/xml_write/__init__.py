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

The writing is done by :class:`~.documents.DocumentWriter` (the document, header, master data
and query results), which builds on :class:`~.events.EventWriter` (the events) and
:class:`~.extensions.ExtensionWriter` (user extensions); :mod:`.values` checks JSON values.

What the XML binding cannot carry is refused with :class:`UnwritableDocument` rather than lost
quietly, except what has no XML place at all and no meaning for the events: the document's own
``id`` and the JSON-LD term definitions of its ``@context``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unitrace.epcis.xml_write.documents import DocumentWriter

__all__ = ["document_to_xml"]


def document_to_xml(document: Mapping[str, Any]) -> bytes:
    """An ``EPCISDocument`` or ``EPCISQueryDocument`` dict as EPCIS 2.0 XML (UTF-8).

    Master data in ``epcisHeader.epcisMasterData.vocabularyList`` goes to
    ``EPCISHeader/extension/EPCISMasterData``; ``sender``, ``receiver`` and
    ``instanceIdentifier`` become a StandardBusinessDocumentHeader. Raises
    :class:`UnwritableDocument` naming the event (index and eventID) and the field.
    """
    return DocumentWriter(document).xml()
