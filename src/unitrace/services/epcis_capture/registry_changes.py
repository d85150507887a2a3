"""Applying captured events to the registry: the events about units unitrace knows go
through the same lifecycle services as the HTTP API, so that a partner's shipping event moves
custody exactly as an allocation does and the state table refuses what it refuses there.

What each event does to the units it names (CBV words in any spelling: bare, URN or URI;
their meaning is :mod:`.event_words`'):

=====================================================  =======================================
ObjectEvent ADD ``commissioning``                      :func:`~lifecycle.commission_units`
AggregationEvent ADD / DELETE                          :func:`~lifecycle.aggregate` /
                                                       :func:`~lifecycle.disaggregate`
ObjectEvent ``shipping`` to an owning or possessing    :func:`~lifecycle.ship` to that party
party (or a location) registered here
ObjectEvent ``receiving``                              :func:`~lifecycle.receive` at its
                                                       ``bizLocation``
ObjectEvent decommissioning, by disposition:           :func:`~lifecycle.change_state`
``dispensed``, ``retail_sold``, ``destroyed``,
``stolen``, ``recalled``, ``expired``; by bizStep and
disposition: ``sampling`` + ``dispensed`` (free
sample) or ``non_sellable_other`` (sample),
``departing`` + ``non_sellable_other`` (exported),
``holding`` + ``non_sellable_other`` (locked),
``repackaging`` + ``inactive`` (checked out); by
bizStep: ``dispensing``, ``retail_selling``,
``destroying``, ``sampling``, ``decommissioning``;
else by a disposition ``persistentDisposition`` sets
TransformationEvent: units among the inputs, and       :func:`~lifecycle.transform`: inputs
with bizStep ``commissioning`` among the outputs       checked out, outputs commissioned
TransformationEvent ``assembling``: units among the    :func:`~lifecycle.assemble`: the
inputs, one unit of ours among the outputs             components checked out into the device
ObjectEvent ``inspecting`` with disposition            :func:`~lifecycle.inspect`: a fail
``conformant`` or ``non_conformant``: units,           holds the units covered, a pass
containers, and lots (quantityList) of ours            releases them
=====================================================  =======================================

These are the words unitrace's own events use for the same changes, so that its events
captured by another repository, or sent back, mean there what they mean here; two of them are
not read back: a return to ``active`` and a withdrawal (``non_sellable_other`` alone), whose
words are too common in partners' events to mean that. A ``persistentDisposition`` that sets a
state's disposition moves the units there, and one that would contradict the event's own
change (a shipment, a receipt, another state) is refused rather than dropped; one that unsets a
word never undoes a state: a recall is for good.

Any other event, and any event naming only identifiers unitrace did not issue (a supplier's
raw-material lots, a partner's pallets), is stored and queryable and changes no unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final

from unitrace.epcis.extension_fields import extension_rows
from unitrace.epcis.identifiers import EpcNaming
from unitrace.epcis.model import InvalidEvent
from unitrace.epcis.scoped_contexts import folded
from unitrace.epcis.validation import EventProblem
from unitrace.epcis.xml import BIZ_STEPS, DISPOSITIONS, SOURCE_DEST_TYPES
from unitrace.gs1 import InvalidCode, Scan, parse
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, Party, Role
from unitrace.services import lifecycle
from unitrace.services.epcis_capture.event_names import event_names
from unitrace.services.epcis_capture.event_words import (
    gln_of,
    ilmd_lot_and_expiry,
    lasting_states,
    state_of,
)
from unitrace.services.epcis_capture.limits import field_values, too_many_values
from unitrace.services.epcis_capture.resent_events import (
    ALREADY_CAPTURED,
    ANOTHER_EVENT,
    DECLARED_OTHERWISE,
    Resent,
    resent,
)
from unitrace.store.events import EventRecord, StoredEvent
from unitrace.store.unit_of_work import UnitOfWork

__all__ = ["Capturing"]

#: Where an event sent again under a captured eventID was found.
_CAPTURED: Final = "a captured event"
#: Source/destination types that name who holds the goods.
_PARTY_TYPES: Final = frozenset({"owning_party", "possessing_party"})


class Capturing:
    """One capture's state: the products and containers of unitrace, the parties, and the
    events waiting to be stored in one set-based insert."""

    def __init__(
        self, uow: UnitOfWork, actor: Actor, namespaces: Mapping[str, str], job_id: int | None
    ) -> None:
        self.uow = uow
        self.actor = actor
        self.namespaces = dict(namespaces)
        self.job_id = job_id
        self.problems: list[EventProblem] = []
        #: what the capture tells the partner besides problems: events captured already
        self.notes: list[EventProblem] = []
        #: (index, eventID, errorDeclaration) of each captured event the document declares
        #: in error
        self.declarations: list[tuple[int, str, dict[str, Any]]] = []
        self.waiting: list[StoredEvent] = []
        products = uow.units.product_keys().values()
        self.gtins = {product.gtin.value for product in products}
        naming = EpcNaming.of((product.gtin, product.company_prefix_length) for product in products)
        self.naming = naming
        #: the start of our units' SGTIN URIs: most EPCs a partner sends are told apart by it
        self.sgtin_prefixes = tuple(
            naming.sgtin(product.gtin, "0")[:-1]
            for product in products
            if product.company_prefix_length is not None
        )
        self.all_sgtin_named = all(p.company_prefix_length is not None for p in products)
        self._parties: list[Party] | None = None
        #: the cases and pallets of the registry an event may name, in the spellings the
        #: document uses and as the registry names them; those an event of the document
        #: packs are added as it is applied, so that the events after it find them
        self._containers: set[str] = set()
        self._foreign_containers = False
        self._read: dict[str, Scan | None] = {}
        #: whether an SGTIN URI names a unit of a GTIN of ours, as read so far
        self._our_sgtins: dict[str, bool] = {}

    def prepare(
        self, events: Sequence[Mapping[str, Any]], failed: set[int | None]
    ) -> list[tuple[int, StoredEvent]]:
        """The events to capture, named (their eventID or CBV hash) and new."""
        prepared: list[tuple[int, StoredEvent]] = []
        seen: dict[str, int] = {}
        places: dict[int, int] = {}  # an event's index in the document → its place in prepared
        values = 0  # the extension-field values and quantities of the events prepared
        # the event's own @context, and those within it, folded into one of its own
        foldings = [
            (index, *folded(sent, self.namespaces))
            for index, sent in enumerate(events)
            if index not in failed
        ]
        # the events without an eventID named by their hash, all at once (in worker processes
        # where the capture has some)
        hashes = dict(
            zip(
                (index for index, event, _ in foldings if not event.get("eventID")),
                event_names([item for item in foldings if not item[1].get("eventID")]),
                strict=True,
            )
        )
        for index, event, namespaces in foldings:
            context = [{prefix: uri} for prefix, uri in sorted(namespaces.items())]
            given = event.get("eventID")
            named = bool(given)
            if named:
                event_id = str(given)
            else:
                hashed = hashes[index]
                if isinstance(hashed, InvalidEvent):
                    self.problems.append(EventProblem(index, None, "eventID", str(hashed)))
                    continue
                event_id = hashed
            document = {**event, "eventID": event_id}
            if context:
                document["@context"] = context
            fields = extension_rows(document)  # read once: for the limit, then the index
            count = field_values(document, fields)
            if (refusal := too_many_values(count, values)) is not None:
                self.problems.append(EventProblem(index, event_id, "event", refusal))
                continue
            values += count
            if event_id in seen:
                if named:
                    place = places[seen[event_id]]
                    first, earlier = prepared[place]
                    declared = self._resent(
                        index, document, earlier.document, f"event {seen[event_id]}"
                    )
                    if declared is not None:
                        prepared[place] = (first, StoredEvent(declared, capture_job_id=self.job_id))
                # else the very event of an earlier one (same hash): captured once
                continue
            seen[event_id] = index
            places[index] = len(prepared)
            prepared.append(
                (index, StoredEvent(document, capture_job_id=self.job_id, field_rows=fields))
            )
        # a capture of the same eventIDs under way beside this one ends first, so that what
        # it stored is found here
        self.uow.events.take_turns(seen)
        kept_documents = self.uow.events.documents(seen)
        stored = set(kept_documents)
        for event_id in sorted(stored, key=seen.__getitem__):  # in document order
            kept = kept_documents[event_id]
            sent = prepared[places[seen[event_id]]][1].document
            self._resent(seen[event_id], sent, kept, _CAPTURED)
        prepared = [item for item in prepared if item[1].document["eventID"] not in stored]
        candidates = _candidate_containers(stored.document for _, stored in prepared)
        # an EPC URI names a case or pallet of the registry in the registry's own spelling
        # (found as it is), unless its company prefix is unknown here and the registry names
        # such containers by Digital Link; a Digital Link may name one in either spelling
        self._foreign_containers = self.uow.units.any_container_named_by_link()
        names = {
            epc: name
            for epc in candidates
            if not epc.startswith(self.sgtin_prefixes)
            and (self._foreign_containers or not epc.startswith(_SGTIN_URI))
            and (name := self._container_name(epc)) is not None
        }
        found = self.uow.units.containers_by_epc(candidates | set(names.values()))
        self._containers = set(found) | {epc for epc, name in names.items() if name in found}
        return prepared

    def _resent(
        self, index: int, sent: Mapping[str, Any], kept: Mapping[str, Any], where: str
    ) -> dict[str, Any] | None:
        """``sent`` under the eventID of ``kept`` (a captured event, or one earlier in the
        document): noted, declared in error, or refused (:mod:`.resent_events`); the earlier
        event of the document as it becomes where ``sent`` declares it in error."""
        event_id = sent["eventID"]
        verdict = resent(sent, kept)
        if verdict is Resent.SAME:
            said = ALREADY_CAPTURED if where == _CAPTURED else None
            self.notes.append(
                EventProblem(index, event_id, "eventID", said or f"the same event as {where}'s")
            )
        elif verdict is Resent.DECLARATION:
            declaration = sent["errorDeclaration"]
            if where == _CAPTURED:
                refusal = self._may_not_declare(event_id)
                if refusal is not None:
                    self.problems.append(EventProblem(index, event_id, "errorDeclaration", refusal))
                else:
                    self.declarations.append((index, event_id, declaration))
            else:  # the declaration follows its event in the document: one event, declared
                self.notes.append(
                    EventProblem(index, event_id, "errorDeclaration", f"declares {where} in error")
                )
                return {**kept, "errorDeclaration": declaration}
        elif verdict is Resent.DECLARED_OTHERWISE:
            self.problems.append(
                EventProblem(index, event_id, "errorDeclaration", DECLARED_OTHERWISE)
            )
        else:
            self.problems.append(
                EventProblem(index, event_id, "eventID", f"{ANOTHER_EVENT} ({where})")
            )
        return None

    def _may_not_declare(self, event_id: str) -> str | None:
        """Why the capturer may not declare the captured event ``event_id`` in error, if it
        may not: the brand's tokens (admin, line) declare any event; a distributor's, only
        those it recorded itself, so that no partner unsays what another recorded."""
        if self.actor.role is not Role.DISTRIBUTOR:
            return None
        record = self.uow.events.get(event_id)
        if record is not None and record.recorded_by == self.actor.name:
            return None
        return (
            f"a {self.actor.role.value} token declares in error only the events it captured "
            "itself; ask whoever recorded this one"
        )

    def declare(self) -> list[str]:
        """Declare in error the captured events the document's error declarations name; the
        eventIDs declared."""
        for _, event_id, declaration in self.declarations:
            self.uow.events.declare_error(event_id, declaration)
        return [event_id for _, event_id, _ in self.declarations]

    def apply(self, stored: StoredEvent, *, savepoint: bool = False) -> EventRecord | None:
        """Apply one event to the registry through the lifecycle services (which record it;
        in a savepoint of its own where asked), or queue it to be stored with the others when
        it changes no unit of ours."""
        change = self._change(stored)
        if change is None:
            if self.actor.role is Role.DISTRIBUTOR:
                for field, named in _named_epcs_by_field(stored.document):
                    ours = [epc for epc in dict.fromkeys(named) if self._is_ours(epc)]
                    lifecycle.check_held(self.uow, codes=ours, actor=self.actor, field=field)
            self.waiting.append(
                StoredEvent(
                    stored.document,
                    party_id=self.actor.party_id,
                    recorded_by=self.actor.name,
                    capture_job_id=self.job_id,
                    field_rows=stored.field_rows,
                )
            )
            return None
        self.flush()  # in document order: what came before is stored first
        with _savepoint(self.uow, savepoint):
            return change()

    def flush(self) -> list[EventRecord]:
        records = self.uow.events.add_documents(self.waiting)
        self.waiting = []
        return records

    def _change(self, stored: StoredEvent) -> Callable[[], EventRecord] | None:
        event = stored.document
        kind, action = event["type"], event.get("action")
        # a CBV word in any spelling (bare, URN, Web URI) as its bare word
        step = BIZ_STEPS.word(event.get("bizStep") or "")
        disposition = DISPOSITIONS.word(event.get("disposition") or "")
        at = dt.datetime.fromisoformat(event["eventTime"])
        actor, uow = self.actor, self.uow
        if kind == "AggregationEvent" and action in ("ADD", "DELETE"):
            parent = event.get("parentID")
            children = list(event.get("childEPCs") or ())
            if parent is None or not self._names_ours([parent, *children]):
                return None
            if action == "ADD":

                def pack() -> EventRecord:
                    record = lifecycle.aggregate(
                        uow, parent=parent, children=children, actor=actor, at=at, captured=stored
                    )
                    # the events after it in the document may name the case or pallet
                    self._containers.add(parent)
                    self._containers.add(self._container_name(parent) or parent)
                    return record

                return pack
            return lambda: lifecycle.disaggregate(
                uow,
                parent=parent,
                children=children or None,
                actor=actor,
                at=at,
                captured=stored,
            )
        location = gln_of((event.get("bizLocation") or {}).get("id"))
        if kind == "TransformationEvent":
            inputs = [epc for epc in event.get("inputEPCList") or () if self._is_ours(epc)]
            outputs = [epc for epc in event.get("outputEPCList") or () if self._is_ours(epc)]
            if step == "assembling" and len(outputs) == 1 and inputs:
                # components into one device of ours: the API's assembly, with its rules
                return lambda: (
                    lifecycle.assemble(
                        uow,
                        device=outputs[0],
                        components=inputs,
                        actor=actor,
                        location_gln=location,
                        at=at,
                        captured=stored,
                    ).event
                )
            commissioning = step == "commissioning" and bool(outputs)
            if not inputs and not commissioning:
                return None
            if not commissioning:
                # outputs it does not commission are only named: a distributor names its own
                lifecycle.check_held(uow, codes=outputs, actor=actor, field="outputEPCList")
            made_lot, made_expiry = ilmd_lot_and_expiry(event)
            return lambda: lifecycle.transform(
                uow,
                inputs=inputs,
                outputs=outputs,
                actor=actor,
                commissioning=commissioning,
                lot=made_lot,
                expiry=made_expiry,
                location_gln=location,
                at=at,
                captured=stored,
            )
        if kind != "ObjectEvent":
            return None
        codes = [epc for epc in event.get("epcList") or () if self._is_ours(epc)]
        result = lifecycle.DISPOSITION_RESULTS.get(disposition or "")
        if step == "inspecting" and result is not None:
            targets = codes + self._our_lots(event.get("quantityList") or ())
            if not targets:
                return None
            return lambda: (
                lifecycle.inspect(
                    uow,
                    targets=targets,
                    result=result,
                    actor=actor,
                    location_gln=location,
                    at=at,
                    captured=stored,
                ).event
            )
        if not codes:
            return None
        if action == "ADD" and step == "commissioning":
            lot, expiry = ilmd_lot_and_expiry(event)
            return lambda: lifecycle.commission_units(
                uow,
                codes=codes,
                actor=actor,
                lot=lot,
                expiry=expiry,
                location_gln=location,
                at=at,
                captured=stored,
            )
        persistent = [
            DISPOSITIONS.word(word)
            for word in (event.get("persistentDisposition") or {}).get("set") or ()
        ]
        lasting = lasting_states(persistent)
        if step in ("shipping", "receiving") and lasting:
            raise InvalidRequest(
                f"persistentDisposition: {step} and a lasting "
                f"{', '.join(sorted(state.value for state in lasting))} are two changes of the "
                "units: send them as two events"
            )
        if step == "shipping":
            party = self._destination(event)
            return lambda: (
                lifecycle.ship(
                    uow, codes=codes, party=party, actor=actor, at=at, captured=stored
                ).event
            )
        if step == "receiving":
            return lambda: lifecycle.receive(
                uow,
                codes=codes,
                actor=actor,
                location_gln=location or gln_of((event.get("readPoint") or {}).get("id")),
                at=at,
                captured=stored,
            )
        target = state_of(step, disposition, persistent)
        if target is None:
            return None
        return lambda: lifecycle.change_state(
            uow,
            codes=codes,
            to=target,
            actor=actor,
            location_gln=location,
            at=at,
            captured=stored,
        )

    def _destination(self, event: Mapping[str, Any]) -> str:
        """The registered party a shipment goes to, from its destinationList."""
        entries = event.get("destinationList") or ()
        parties = self._party_list()
        by_gln = {party.gln: party.id for party in parties if party.gln}
        ids = {party.id for party in parties}
        for wanted in (_PARTY_TYPES, frozenset({"location"})):
            for entry in entries:
                if SOURCE_DEST_TYPES.word(str(entry.get("type", ""))) not in wanted:
                    continue
                name = str(entry.get("destination", ""))
                if name.startswith(lifecycle.PARTY_URN_PREFIX):
                    party_id = name.removeprefix(lifecycle.PARTY_URN_PREFIX)
                    if party_id in ids:
                        return party_id
                gln = gln_of(name)
                if gln is not None and gln in by_gln:
                    return by_gln[gln]
        raise InvalidRequest(
            "destinationList: names no party registered here (an owning or possessing party "
            "by PGLN or urn:unitrace:party:…, or a location by SGLN): unitrace cannot move the "
            "units' custody"
        )

    def _party_list(self) -> list[Party]:
        if self._parties is None:
            self._parties = self.uow.parties.all()
        return self._parties

    def _our_lots(self, quantities: Sequence[Mapping[str, Any]]) -> list[str]:
        """The classes of a quantityList that name lots of our products (any spelling)."""
        lots = []
        for element in quantities:
            scan = self._scan(str(element.get("epcClass", "")))
            if (
                scan is not None
                and scan.gtin is not None
                and scan.gtin.value in self.gtins
                and scan.lot is not None
                and scan.serial is None
            ):
                lots.append(str(element["epcClass"]))
        return lots

    def _names_ours(self, epcs: Sequence[str]) -> bool:
        return any(self._is_ours(epc) for epc in epcs)

    def _is_ours(self, epc: str) -> bool:
        if epc in self._containers:
            return True
        if epc.startswith(_SGTIN_URI) and self.all_sgtin_named:
            if epc.startswith(self.sgtin_prefixes):
                return True
            # one of our units with its company prefix cut elsewhere is still ours
            ours = self._our_sgtins.get(epc)
            if ours is None:  # a partner's units come back event after event: read once
                ours = self._our_sgtins[epc] = self.naming.sgtin_gtin(epc) in self.gtins
            return ours
        if epc.startswith(_SSCC_URI):  # never a unit: a pallet or case of ours, or not
            return self._container_name(epc) in self._containers
        if epc.startswith("urn:epc:") and not epc.startswith(_SGTIN_URI):
            return False  # another scheme, or a class: no unit or container of ours
        scan = self._scan(epc)
        if scan is None:
            return False
        if scan.gtin is not None and scan.serial is not None and scan.gtin.value in self.gtins:
            return True
        # a case or pallet of ours in another spelling than the registry's
        return self._container_name(epc) in self._containers

    def _scan(self, epc: str) -> Scan | None:
        if epc not in self._read:
            try:
                self._read[epc] = parse(epc)
            except (InvalidCode, ValueError):
                self._read[epc] = None
        return self._read[epc]

    def _container_name(self, epc: str) -> str | None:
        """The name the registry gives the case or pallet ``epc`` spells, if it spells one
        (an SSCC, or a GTIN with a serial), as the lifecycle services name it."""
        if epc.startswith("urn:epc:") and not epc.startswith(_CONTAINER_SCHEMES):
            return None
        if epc.startswith(_SSCC_URI):
            named = self.naming.plain_sscc(epc)
            if named is not None:
                return named
        scan = self._scan(epc)
        if scan is None:
            return None
        if scan.sscc is not None:
            return self.naming.sscc(scan.sscc)
        if scan.gtin is not None and scan.serial is not None:
            return self.naming.sgtin(scan.gtin, scan.serial)
        return None


#: The EPC URI schemes a case or pallet is named in.
_SGTIN_URI: Final = "urn:epc:id:sgtin:"
_SSCC_URI: Final = "urn:epc:id:sscc:"
_CONTAINER_SCHEMES: Final = (_SGTIN_URI, _SSCC_URI)


def _named_epcs_by_field(document: Mapping[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """Every EPC an event names, by field: listed, as a parent or child, as an input or
    output."""
    if document.get("parentID"):
        yield "parentID", [document["parentID"]]
    for key in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        if document.get(key):
            yield key, list(document[key])


def _candidate_containers(documents: Iterator[Mapping[str, Any]]) -> set[str]:
    """Every EPC that could name a case or pallet."""
    return {
        epc
        for document in documents
        for _, named in _named_epcs_by_field(document)
        for epc in named
    }


@contextmanager
def _savepoint(uow: UnitOfWork, wanted: bool) -> Iterator[None]:
    """With ``proceed``, each event's changes in a savepoint, undone alone when refused."""
    if not wanted:
        yield
        return
    nested = uow.connection.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        raise
    nested.commit()
