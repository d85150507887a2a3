"""The FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii)): one row per
critical tracking event of a food's traceability lots, with the key data elements 21 CFR
1.1325-1.1350 require for that event, read from the EPCIS events that recorded it and the
master data that names its places and products. The lot's events that agree on every key data
element but the quantity (its units commissioned one by one on a day at a plant) are one
critical tracking event: one row, their quantities summed (:func:`merged`).

A traceability lot is a GTIN and a lot: the lot's class in quantity lists (a partner's bulk
food), its serialized units one by one. The columns are :data:`COLUMNS`; what each is read
from is in ``docs/exports.md``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from unitrace.epcis.cbv import BIZ_STEP, spellings
from unitrace.gs1 import ElementString, Gtin, InvalidCode, parse
from unitrace.gs1.epc.pure_identity import epc_class_uri
from unitrace.registry.errors import Forbidden
from unitrace.registry.model import Actor, Role
from unitrace.services.exports import fsma204_words as words
from unitrace.services.exports.fsma204_request import FORMATS as FORMATS
from unitrace.services.exports.fsma204_request import ExportRefused as ExportRefused
from unitrace.services.exports.fsma204_request import Fsma204Request as Fsma204Request
from unitrace.services.exports.fsma204_request import check_format as check_format
from unitrace.services.exports.fsma204_request import read_request as read_request
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.subjects import lot_names
from unitrace.store import lot_events as index
from unitrace.store.held_epcs import unit_uri_prefixes
from unitrace.store.party_view import PartyView
from unitrace.store.unit_of_work import UnitOfWork

#: The spreadsheet's columns, after FDA's sortable spreadsheet template (see docs/exports.md).
COLUMNS: Final = (
    "Critical Tracking Event (CTE)",
    "Event Date",
    "Event Time",
    "Traceability Lot Code (TLC)",
    "Product Identifier (GTIN)",
    "Product Description",
    "Quantity",
    "Unit of Measure",
    "Location Description",
    "Ship-From Location Description",
    "Ship-To Location Description",
    "Immediate Previous Source Location Description",
    "Receiving Location Description",
    "Traceability Lot Code Source Location Description",
    "Transformation Role",
    "Food Used (Input TLCs)",
    "New Food (Output TLCs)",
    "Reference Document Type",
    "Reference Document Number",
    "EPCIS Event ID",
)

#: The business steps read through the lot's units, in every spelling an event may hold.
STEPS: Final = tuple(
    sorted(
        spelling
        for word in (*words.CBV_STEPS, "harvesting", "cooling", "first_land_based_receiving")
        for spelling in spellings(BIZ_STEP, word)
    )
)
#: Source and destination types, most telling first, for a place.
PLACE_TYPES: Final = ("location", "possessing_party", "owning_party")
#: The master data attributes that describe a place, in the order they are written.
ADDRESS_ATTRIBUTES: Final = ("name", "streetAddress", "city", "state", "postalCode", "countryCode")
#: The master data attributes that describe a product class, most telling first.
DESCRIPTION_ATTRIBUTES: Final = (
    "regulatedProductName",
    "descriptionShort",
    "tradeItemDescription",
    "name",
)


@dataclass(frozen=True, slots=True)
class Fsma204Row:
    """One critical tracking event of one traceability lot, in :data:`COLUMNS` order."""

    cte: str
    date: str
    time: str
    tlc: str
    gtin: str
    product: str
    quantity: int | float | str
    unit_of_measure: str
    location: str = ""
    ship_from: str = ""
    ship_to: str = ""
    previous_source: str = ""
    receiving: str = ""
    tlc_source: str = ""
    transformation_role: str = ""
    food_used: str = ""
    new_food: str = ""
    document_type: str = ""
    document_number: str = ""
    event_id: str = ""
    sort_key: tuple[dt.datetime, str] = field(default=(dt.datetime.min, ""), compare=False)
    #: how many events the row stands for, and the first captured one's key
    events: int = field(default=1, compare=False)
    first_pk: int = field(default=0, compare=False)

    def key(self) -> tuple[int | float | str, ...]:
        """What makes the row one critical tracking event: every column but the time, the
        quantity and the event ID."""
        values = self.values()
        return values[:2] + values[3:6] + values[7:19]

    def values(self) -> tuple[int | float | str, ...]:
        return (
            self.cte,
            self.date,
            self.time,
            self.tlc,
            self.gtin,
            self.product,
            self.quantity,
            self.unit_of_measure,
            self.location,
            self.ship_from,
            self.ship_to,
            self.previous_source,
            self.receiving,
            self.tlc_source,
            self.transformation_role,
            self.food_used,
            self.new_food,
            self.document_type,
            self.document_number,
            self.event_id,
        )


def may_export(actor: Actor) -> None:
    """The brand's admin exports every event; a distributor its view of them (the EPCIS
    query's: the events it may see, counting the units it holds or held)."""
    if actor.role not in (Role.ADMIN, Role.DISTRIBUTOR):
        raise Forbidden(
            f"a {actor.role.value} may not export the FSMA 204 spreadsheet; "
            "needs admin or distributor"
        )
    if actor.role is Role.DISTRIBUTOR and actor.party_id is None:
        raise Forbidden(f"distributor {actor.name} is bound to no party, so has no records")


