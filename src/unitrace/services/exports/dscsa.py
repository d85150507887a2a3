"""The DSCSA exchange for a shipment: the EPCIS document a US trading partner receives with
a shipment (GS1 US's DSCSA implementation guideline).

It holds the commissioning and aggregation events of everything the shipment sent, down to
each unit in each case at any depth, and the shipping event itself; master data for the
products (NDC, name, dosage form, strength), the lots (expiry) and the places the events name
(:mod:`.dscsa_master_data`); and the Standard Business Document Header naming sender,
receiver and the document's instance identifier. It is written as EPCIS 1.2 XML, as the
guideline specifies, or as EPCIS 2.0 JSON-LD.

What was shipped is read from the shipping event and the aggregation events before it, set-wise:
the containers it sent are unpacked as the packing and unpacking events left them when it
happened. Each commissioning and aggregation event keeps its eventID and its fields but lists
only the objects of this shipment (a lot's commissioning names units sent to others too); one
that names none of them is left out.

The API (``GET /api/exports/dscsa/{event id}``) and the command line
(``unitrace export dscsa``) call :func:`dscsa_document`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from unitrace.epcis import EPCIS_CONTEXT, EpcNaming, MasterData
from unitrace.epcis.cbv import BIZ_STEP, SOURCE_DEST_TYPE, spellings
from unitrace.epcis.model import time_text
from unitrace.epcis.xml_write import document_to_xml
from unitrace.epcis.xml_write.epcis_1_2 import as_epcis_1_2
from unitrace.gs1 import Gln, Gtin
from unitrace.registry.errors import Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Party, Role
from unitrace.services.exports.dscsa_master_data import (
    ShippedLot,
    location_vocabulary,
    product_vocabulary,
)
from unitrace.services.lifecycle import PARTY_URN_PREFIX
from unitrace.services.lifecycle.targets import Context
from unitrace.store.events import LIST_ROLES, PARENT_ROLE, EventRecord
from unitrace.store.shipment_events import IndexRow, ShipmentEvents, StoredDocument
from unitrace.store.unit_of_work import UnitOfWork

Version = Literal["1.2", "2.0"]
VERSIONS: tuple[Version, ...] = ("1.2", "2.0")
MEDIA_TYPES: Mapping[str, str] = {
    "1.2": "application/xml",
    "2.0": "application/ld+json",
}

_SHIPPING = spellings(BIZ_STEP, "shipping")
_COMMISSIONING = spellings(BIZ_STEP, "commissioning")
_AGGREGATING = spellings(BIZ_STEP, "packing") | spellings(BIZ_STEP, "unpacking")
_OWNING_PARTY = spellings(SOURCE_DEST_TYPE, "owning_party")
_LOCATION = spellings(SOURCE_DEST_TYPE, "location")
_CHILD_ROLE: Final = LIST_ROLES["childEPCs"]


@dataclass(frozen=True, slots=True)
class DscsaExchange:
    """A shipment's DSCSA exchange: the EPCIS 2.0 document, and what it says in brief."""

    shipment: EventRecord
    sender: str
    receiver: str
    instance_identifier: str
    #: serialized objects sent that are no container, at every depth
    units: int
    #: the containers sent, at every depth
    containers: int
    #: the EPCISDocument as EPCIS 2.0 JSON-LD
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ExportedDocument:
    """A document as the caller receives it: its bytes, media type and a file name."""

    content: bytes
    media_type: str
    file_name: str


def dscsa_document(
    uow: UnitOfWork, shipment_event_id: str, *, actor: Actor, version: str
) -> ExportedDocument:
    """The DSCSA exchange of the shipping event ``shipment_event_id``, written in EPCIS
    ``version`` (``1.2``: XML; ``2.0``: JSON-LD)."""
    if version not in VERSIONS:
        raise InvalidRequest(f"version: {version!r} is neither 1.2 nor 2.0")
    exchange = dscsa_exchange(uow, shipment_event_id, actor=actor)
    return ExportedDocument(
        written(exchange, version),
        MEDIA_TYPES[version],
        f"dscsa-{_file_safe(shipment_event_id)}.{'xml' if version == '1.2' else 'jsonld'}",
    )


