"""An EPCIS 2.0 XML document rewritten as EPCIS 1.2 carries the same events, for trading
partners who still exchange EPCIS 1.2 (the US DSCSA exchanges of GS1 US's implementation
guideline).

EPCIS 1.2 (namespace ``urn:epcglobal:epcis:xsd:1``) holds the same events in older places:
``eventID`` and ``errorDeclaration`` go in ``<baseExtension>`` after the time-zone offset; the
fields EPCIS 1.1 added (quantity lists, sources, destinations, ILMD) go in the event's
``<extension>``; a TransformationEvent sits inside an ``<extension>`` of the event list. What
EPCIS 2.0 alone defines (``certificationInfo``, ``persistentDisposition``,
``sensorElementList``) has no place in 1.2 and is left out; an AssociationEvent, which 1.2 does
not know, is refused. The Standard Business Document Header's identifiers are given their
``Authority``.

>>> two = (
...     b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"'
...     b' creationDate="2024-05-04T09:30:00Z"><EPCISBody><EventList><ObjectEvent>'
...     b"<eventTime>2024-05-04T09:30:00.000Z</eventTime>"
...     b"<eventTimeZoneOffset>+00:00</eventTimeZoneOffset><eventID>urn:uuid:1</eventID>"
...     b"<epcList/><action>OBSERVE</action></ObjectEvent></EventList></EPCISBody>"
...     b"</epcis:EPCISDocument>"
... )
>>> print(as_epcis_1_2(two).decode())  # doctest: +NORMALIZE_WHITESPACE
<?xml version='1.0' encoding='UTF-8'?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2"
  creationDate="2024-05-04T09:30:00Z"><EPCISBody><EventList><ObjectEvent><eventTime>2024-05-04T09:30:00.000Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><baseExtension><eventID>urn:uuid:1</eventID></baseExtension><epcList/><action>OBSERVE</action></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from lxml import etree

from unitrace.epcis.xml import EPCIS_1_NS, EPCIS_NS, SBDH_NS, UnwritableDocument

#: The fields of each event type that EPCIS 1.2 keeps in the event's ``<extension>``.
LATER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "ObjectEvent": ("quantityList", "sourceList", "destinationList", "ilmd"),
    "AggregationEvent": ("childQuantityList", "sourceList", "destinationList"),
    "TransactionEvent": ("quantityList", "sourceList", "destinationList"),
    "TransformationEvent": (),
}
#: Fields EPCIS 2.0 added that EPCIS 1.2 has no place for.
TWO_ONLY_FIELDS = ("certificationInfo", "persistentDisposition", "sensorElementList")
_BASE_FIELDS = ("eventID", "errorDeclaration")
#: The lists EPCIS 1.2 wants in every event of a type, empty where there is nothing to list.
_REQUIRED_LISTS: Mapping[str, tuple[str, ...]] = {
    "ObjectEvent": ("epcList",),
    "AggregationEvent": ("childEPCs",),
    "TransactionEvent": ("bizTransactionList", "epcList"),
}
#: What comes before each event type's first list, in both versions.
_BEFORE_LISTS = frozenset(
    ["eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration", "parentID"]
)


def _list_place(event: etree._Element, kind: str) -> int:
    """Where a missing list goes: after the time, the IDs and (for a TransactionEvent, whose
    bizTransactionList comes first) the business transactions, before the rest."""
    place = 0
    for index, child in enumerate(event):
        if child.tag in _BEFORE_LISTS or (
            kind == "TransactionEvent" and child.tag == "bizTransactionList"
        ):
            place = index + 1
    return place


def as_epcis_1_2(document: bytes, *, authority: Callable[[str], str] | None = None) -> bytes:
    """The EPCIS 2.0 ``EPCISDocument`` ``document`` (XML, as
    :func:`~unitrace.epcis.xml_write.document_to_xml` writes it) as an EPCIS 1.2 document;
    ``authority`` names the kind of an SBDH sender's or receiver's identifier
    (``SGLN`` for ``urn:epc:id:sgln:…``), given the identifier."""
    root = etree.fromstring(document)
    if root.tag != f"{{{EPCIS_NS}}}EPCISDocument":
        raise UnwritableDocument(f"{root.tag}: only an EPCISDocument is written as EPCIS 1.2")
    nsmap = {
        str(prefix): EPCIS_1_NS if uri == EPCIS_NS else uri
        for prefix, uri in root.nsmap.items()
        if prefix is not None
    }
    rewritten = etree.Element(f"{{{EPCIS_1_NS}}}EPCISDocument", nsmap=nsmap)
    for name, value in root.attrib.items():
        rewritten.set(name, value)
    rewritten.set("schemaVersion", "1.2")
    for child in list(root):
        rewritten.append(child)
    _header(rewritten, authority)
    for event_list in rewritten.iter("EventList"):
        for event in list(event_list):
            _event(event_list, event)
    return bytes(etree.tostring(rewritten, xml_declaration=True, encoding="UTF-8"))


def _header(root: etree._Element, authority: Callable[[str], str] | None) -> None:
    sbdh = f"{{{SBDH_NS}}}"
    for version in root.iter(f"{sbdh}TypeVersion"):
        version.text = "1.2"
    if authority is not None:
        for party in ("Sender", "Receiver"):
            for identifier in root.iter(f"{sbdh}{party}"):
                for element in identifier.iter(f"{sbdh}Identifier"):
                    element.set("Authority", authority(element.text or ""))


def _event(event_list: etree._Element, event: etree._Element) -> None:
    if not isinstance(event.tag, str):
        return  # a comment or a processing instruction stays where it is
    kind = event.tag
    if kind not in LATER_FIELDS:
        raise UnwritableDocument(f"{kind}: EPCIS 1.2 has no such event")
    for name in TWO_ONLY_FIELDS:
        for found in event.findall(name):
            event.remove(found)
    for name in _REQUIRED_LISTS.get(kind, ()):
        if event.find(name) is None:
            # EPCIS 1.2 wants the list, if empty, where 2.0 lets it be left out
            event.insert(_list_place(event, kind), etree.Element(name))
    declaration = event.find("errorDeclaration")
    if declaration is not None:
        # EPCIS 1.2 wants the user's extensions of a declaration after its own fields
        for child in list(declaration):
            if isinstance(child.tag, str) and child.tag.startswith("{"):
                declaration.append(child)
    base = [part for name in _BASE_FIELDS if (part := event.find(name)) is not None]
    if base:
        wrapper = etree.Element("baseExtension")
        offset = event.find("eventTimeZoneOffset")
        event.insert(list(event).index(offset) + 1 if offset is not None else 0, wrapper)
        wrapper.extend(base)
    later = [part for name in LATER_FIELDS[kind] if (part := event.find(name)) is not None]
    own = event.find("extension") if LATER_FIELDS[kind] else None
    if later:
        extension = etree.Element("extension")
        event.insert(list(event).index(later[0]), extension)
        extension.extend(later)
        if own is not None:
            # the event's own <extension> is, in EPCIS 1.2, the last part of the one above
            extension.append(own)
    if kind == "TransformationEvent":
        wrapper = etree.Element("extension")
        event_list.replace(event, wrapper)
        wrapper.append(event)