def fsma204_rows(uow: UnitOfWork, request: Fsma204Request, *, actor: Actor) -> list[Fsma204Row]:
    """The spreadsheet's rows for ``request``, by event time: every critical tracking event
    of the lot (of every registered lot of the GTIN, where no lot is given). A lot no event
    names has no rows. A distributor's rows are its view's: the events it may see, each
    counting (and listing, in a transformation) only the units it holds or held."""
    may_export(actor)
    connection = uow.connection
    context = Context.of(uow)
    gtin = request.gtin.value
    registered = index.registered_lots(connection, gtin, request.lot)
    wanted: list[tuple[str, index.RegisteredLot | None]] = [(lot.lot, lot) for lot in registered]
    if request.lot is not None and not registered:
        wanted.append((request.lot, None))
    prefixes = {found[0]: found for found in unit_uri_prefixes(connection)}
    view = (
        PartyView(connection, actor.party_id)
        if actor.role is Role.DISTRIBUTOR and actor.party_id is not None
        else None
    )
    reader = _Reader(uow, context, view)
    rows: list[Fsma204Row] = []
    for lot, known in wanted:
        names = _class_names(context, request.gtin, lot)
        groups: dict[int, index.EventGroup] = {}
        if known is not None and known.product_id in prefixes:
            found = index.lot_event_groups(
                connection,
                lot_id=known.lot_id,
                prefix=prefixes[known.product_id],
                steps=STEPS,
                holder=None if view is None else view.party_id,
                seen=None if view is None else view.events(),
            )
            groups = {group.pk: group for group in found}
        counts: dict[int, dict[str, int]] = {pk: dict(group.units) for pk, group in groups.items()}
        for pk in index.class_event_pks(connection, names):
            counts.setdefault(pk, {})
        events = [
            _standing_for(event, groups.get(event.pk))
            for event in index.lot_events(
                connection, counts, None if view is None else view.events()
            )
        ]
        events.sort(key=lambda event: (event.event_time, event.pk))
        rows.extend(merged(reader.lot_rows(gtin, lot, known, events, request)))
    rows.sort(key=lambda row: row.sort_key)
    return rows


def _standing_for(event: index.LotEvent, group: index.EventGroup | None) -> index.LotEvent:
    """The event read as its group: from the group's first time, for all its events."""
    if group is None:
        return event
    return replace(event, event_time=group.first_time, events=group.events)