def written(exchange: DscsaExchange, version: str) -> bytes:
    """The exchange as EPCIS ``version`` writes it."""
    if version == "2.0":
        return json.dumps(exchange.document, ensure_ascii=False).encode()
    return as_epcis_1_2(document_to_xml(exchange.document), authority=_authority)


def dscsa_exchange(
    uow: UnitOfWork,
    shipment_event_id: str,
    *,
    actor: Actor,
    now: dt.datetime | None = None,
    instance_identifier: str | None = None,
) -> DscsaExchange:
    """The DSCSA exchange of the shipping event ``shipment_event_id``. Admin may ask for any
    shipment; a distributor only for one its party sent or received (any other is the same
    404 as an unknown event)."""
    if actor.role is not Role.ADMIN and (actor.role is not Role.DISTRIBUTOR or not actor.party_id):
        raise Forbidden(
            f"a {actor.role.value} token may not export a shipment's DSCSA exchange; "
            "needs admin or the token of the shipment's sender or receiver"
        )
    record = uow.events.get(shipment_event_id)
    store = ShipmentEvents(uow.connection)
    pk = store.event_pk(shipment_event_id)
    if record is None or pk is None:
        raise _unknown(shipment_event_id)
    # the event as stored, its EPC lists still empty: enough to say who it concerns
    stored = store.documents([pk])[pk].document
    parties = {party.id: party for party in uow.parties.all()}
    context = Context.of(uow)
    sender, receiver = _sender(context.naming, stored, parties), record.party_id
    if actor.role is Role.DISTRIBUTOR and actor.party_id not in (
        record.party_id,
        sender.id if sender else None,
    ):
        raise _unknown(shipment_event_id)
    if record.type != "ObjectEvent" or record.biz_step not in _SHIPPING:
        raise InvalidRequest(
            f"event: {shipment_event_id} is a {record.biz_step or 'step-less'} {record.type}, "
            "not a shipping event; a DSCSA exchange goes with a shipment"
        )
    shipping = uow.events.document(shipment_event_id)
    assert shipping is not None  # read above
    shipment = _gathered(store, pk, record)
    events = [*shipment.events, shipping]
    lots, gtins = _lots_and_products(context, shipment)
    master_data = MasterData(
        (
            product_vocabulary(uow, context.naming, gtins, lots),
            location_vocabulary(uow, _places(events)),
        )
    )
    created = now or dt.datetime.now(dt.UTC)
    instance = instance_identifier or f"urn:uuid:{uuid.uuid4()}"
    sender_id = _sbdh_party(context.naming, sender, _owning(shipping, "sourceList"))
    receiver_id = _sbdh_party(
        context.naming,
        parties.get(receiver or ""),
        _owning(shipping, "destinationList"),
    )
    document = {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": time_text(created.astimezone(dt.UTC)),
        "sender": sender_id,
        "receiver": receiver_id,
        "instanceIdentifier": instance,
        "epcisHeader": {"epcisMasterData": master_data.document()},
        "epcisBody": {"eventList": events},
    }
    return DscsaExchange(
        record,
        sender_id,
        receiver_id,
        instance,
        len(shipment.objects - shipment.containers),
        len(shipment.containers),
        document,
    )


@dataclass(frozen=True, slots=True)
class _Shipment:
    objects: frozenset[str]
    containers: frozenset[str]
    #: the commissioning and aggregation events, narrowed, oldest first
    events: tuple[dict[str, Any], ...]


