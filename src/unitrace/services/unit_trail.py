"""A unit's trail as the console's unit page tells it: where it stands (state, lot, the cases
and pallet it is packed in, its custodian and place), the EPCIS events that moved it, newest
first, and where it was scanned.

Who may see a unit is the API's rule (:func:`unitrace.services.lifecycle.unit_view`): the
brand's admin and line users every unit, a distributor's user only the units in its party's
custody (any other is "not registered", as an unknown one is), a verifier none. Every list is
bounded: the latest :data:`EVENT_LIMIT` events and :data:`SCAN_LIMIT` scans, however many the
unit has had.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from unitrace.epcis.cbv import BIZ_STEP, DISPOSITION, CbvKind, word_of
from unitrace.gs1 import Gtin, InvalidCode, parse, validate_element
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor, Lot, Party
from unitrace.services.catalog import parse_gtin
from unitrace.services.lifecycle import UnitView, container_view, unit_view
from unitrace.store.custody import CustodyFigures
from unitrace.store.events import EventRecord
from unitrace.store.scans import ScanRecord
from unitrace.store.unit_of_work import UnitOfWork

#: The most events and scans a unit page lists.
EVENT_LIMIT: Final = 100
SCAN_LIMIT: Final = 50
#: How far up the cases and pallets a unit is packed in the page follows.
CONTAINER_DEPTH: Final = 4


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One EPCIS event of the unit, in words: what happened (the event type and action),
    the business step and disposition as CBV words, where (the place's party where its GLN
    is a party's), and who (the party it concerns and who recorded it)."""

    at: dt.datetime
    event_id: str
    what: str
    step: str | None
    disposition: str | None
    place: str | None
    party: str | None
    recorded_by: str | None


@dataclass(frozen=True, slots=True)
class Packing:
    """A case or pallet the unit is packed in: its code as people read it, its EPC, whether
    it is labelled with an SSCC, and the units inside at every depth (None where the reader
    may not open it)."""

    code: str
    epc: str
    sscc: bool
    units: int | None


@dataclass(frozen=True, slots=True)
class UnitTrail:
    unit: UnitView
    product: str | None
    lot: Lot | None
    custodian: Party | None
    #: the unit's place: its GLN, with the name of the party registered there
    location: str | None
    #: the case it is packed in directly first, then what holds that, up to the pallet
    packed_in: tuple[Packing, ...]
    #: the latest events, newest first, and how many it has had
    history: tuple[HistoryEntry, ...]
    events: int
    #: the latest scans, newest first, and how many it has had
    scans: tuple[ScanRecord, ...]
    scan_count: int


def unit_trail(uow: UnitOfWork, *, gtin: str, serial: str, actor: Actor) -> UnitTrail:
    """The unit ``gtin`` + ``serial`` for ``actor``: :class:`InvalidRequest` for a GTIN or a
    serial that breaks GS1's rules, :class:`NotFound` for a unit the actor may not see or that
    does not exist, :class:`~unitrace.registry.errors.Forbidden` for a role that sees none."""
    key = parse_gtin(gtin, "gtin")
    try:
        validate_element("21", serial)
    except InvalidCode as error:
        raise InvalidRequest(f"serial: {error}") from None
    unit = unit_view(uow, gtin=key.value, serial=serial, actor=actor)
    figures = CustodyFigures(uow.connection)
    events = unit.history
    shown = events[-EVENT_LIMIT:][::-1]
    glns = {gln_of(place) for event in shown for place in (event.biz_location, event.read_point)}
    glns.add(unit.location)
    places = figures.parties_by_gln({gln for gln in glns if gln is not None})
    product = uow.products.get(key)
    scans, scan_count = _latest_scans(uow, key, serial)
    return UnitTrail(
        unit=unit,
        product=product.name if product is not None else None,
        lot=uow.lots.get(key, unit.lot),
        custodian=uow.parties.get(unit.custodian) if unit.custodian else None,
        location=place_words(unit.location, places),
        packed_in=_packed_in(uow, unit.container, actor),
        history=tuple(history_entry(event, places) for event in shown),
        events=len(events),
        scans=scans,
        scan_count=scan_count,
    )


def _latest_scans(uow: UnitOfWork, gtin: Gtin, serial: str) -> tuple[tuple[ScanRecord, ...], int]:
    product_id = uow.units.product_keys()[gtin.value].id
    latest = uow.scans.recent_of_unit(product_id, serial, limit=SCAN_LIMIT)
    count = len(latest)
    if count == SCAN_LIMIT:  # only a full window needs the count
        _, count = uow.scans.first_of_unit(product_id, serial)
    return tuple(latest), count


def _packed_in(uow: UnitOfWork, container: str | None, actor: Actor) -> tuple[Packing, ...]:
    found: list[Packing] = []
    while container is not None and len(found) < CONTAINER_DEPTH:
        code = _code_of(container)
        try:
            view = container_view(uow, code=container, actor=actor)
        except NotFound:  # a distributor holding the unit but not what it is packed in
            found.append(Packing(code, container, container.startswith("urn:epc:id:sscc:"), None))
            break
        found.append(Packing(code, view.epc, view.kind == "sscc", view.unit_count))
        container = view.parent
    return tuple(found)


def history_entry(event: EventRecord, places: dict[str, Party]) -> HistoryEntry:
    what = event.type + (f" {event.action}" if event.action else "")
    place = event.biz_location or event.read_point
    return HistoryEntry(
        at=event.event_time,
        event_id=event.event_id,
        what=what,
        step=_word(BIZ_STEP, event.biz_step),
        disposition=_word(DISPOSITION, event.disposition),
        place=place_words(place, places),
        party=event.party_id,
        recorded_by=event.recorded_by,
    )


def _word(kind: CbvKind, spelling: str | None) -> str | None:
    """A CBV word without its URN or URI prefix; a word outside CBV as it was written."""
    if spelling is None:
        return None
    word = word_of(kind, spelling)
    return word if word is not None else spelling


def gln_of(place: str | None) -> str | None:
    """The GLN a place (an SGLN URI, a Digital Link, a bare GLN) names, if any."""
    if place is None:
        return None
    if place.isdigit() and len(place) == 13:
        return place
    try:
        gln = parse(place).gln
    except InvalidCode:
        return None
    return gln.value if gln is not None else None


def place_words(place: str | None, parties: dict[str, Party]) -> str | None:
    """A place for people: the party registered at its GLN, with the GLN."""
    gln = gln_of(place)
    party = parties.get(gln) if gln is not None else None
    if party is not None:
        return f"{party.name} (GLN {gln})"
    if gln is not None:
        return f"GLN {gln}"
    return place


def _code_of(epc: str) -> str:
    """A case's or pallet's EPC as people read it, ``(00)…`` or ``(01)…(21)…``."""
    try:
        return parse(epc).hri()
    except InvalidCode:
        return epc