def merged(rows: Iterable[Fsma204Row]) -> list[Fsma204Row]:
    """One row per critical tracking event as FDA sees it: the rows that agree on every
    column but the time, the quantity and the event ID are one, its quantity their sum, its
    time the earliest, its event ID the first captured's (``… (+N more)``)."""
    found: dict[tuple[int | float | str, ...], list[Fsma204Row]] = {}
    for row in rows:
        found.setdefault(row.key(), []).append(row)
    out: list[Fsma204Row] = []
    for same in found.values():
        if len(same) == 1 and same[0].events == 1:
            out.append(same[0])
            continue
        first = min(same, key=lambda row: row.sort_key)
        captured = min(same, key=lambda row: row.first_pk)
        events = sum(row.events for row in same)
        out.append(
            replace(
                first,
                quantity=_summed([row.quantity for row in same]),
                event_id=captured.event_id
                if events == 1
                else f"{captured.event_id} (+{events - 1} more)",
                events=1,
            )
        )
    return out


def _summed(quantities: Sequence[int | float | str]) -> int | float | str:
    """Quantities of one unit of measure (or of the same units of measure, ``3; 2``) added."""
    if all(isinstance(amount, int | float) for amount in quantities):
        return _shown(sum(float(amount) for amount in quantities))
    parts = [str(amount).split("; ") if str(amount) else [] for amount in quantities]
    width = max(len(part) for part in parts)
    if width == 0 or any(len(part) != width for part in parts):
        return "; ".join(str(amount) for amount in quantities if str(amount))
    totals = [sum(float(part[n]) for part in parts) for n in range(width)]
    if width == 1:
        return _shown(totals[0])
    return "; ".join(str(_shown(total)) for total in totals)