def _gathered(store: ShipmentEvents, pk: int, record: EventRecord) -> _Shipment:
    """What the shipping event (primary key ``pk``) sent at every depth, and the
    commissioning and aggregation events of it up to the shipment."""
    until = record.event_time.astimezone(dt.UTC)
    steps = _COMMISSIONING | _AGGREGATING
    shipped = set(store.shipped(pk))
    rows = store.naming_shipped(pk, steps, until)
    looked_up = set(shipped)
    aggregations: set[int] = set()
    # down every container's contents, as far as packing events lead
    while True:
        parents = {row.event_pk for row in rows if row.role == PARENT_ROLE and row.epc in looked_up}
        new_events = parents - aggregations
        if not new_events:
            break
        aggregations |= new_events
        contents = store.rows_of(new_events, (PARENT_ROLE, _CHILD_ROLE))
        rows |= contents
        new = {row.epc for row in contents if row.role == _CHILD_ROLE} - looked_up
        if new:
            rows |= store.naming(new, steps, until)
            looked_up |= new
    stored = store.documents({row.event_pk for row in rows})
    tree = _packed(rows, stored, aggregations)
    objects = set(shipped)
    frontier = [epc for epc in shipped if epc in tree]
    while frontier:
        inside = [child for parent in frontier for child in tree.get(parent, ())]
        frontier = [child for child in inside if child not in objects]
        objects.update(inside)
    containers = frozenset(epc for epc in objects if tree.get(epc)) | frozenset(
        epc for epc in shipped if epc.startswith("urn:epc:id:sscc:") or "/00/" in epc
    )
    by_event: dict[int, list[IndexRow]] = {}
    for row in rows:
        if row.epc in objects:
            by_event.setdefault(row.event_pk, []).append(row)
    events = []
    for event_pk in sorted(stored, key=lambda pk: (stored[pk].event_time, pk)):
        event = stored[event_pk]
        step = event.document.get("bizStep")
        if step in _COMMISSIONING or (event_pk in aggregations and step in _AGGREGATING):
            narrowed = _narrowed(event, by_event.get(event_pk, []))
            if narrowed is not None:
                events.append(narrowed)
    return _Shipment(frozenset(objects), containers, tuple(events))


def _packed(
    rows: set[IndexRow], stored: Mapping[int, StoredDocument], aggregations: set[int]
) -> dict[str, set[str]]:
    """What each container held when the shipment left, replaying the aggregation events in
    the order they happened: an ADD puts children in (out of any other container), a DELETE
    takes the children it lists out (all of them where it lists none)."""
    parent_of: dict[int, str] = {}
    children: dict[int, set[str]] = {pk: set() for pk in aggregations}
    for row in rows:
        if row.event_pk in aggregations:
            if row.role == PARENT_ROLE:
                parent_of[row.event_pk] = row.epc
            elif row.role == _CHILD_ROLE:
                children[row.event_pk].add(row.epc)
    tree: dict[str, set[str]] = {}
    holder: dict[str, str] = {}
    for pk in sorted(aggregations, key=lambda pk: (stored[pk].event_time, pk)):
        parent = parent_of.get(pk)
        if parent is None:
            continue
        held = tree.setdefault(parent, set())
        if stored[pk].document.get("action") == "ADD":
            for child in children[pk]:
                if child in holder:
                    tree[holder[child]].discard(child)
                held.add(child)
                holder[child] = parent
        elif stored[pk].document.get("action") == "DELETE":
            for child in children[pk] or set(held):
                held.discard(child)
                holder.pop(child, None)
    return tree


def _narrowed(event: StoredDocument, rows: list[IndexRow]) -> dict[str, Any] | None:
    """The stored event with its EPC lists holding only ``rows``, the event's index rows
    naming objects of the shipment (in EPC order); None where they name none."""
    document = dict(event.document)
    listed = 0
    for key, role in LIST_ROLES.items():
        if key in document:
            epcs = sorted(row.epc for row in rows if row.role == role)
            document[key] = epcs
            listed += len(epcs)
    if not listed:
        return None
    document["recordTime"] = event.record_time.isoformat(timespec="milliseconds")
    return document


