"""Quality inspections: an ObjectEvent OBSERVE ``inspecting`` about units, containers or lots,
with the result as its CBV disposition (``conformant`` for a pass, ``non_conformant`` for a
fail) and the certificate in ``certificationInfo``. A failed inspection puts every unit it
covers on hold (the units of a lot, now and later, by one hold on the lot; the units inside a
container now, by one statement); a passing one releases the inspection holds on the units it
covers and placed no later than it (for a lot, the lot's own hold and the unit holds its
failures placed; for a distributor, only holds its own party placed)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final
from urllib.parse import quote

from unitrace.epcis import Action, BizStep, Disposition, ObjectEvent
from unitrace.epcis.model import QuantityElement
from unitrace.gs1 import InvalidCode, parse
from unitrace.registry.errors import Forbidden, InvalidRequest, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.lifecycle.holds import COLD_CHAIN, INSPECTION
from unitrace.services.lifecycle.recording import all_or_nothing, record_event
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.targets import (
    Context,
    location_of,
    resolve,
    time_of,
    unit_selections,
)
from unitrace.store.events import CONTAINED_ROLE, EventRecord, StoredEvent, UnitEpcs
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import InContainers, LotRange, UnitKeys, UnitSelection


class InspectionResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"


#: CBV 2.0 dispositions of an inspection's result, and back.
RESULT_DISPOSITIONS: Final = {
    InspectionResult.PASS: Disposition.CONFORMANT,
    InspectionResult.FAIL: Disposition.NON_CONFORMANT,
}
DISPOSITION_RESULTS: Final = {
    disposition.value: result for result, disposition in RESULT_DISPOSITIONS.items()
}

#: The holds a passing inspection releases: a failed inspection's, and a cold chain breach's
#: (quality assurance judged the units fit after reviewing the excursion).
RELEASED_BY_A_PASS: Final = (INSPECTION, COLD_CHAIN)

#: Where a certificate with no URI of its own is named (``certificationInfo`` is a URI).
CERTIFICATE_URN: Final = "urn:unitrace:certification:"
_URI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")


@dataclass(frozen=True, slots=True)
class Certification:
    """A certificate the inspection gives, as GS1's CertificationDetails names its parts."""

    agency: str
    standard: str
    value: str
    identification: str

    def uri(self) -> str:
        """The certificate's URI for ``certificationInfo``: its identification where that is
        a URI already, else one made of the agency and the identification."""
        if _URI.fullmatch(self.identification):
            return self.identification
        return (
            f"{CERTIFICATE_URN}{quote(self.agency, safe='')}:{quote(self.identification, safe='')}"
        )

    def details(self) -> dict[str, str]:
        """The certificate in the GS1 Web Vocabulary's words (``gs1:CertificationDetails``)."""
        return {
            "gs1:certificationAgency": self.agency,
            "gs1:certificationStandard": self.standard,
            "gs1:certificationValue": self.value,
            "gs1:certificationIdentification": self.identification,
        }


@dataclass(frozen=True, slots=True)
class Inspection:
    """An inspection as recorded: its event, its result, and the units it covered."""

    event: EventRecord
    result: InspectionResult
    units: int
    #: how many of the units covered are on hold once it is recorded (after a pass, those
    #: still held by another hold: a lot's, say, or another cause's)
    on_hold: int


@dataclass(frozen=True, slots=True)
class _Covered:
    """What an inspection's targets cover: the EPCs its event lists, the lots' classes, the
    selections of units and the lots held or released whole."""

    epcs: tuple[str, ...]
    loose: UnitKeys | None
    tree: tuple[int, ...]
    lots: tuple[tuple[str, LotRange], ...]

    @property
    def selections(self) -> list[UnitSelection]:
        return [*unit_selections(self.loose, self.tree), *(lot for _, lot in self.lots)]