class _Reader:
    """Reads events into rows, naming places and products once per export."""

    def __init__(self, uow: UnitOfWork, context: Context, view: PartyView | None) -> None:
        self.connection = uow.connection
        self.context = context
        #: a distributor's view: the units it is shown are those it holds or held
        self.view = view
        self.places: dict[str, str] = {}
        self.products: dict[tuple[str, str], str] = {}

    def lot_rows(
        self,
        gtin: str,
        lot: str,
        known: index.RegisteredLot | None,
        events: Sequence[index.LotEvent],
        request: Fsma204Request,
    ) -> list[Fsma204Row]:
        recorded = [
            (event, cte)
            for event in events
            if (cte := words.critical_tracking_event(event.type, event.action, event.biz_step))
        ]
        source = self._tlc_source(gtin, lot, known, recorded)
        product = self._product(gtin, lot)
        rows = []
        for event, cte in recorded:
            local = event.event_time.astimezone(_offset(event.time_zone_offset))
            if request.first_day is not None and local.date() < request.first_day:
                continue
            if request.last_day is not None and local.date() > request.last_day:
                continue
            rows.append(self._row(gtin, lot, product, source, event, cte, local))
        return rows

    def _row(
        self,
        gtin: str,
        lot: str,
        product: str,
        source: str,
        event: index.LotEvent,
        cte: str,
        local: dt.datetime,
    ) -> Fsma204Row:
        document = event.document
        side = _side(event, gtin, lot) if cte == words.TRANSFORMATION else "object"
        quantity, uom = _quantity(event, gtin, lot, side)
        where = event.biz_location or event.read_point
        from_place = words.source_or_destination(document.get("sourceList"), prefer=PLACE_TYPES)
        to_place = words.source_or_destination(document.get("destinationList"), prefer=PLACE_TYPES)
        receiving = cte in (words.RECEIVING, words.FIRST_LAND_BASED_RECEIVING)
        documents = [
            words.reference_document(entry)
            for entry in document.get("bizTransactionList") or ()
            if isinstance(entry, Mapping)
        ]
        transformation = cte == words.TRANSFORMATION
        return Fsma204Row(
            cte=cte,
            date=local.date().isoformat(),
            time=local.timetz().isoformat(timespec="seconds"),
            tlc=lot,
            gtin=gtin,
            product=product,
            quantity=quantity,
            unit_of_measure=uom,
            location=self._place(where),
            ship_from=self._place(from_place or where) if cte == words.SHIPPING else "",
            ship_to=self._place(to_place) if cte == words.SHIPPING else "",
            previous_source=self._place(from_place) if receiving else "",
            receiving=self._place(where or to_place) if receiving else "",
            tlc_source=source,
            transformation_role=(
                ("new food (output)" if side == "output" else "food used (input)")
                if transformation
                else ""
            ),
            food_used=self._lots_on(event, "input") if transformation else "",
            new_food=self._lots_on(event, "output") if transformation else "",
            document_type="; ".join(kind for kind, _ in documents),
            document_number="; ".join(number for _, number in documents),
            event_id=event.event_id,
            sort_key=(event.event_time, f"{event.event_id} {lot}"),
            events=event.events,
            first_pk=event.pk,
        )

    def _tlc_source(
        self,
        gtin: str,
        lot: str,
        known: index.RegisteredLot | None,
        recorded: Sequence[tuple[index.LotEvent, str]],
    ) -> str:
        """Where the lot's code was assigned: the place of its initial packing, or of the
        transformation that made it; else the site its registration names."""
        for event, cte in recorded:
            made = cte == words.INITIAL_PACKING or (
                cte == words.TRANSFORMATION and _side(event, gtin, lot) == "output"
            )
            place = event.biz_location or event.read_point
            if made and place:
                return self._place(place)
        if known is not None and known.site:
            return self._place(known.site)
        return ""

    def _place(self, identifier: str | None) -> str:
        """A location's description: its master data name and address, else the place or
        party registered at its GLN; with its GLN. What nothing describes, as given."""
        if not identifier:
            return ""
        if identifier not in self.places:
            self.places[identifier] = self._describe(identifier)
        return self.places[identifier]

    def _describe(self, identifier: str) -> str:
        gln = words.gln_of(identifier) or (identifier if _is_gln(identifier) else None)
        attributes = index.master_data_attributes(self.connection, [identifier]).get(identifier)
        parts: list[str] = []
        if attributes:
            named = _attributes(attributes)
            parts = [named[key] for key in ADDRESS_ATTRIBUTES if named.get(key)]
        if not parts and gln is not None:
            place = index.registered_places(self.connection, [gln]).get(gln)
            if place is not None:
                parts = [
                    part for part in (place.name, place.city, place.region, place.country) if part
                ]
        if not parts:
            return identifier
        return ", ".join(parts) + (f" (GLN {gln})" if gln else "")

    def _product(self, gtin: str, lot: str) -> str:
        key = (gtin, lot)
        if key not in self.products:
            name = index.product_names(self.connection, [gtin]).get(gtin)
            if name is None:
                names = _class_names(self.context, Gtin(gtin), lot)
                found = index.master_data_attributes(self.connection, names)
                for spelled in names:
                    named = _attributes(found.get(spelled, []))
                    name = next((named[k] for k in DESCRIPTION_ATTRIBUTES if named.get(k)), None)
                    if name:
                        break
            self.products[key] = name or ""
        return self.products[key]

    def _lots_on(self, event: index.LotEvent, side: str) -> str:
        """The lots a transformation names on ``side``, each ``(01)…(10)…: quantity unit``:
        by class from its quantity list, by unit from its EPC list (and, on the input side,
        the units inside the containers it consumed)."""
        totals: dict[tuple[str, str, str], float] = {}
        for entry in event.document.get(f"{side}QuantityList") or ():
            key = _class_key(entry.get("epcClass")) if isinstance(entry, Mapping) else None
            if key is not None:
                found = (*key, words.unit_of_measure(entry.get("uom")))
                totals[found] = totals.get(found, 0) + _number(entry.get("quantity", 0))
        keys: list[tuple[int, str]] = []
        # the units inside a container consumed are indexed as contained: inputs too
        roles = ("input", "contained") if side == "input" else (side,)
        named = index.epcs_named(self.connection, event.pk, roles)
        if self.view is not None:
            held = self.view.held.held_of(named)
            named = [epc for epc in named if epc in held]
        for epc in named:
            unit = self._unit_key(epc)
            if unit is not None:
                keys.append(unit)
        for (gtin, lot), count in index.lots_of_units(self.connection, keys).items():
            found = (gtin, lot, words.EACH)
            totals[found] = totals.get(found, 0) + count
        return "; ".join(
            f"(01){gtin}(10){lot}: {_shown(amount)} {uom}"
            for (gtin, lot, uom), amount in sorted(totals.items())
        )

    def _unit_key(self, epc: str) -> tuple[int, str] | None:
        own = self.context.naming.own_sgtin(epc)
        if own is None:
            try:
                elements = {element.ai: element.value for element in parse(epc).elements}
            except InvalidCode:
                return None
            if "01" not in elements or "21" not in elements:
                return None
            own = (Gtin(elements["01"]), elements["21"])
        product = self.context.products.get(own[0].value)
        return None if product is None else (product.id, own[1])