def _lots_and_products(context: Context, shipment: _Shipment) -> tuple[set[ShippedLot], set[Gtin]]:
    """The lots the commissioning events give the units sent, and the products sent (units
    and cases named by GTIN + serial)."""
    prefixes = {
        context.naming.serial_template(product.gtin, product.serial_alphabet).prefix: product.gtin
        for product in context.products.values()
    }

    def gtin_of(epc: str) -> Gtin | None:
        cut = max(epc.rfind("."), epc.rfind("/"))
        return prefixes.get(epc[: cut + 1])

    gtins = {gtin for epc in shipment.objects if (gtin := gtin_of(epc)) is not None}
    lots: set[ShippedLot] = set()
    for event in shipment.events:
        ilmd = event.get("ilmd") or {}
        lot = ilmd.get("cbvmda:lotNumber")
        if event.get("bizStep") not in _COMMISSIONING or not isinstance(lot, str):
            continue
        expiry_text = ilmd.get("cbvmda:itemExpirationDate")
        expiry = dt.date.fromisoformat(expiry_text) if isinstance(expiry_text, str) else None
        lots.update(
            ShippedLot(gtin, lot, expiry)
            for epc in event.get("epcList") or ()
            if (gtin := gtin_of(epc)) is not None
        )
    return lots, gtins


def _places(events: list[dict[str, Any]]) -> set[str]:
    """The places the events name: read points, business locations, location sources and
    destinations."""
    found: set[str] = set()
    for event in events:
        for key in ("readPoint", "bizLocation"):
            place = (event.get(key) or {}).get("id")
            if isinstance(place, str):
                found.add(place)
        for key, field in (("sourceList", "source"), ("destinationList", "destination")):
            for entry in event.get(key) or ():
                if entry.get("type") in _LOCATION and isinstance(entry.get(field), str):
                    found.add(entry[field])
    return found


def _owning(event: Mapping[str, Any], key: str) -> str | None:
    field = "source" if key == "sourceList" else "destination"
    for entry in event.get(key) or ():
        if entry.get("type") in _OWNING_PARTY and isinstance(entry.get(field), str):
            return str(entry[field])
    return None


def _party_uri(naming: EpcNaming, party: Party) -> str:
    return naming.pgln(Gln(party.gln)) if party.gln else PARTY_URN_PREFIX + party.id


def _sender(
    naming: EpcNaming, shipping: Mapping[str, Any], parties: Mapping[str, Party]
) -> Party | None:
    """The party the shipping event names as its owning source, else the brand (the
    registered party of role ``brand``, where there is one)."""
    source = _owning(shipping, "sourceList")
    if source is not None:
        return next(
            (party for party in parties.values() if _party_uri(naming, party) == source), None
        )
    brands = [party for party in parties.values() if party.role.value == "brand"]
    return brands[0] if len(brands) == 1 else None


def _sbdh_party(naming: EpcNaming, party: Party | None, named: str | None) -> str:
    """How the header names a party: the SGLN of its GLN, as GS1 US's guideline has it,
    else the name the event gives it, else unitrace's own name for it."""
    if party is not None and party.gln:
        return naming.sgln(Gln(party.gln))
    if named is not None:
        return named
    return PARTY_URN_PREFIX + (party.id if party is not None else "brand")


def _authority(identifier: str) -> str:
    """The ``Authority`` of an SBDH identifier, by its scheme."""
    for scheme, authority in (("urn:epc:id:sgln:", "SGLN"), ("urn:epc:id:pgln:", "PGLN")):
        if identifier.startswith(scheme):
            return authority
    return "unitrace"


def _unknown(event_id: str) -> NotFound:
    return NotFound(f"event: {event_id} is not a shipment unitrace recorded")


def _file_safe(text: str) -> str:
    return "".join(
        character if character.isalnum() or character in "-." else "-" for character in text
    )[:80]