def inspect(
    uow: UnitOfWork,
    *,
    targets: Sequence[str],
    result: str,
    actor: Actor,
    certification: Certification | None = None,
    notes: str | None = None,
    location_gln: str | None = None,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> Inspection:
    """Record an inspection of units, containers (SSCC or a case's code) or lots (GTIN + lot,
    no serial) and its result: a fail holds the units covered, a pass releases them."""
    allow(actor, "inspect")
    when = time_of(at)
    try:
        outcome = InspectionResult(result)
    except ValueError:
        raise InvalidRequest(
            f"result: {result!r} is not an inspection result (pass, fail)"
        ) from None
    if not targets:
        raise InvalidRequest("target: none given")
    if certification is not None:
        for name in ("agency", "standard", "value", "identification"):
            if not getattr(certification, name).strip():
                raise InvalidRequest(f"certification.{name}: empty; say it")
    location = location_of(uow, actor, location_gln)
    context = Context.of(uow)
    covered = _covered(uow, context, targets, actor)
    units = sum(uow.units.count(selection) for selection in covered.selections)
    place = context.naming.sgln(location) if location is not None else None
    extensions: dict[str, Any] = (
        {"gs1:certification": certification.details()} if certification else {}
    )
    event = ObjectEvent(
        event_time=when,
        action=Action.OBSERVE,
        epc_list=covered.epcs or None,
        quantity_list=tuple(QuantityElement(epc_class) for epc_class, _ in covered.lots) or None,
        biz_step=BizStep.INSPECTING,
        disposition=RESULT_DISPOSITIONS[outcome],
        read_point=place,
        biz_location=place,
        certification_info=certification.uri() if certification else None,
        extensions=extensions,
    )
    released = 0
    with all_or_nothing(uow):
        record = record_event(
            uow,
            event,
            captured,
            actor=actor,
            party_id=actor.party_id,
            units_named=[UnitEpcs(InContainers(covered.tree), context.naming, role=CONTAINED_ROLE)]
            if covered.tree
            else [],
        )
        if outcome is InspectionResult.FAIL:
            _hold(uow, covered, record.event_id, when)
        else:
            released = _release(uow, covered, actor, record.event_id, when)
    on_hold = sum(_held_count(uow, selection) for selection in covered.selections)
    uow.audit.record(
        actor.name,
        "inspections.recorded",
        record.event_id,
        {
            "targets": [*covered.epcs, *(epc_class for epc_class, _ in covered.lots)],
            "result": outcome.value,
            "units": units,
            "on_hold": on_hold,
            "holds_released": released,
            "certification": certification.details() if certification else None,
            "notes": notes,
        },
    )
    return Inspection(record, outcome, units, on_hold)


def _hold(uow: UnitOfWork, covered: _Covered, event_id: str, when: dt.datetime) -> None:
    if covered.loose is not None:
        uow.holds.place(covered.loose, cause=INSPECTION, scope="unit", event_id=event_id, at=when)
    if covered.tree:
        uow.holds.place(
            InContainers(covered.tree),
            cause=INSPECTION,
            scope="container",
            event_id=event_id,
            at=when,
        )
    for _, lot in covered.lots:
        uow.holds.place_on_lot(
            lot.lot_id, cause=INSPECTION, scope="lot", event_id=event_id, at=when
        )


def _release(
    uow: UnitOfWork, covered: _Covered, actor: Actor, event_id: str, when: dt.datetime
) -> int:
    """Release the inspection holds placed at or before the pass on what it covers: a unit's
    or a container's pass the holds on those units (a lot's own hold only by a pass of the
    lot), a lot's pass the lot's hold and the unit holds its failed inspections placed. A
    distributor's pass releases only holds placed by events its own party recorded; admin's
    and line's any. How many holds were released."""
    party = actor.party_id if actor.role is Role.DISTRIBUTOR else None
    released = 0
    for cause in RELEASED_BY_A_PASS:
        for selection in unit_selections(covered.loose, covered.tree):
            released += uow.holds.release(
                selection, cause=cause, event_id=event_id, at=when, placed_by_party=party
            )
        for _, lot in covered.lots:
            # a breach holds units one by one, never a lot: a lot's pass releases them all
            released += (
                uow.holds.release(
                    lot, cause=cause, event_id=event_id, at=when, placed_by_party=party
                )
                if cause == COLD_CHAIN
                else uow.holds.release_lot(
                    lot.lot_id, cause=cause, event_id=event_id, at=when, placed_by_party=party
                )
            )
    return released


def _held_count(uow: UnitOfWork, selection: UnitSelection) -> int:
    held = uow.holds.held(selection)
    return 0 if held is None else held.count


def _covered(uow: UnitOfWork, context: Context, targets: Sequence[str], actor: Actor) -> _Covered:
    """The units, containers and lots ``targets`` name; a distributor inspects only what it
    holds, so never a whole lot."""
    codes: list[str] = []
    lots: list[tuple[str, LotRange]] = []
    for index, target in enumerate(targets):
        field = "target" if len(targets) == 1 else f"target[{index}]"
        try:
            scan = parse(target)
        except InvalidCode:
            codes.append(target)  # resolve names what is wrong with it
            continue
        if scan.gtin is None or scan.lot is None or scan.serial is not None:
            codes.append(target)
            continue
        if actor.role is Role.DISTRIBUTOR:
            raise Forbidden(
                f"{field}: a lot's units are in many parties' custody; a distributor inspects "
                "the units and containers it holds"
            )
        product = context.product(scan.gtin, field)
        registered = uow.lots.get(product.gtin, scan.lot)
        lot_id = uow.lots.id_of(product.gtin, scan.lot)
        if registered is None or lot_id is None:
            raise NotFound(f"{field}: lot {scan.lot} of {product.gtin} is not registered")
        whole = LotRange(product.id, lot_id, 1, registered.issued)
        lots.append((context.naming.lgtin(product.gtin, scan.lot), whole))
    if not codes:
        return _Covered((), None, (), tuple(lots))
    found = resolve(uow, context, codes, "target" if len(targets) == 1 else "targets", actor=actor)
    tree = uow.units.subtree(container.id for container in found.containers)
    loose = UnitKeys(tuple(found.units)) if found.units else None
    return _Covered(found.epcs, loose, tuple(tree), tuple(lots))