def _class_names(context: Context, gtin: Gtin, lot: str) -> tuple[str, ...]:
    """Every spelling of the lot's class: its canonical Digital Link, and its LGTIN class
    URI under the company prefix unitrace knows, else under each length a company prefix
    may have (a partner's lot, whose prefix unitrace was never told)."""
    names = list(lot_names(context, gtin, lot))
    elements = (ElementString("01", gtin.value), ElementString("10", lot))
    if not any(name.startswith("urn:") for name in names):
        for length in range(6, 13):
            try:
                names.append(epc_class_uri(elements, length))
            except InvalidCode:
                continue
    return tuple(names)


def _side(event: index.LotEvent, gtin: str, lot: str) -> str:
    """Which side of a transformation the lot is on: its new food where it is an output.
    (The units inside a container a transformation consumed are indexed beside its inputs,
    on no side: they are inputs too.)"""
    if event.units.get("output"):
        return "output"
    if event.units.get("input") or event.units.get("object"):
        return "input"
    for entry in event.document.get("outputQuantityList") or ():
        if isinstance(entry, Mapping) and _class_key(entry.get("epcClass")) == (gtin, lot):
            return "output"
    return "input"


def _quantity(
    event: index.LotEvent, gtin: str, lot: str, side: str
) -> tuple[int | float | str, str]:
    """How much of the lot the event names on ``side``: its units counted (``each``) and the
    quantities of its class, by unit of measure."""
    totals: dict[str, float] = {}
    counted = event.units.get(side, 0)
    if side == "input":
        counted += event.units.get("object", 0)
    if counted:
        totals[words.EACH] = counted
    lists = {
        "object": ("quantityList", "childQuantityList"),
        "input": ("inputQuantityList",),
        "output": ("outputQuantityList",),
    }[side]
    for name in lists:
        for entry in event.document.get(name) or ():
            if isinstance(entry, Mapping) and _class_key(entry.get("epcClass")) == (gtin, lot):
                uom = words.unit_of_measure(entry.get("uom"))
                totals[uom] = totals.get(uom, 0) + _number(entry.get("quantity", 0))
    if not totals:
        return "", ""
    if len(totals) == 1:
        ((uom, amount),) = totals.items()
        return _shown(amount), uom
    return (
        "; ".join(str(_shown(amount)) for amount in totals.values()),
        "; ".join(totals),
    )


def _class_key(epc_class: object) -> tuple[str, str] | None:
    if not isinstance(epc_class, str):
        return None
    try:
        elements = {element.ai: element.value for element in parse(epc_class).elements}
    except InvalidCode:
        return None
    if "01" not in elements or "10" not in elements:
        return None
    return elements["01"], elements["10"]


def _attributes(attributes: Iterable[Any]) -> dict[str, str]:
    """Master data attributes by their last word (``urn:epcglobal:cbv:mda:city`` → city)."""
    named: dict[str, str] = {}
    for attribute in attributes:
        if not isinstance(attribute, Mapping):
            continue
        key, value = attribute.get("id"), attribute.get("attribute")
        if isinstance(key, str) and isinstance(value, str | int | float):
            word = key.replace("#", ":").replace("/", ":").split(":")[-1]
            named.setdefault(word, str(value))
    return named


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _shown(amount: float) -> int | float:
    return int(amount) if float(amount).is_integer() else amount


def _is_gln(text: str) -> bool:
    return len(text) == 13 and text.isdigit()


@functools.lru_cache(maxsize=64)
def _offset(text: str) -> dt.timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text[1:].split(":")
    return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))
