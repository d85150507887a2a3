"""The EPCIS event hash of CBV 2.0 (section 8.9, "EPCIS Event Hash ID"): a name for an event
computed from what the event says, the same whichever binding (JSON-LD or XML), key order, list
order, time zone or identifier form it was written in.

The event is first written as its *pre-hash string*: its fields in the standard's canonical
order (``eventType``, ``eventTime``, ``eventTimeZoneOffset``, the what, ``action``, the why and
where, the sensor data), each ``key=value`` with no separator, then ILMD, the extensions inside
standard fields and the event's own extensions, sorted. Values are written in one canonical form:

- times in UTC to the millisecond, ``2020-03-04T10:00:30.000Z`` (the fourth decimal rounds
  half up, as the CBV 2.1 draft writes down and CBV 2.0 leaves open);
- CBV words as their web URIs: ``shipping``, ``urn:epcglobal:cbv:bizstep:shipping`` and
  ``cbv:BizStep-shipping`` all become ``https://ref.gs1.org/cbv/BizStep-shipping``;
- EPC URIs, EPC class and EPC pattern URIs and GS1 Digital Links on any domain as the
  constrained canonical Digital Link, ``https://id.gs1.org/01/…/21/…`` (the finest key only,
  no query string);
- numbers without trailing zeros (``3.0`` and ``"3"`` are ``3``);
- extension fields as ``{namespace URI}localName``.

``recordTime``, ``eventID``, ``errorDeclaration``, ``certificationInfo`` and ``rdfs:comment``
are not part of the hash: they say when and how an event was recorded, named, corrected,
certified or annotated, not what happened, so an event keeps its hash when its error is declared
and may carry its own hash as its ``eventID``.

CBV 2.0 is the ratified revision; the CBV 2.1 draft is not implemented. docs/event-hash.md says
which revision each rule comes from and where GS1's reference implementation departs from the
text.

The worked example of CBV 2.0 (``ReferenceEventHashAlgorithm`` of GS1's reference implementation):

Here are the public functions; the work is done in :mod:`.ordering` (the canonical order and
the rule for each field), :mod:`.extensions` (``@context`` prefixes and user extensions),
:mod:`.canonical` (values in canonical form: CBV URNs, numbers, GS1 identifiers as Digital
Links) and :mod:`.json_values` (scalars, times, arrays and objects as the hash reads them).

>>> event = {
...     "type": "ObjectEvent",
...     "eventTime": "2020-03-04T11:00:30.000+01:00",
...     "eventTimeZoneOffset": "+01:00",
...     "recordTime": "2020-03-04T11:00:30.999+01:00",
...     "epcList": ["urn:epc:id:sscc:4012345.0000000333", "urn:epc:id:sscc:4012345.0000000111",
...                 "urn:epc:id:sscc:4012345.0000000222"],
...     "action": "OBSERVE",
...     "bizStep": "departing",
...     "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.987"},
...     "example:myField1": {"example:mySubField1": "2", "example:mySubField2": "5"},
...     "example:myField2": "0",
...     "example:myField3": {"example:mySubField3": ["3", "1"]},
... }
>>> namespaces = {"example": "https://ns.example.com/epcis/"}
>>> print(pre_hash_string(event, namespaces).replace("epc=", "\\nepc=").replace("{", "\\n{", 1))
eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00epcList
epc=https://id.gs1.org/00/040123450000001112
epc=https://id.gs1.org/00/040123450000002225
epc=https://id.gs1.org/00/040123450000003338action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-departingreadPointid=https://id.gs1.org/414/4012345000115/254/987
{https://ns.example.com/epcis/}myField1{https://ns.example.com/epcis/}mySubField1=2{https://ns.example.com/epcis/}mySubField2=5{https://ns.example.com/epcis/}myField2=0{https://ns.example.com/epcis/}myField3{https://ns.example.com/epcis/}mySubField3=1{https://ns.example.com/epcis/}mySubField3=3
>>> event_hash(event, namespaces)
'ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0'
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from unitrace.epcis.documents import namespaces_of
from unitrace.epcis.hashing.canonical import canonical_text
from unitrace.epcis.hashing.extensions import STANDARD_NAMESPACES, Context
from unitrace.epcis.hashing.json_values import Refused
from unitrace.epcis.hashing.ordering import event_name, pre_hash
from unitrace.epcis.model import InvalidEvent

__all__ = [
    "CBV_VERSION",
    "STANDARD_NAMESPACES",
    "canonical_identifier",
    "document_event_hashes",
    "event_hash",
    "pre_hash_string",
]

#: The version of the algorithm the hash names, as its ``ver`` parameter says.
CBV_VERSION = "CBV2.0"


def event_hash(
    event: Mapping[str, Any], namespaces: Mapping[str, str], *, index: int | None = None
) -> str:
    """The CBV 2.0 event hash of ``event``, ``ni:///sha-256;<hex>?ver=CBV2.0`` (RFC 6920).

    ``namespaces`` are the ``{prefix: URI}`` entries of the document's ``@context``; ``index``,
    the event's position in its document, only goes into error messages.

    The JSON-LD binding and the XML binding write the same event alike:

    >>> as_json_ld = {"type": "ObjectEvent", "eventTime": "2024-01-01T09:00:00+08:00",
    ...               "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
    ...               "epcList": ["urn:epc:id:sgtin:9506000.013435.X1"], "bizStep": "shipping"}
    >>> as_xml = {"type": "ObjectEvent", "eventTime": "2024-01-01T01:00:00.000Z",
    ...           "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
    ...           "epcList": ["https://id.gs1.org/01/09506000134352/21/X1"],
    ...           "bizStep": "urn:epcglobal:cbv:bizstep:shipping"}
    >>> event_hash(as_json_ld, {}) == event_hash(as_xml, {})
    True
    """
    digest = hashlib.sha256(pre_hash_string(event, namespaces, index=index).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver={CBV_VERSION}"


def pre_hash_string(
    event: Mapping[str, Any], namespaces: Mapping[str, str], *, index: int | None = None
) -> str:
    """The canonical text of ``event`` that :func:`event_hash` hashes (CBV 2.0 section 8.9).

    >>> pre_hash_string({"type": "ObjectEvent", "eventTime": "2005-04-03T20:33:31.1166-06:00",
    ...                  "eventTimeZoneOffset": "-06:00", "action": "OBSERVE",
    ...                  "disposition": "urn:epcglobal:cbv:disp:in_transit"}, {})
    'eventType=ObjectEventeventTime=2005-04-04T02:33:31.117ZeventTimeZoneOffset=-06:00action=OBSERVEdisposition=https://ref.gs1.org/cbv/Disp-in_transit'
    """
    if not isinstance(event, Mapping):
        raise InvalidEvent(f"{event_name(index, None)}: is a {type(event).__name__}, not an object")
    context = Context.of(namespaces)
    try:
        return pre_hash(event, context)
    except Refused as refused:
        where = f"{refused.field}: " if refused.field else ""
        raise InvalidEvent(
            f"{event_name(index, event.get('eventID'))}: {where}{refused.message}"
        ) from None


def document_event_hashes(document: Mapping[str, Any]) -> list[str]:
    """The event hash of every event of an EPCIS document or EPCIS query document, in order,
    each with the namespaces its ``@context`` declares.

    >>> document_event_hashes({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
    ...     "type": "EPCISDocument", "epcisBody": {"eventList": []}})
    []
    """
    namespaces = namespaces_of(document.get("@context"))
    body = document.get("epcisBody")
    if not isinstance(body, Mapping):
        raise InvalidEvent("EPCIS document: has no epcisBody object")
    events = body.get("eventList")
    if events is None:
        results = body.get("queryResults", {})
        events = (
            results.get("resultsBody", {}).get("eventList")
            if isinstance(results, Mapping)
            else None
        )
    if not isinstance(events, list):
        raise InvalidEvent("EPCIS document: epcisBody has no eventList array")
    return [event_hash(event, namespaces, index=index) for index, event in enumerate(events)]


def canonical_identifier(uri: str) -> str:
    """An EPC URI, EPC class URI, EPC pattern URI or GS1 Digital Link as the constrained
    canonical GS1 Digital Link the event hash writes (CBV 2.0 section 8.9, rules 17 and 18);
    any other URI as it is.

    >>> canonical_identifier("urn:epc:id:sgtin:0614141.107346.2018")
    'https://id.gs1.org/01/10614141073464/21/2018'
    >>> canonical_identifier("https://brand.example/01/9506000134352/10/L1/21/A!1?17=261231")
    'https://id.gs1.org/01/09506000134352/21/A%211'
    >>> canonical_identifier("urn:epc:idpat:sgtin:4012345.012345.*")
    'https://id.gs1.org/01/04012345123456'
    """
    return canonical_text(uri.strip())
