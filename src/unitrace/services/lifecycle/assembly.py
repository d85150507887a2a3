"""Assembly: components go into a serialized device (electronics' component sourcing),
recorded as the CBV 2.0 TransformationEvent with bizStep ``assembling``: the device in
``outputEPCList``, serialized components in ``inputEPCList`` and components known by lot in
``inputQuantityList`` (their lot's LGTIN class and a quantity). Its inputs and outputs are
the genealogy traceability reads: forward from a component lot to the devices, back from a
device to its components and their lots.

A serialized component goes into one device: it is checked out, the state the state table
gives a pack consumed into another (as a transformation's inputs are), and a second assembly
naming it is refused, naming the device it went into."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from unitrace.epcis import BizStep, TransformationEvent
from unitrace.epcis.model import QuantityElement
from unitrace.registry.errors import Conflict, InvalidRequest, NotFound
from unitrace.registry.model import Actor, LotStatus, UnitState
from unitrace.services.catalog import parse_gtin
from unitrace.services.lifecycle.holds import hold_words, refuse_held
from unitrace.services.lifecycle.recording import (
    Undone,
    all_or_nothing,
    changed_meanwhile,
    record_event,
)
from unitrace.services.lifecycle.rules import allow, check_custody
from unitrace.services.lifecycle.targets import (
    Context,
    location_of,
    resolve,
    time_of,
    unit_name,
)
from unitrace.store.events import EventRecord, StoredEvent
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.projection import UnitRecord
from unitrace.store.units.selections import UnitKeys

#: The state a component leaves the market for once it is inside a device.
CONSUMED: Final = UnitState.CHECKED_OUT

#: The most of one lot an assembly may say went into a device (a billion instances); more is
#: a mistake (or 1e308), never a count, and is refused before anything is written.
MOST_OF_A_LOT: Final = 1_000_000_000


@dataclass(frozen=True, slots=True)
class LotComponent:
    """Components known by their lot, not one by one: ``quantity`` of lot ``lot`` of ``gtin``."""

    gtin: str
    lot: str
    quantity: float


@dataclass(frozen=True, slots=True)
class Assembly:
    """An assembly as recorded: its event, the device, and what went into it (the EPCs of
    the serialized components; the lot classes and quantities of the others)."""

    event: EventRecord
    device: str
    components: tuple[str, ...]
    lots: tuple[QuantityElement, ...]


@dataclass(frozen=True, slots=True)
class _Parts:
    device: UnitRecord
    device_epc: str
    units: dict[tuple[int, str], UnitRecord]
    epcs: tuple[str, ...]
    lots: tuple[QuantityElement, ...]


def assemble(
    uow: UnitOfWork,
    *,
    device: str,
    components: Sequence[str | LotComponent],
    actor: Actor,
    location_gln: str | None = None,
    at: dt.datetime | None = None,
    captured: StoredEvent | None = None,
) -> Assembly:
    """Record that ``components`` (unit codes, or lots with a quantity) went into the
    serialized ``device``. The device must be an active unit; each serialized component an
    active unit consumed by no other device and on no hold; each lot one of ours, released
    (not recalled or withdrawn), not expired before ``at``'s day and not on hold as a lot."""
    allow(actor, "assemble")
    when = time_of(at)
    if not components:
        raise InvalidRequest("components: none given; an assembly puts something into the device")
    for index, component in enumerate(components):
        if isinstance(component, LotComponent):
            _check_quantity(component.quantity, f"components[{index}].quantity")
    location = location_of(uow, actor, location_gln)
    context = Context.of(uow)
    parts = _checked_parts(uow, context, device, components, actor, when)
    place = context.naming.sgln(location) if location is not None else None
    event = TransformationEvent(
        event_time=when,
        input_epc_list=parts.epcs or None,
        input_quantity_list=parts.lots or None,
        output_epc_list=(parts.device_epc,),
        biz_step=BizStep.ASSEMBLING,
        read_point=place,
        biz_location=place,
    )
    keys = UnitKeys(tuple(parts.units))
    try:
        with changed_meanwhile(), all_or_nothing(uow):
            record = record_event(uow, event, captured, actor=actor, party_id=actor.party_id)
            if parts.units:
                consumed = uow.units.set_state(
                    keys,
                    to=CONSUMED,
                    from_states=frozenset({UnitState.ACTIVE}),
                    at=when,
                    party_id=actor.party_id,
                    location_gln=location.value if location else None,
                )
                if consumed != len(parts.units):
                    raise Undone
    except Conflict:
        # another assembly took a component between the checks and the writes: name it, as
        # the checks would have, now that its writes are to be seen
        _checked_parts(uow, context, device, components, actor, when)
        raise
    uow.audit.record(
        actor.name,
        "units.assembled",
        record.event_id,
        {
            "device": parts.device_epc,
            "components": list(parts.epcs),
            "lots": [element.document() for element in parts.lots],
        },
    )
    return Assembly(record, parts.device_epc, parts.epcs, parts.lots)


def _checked_parts(
    uow: UnitOfWork,
    context: Context,
    device: str,
    components: Sequence[str | LotComponent],
    actor: Actor,
    when: dt.datetime,
) -> _Parts:
    made = resolve(uow, context, [device], "device", actor=actor)
    if made.containers:
        raise InvalidRequest(
            f"device: {made.containers[0].epc} is a case or pallet; a device is a serialized unit"
        )
    ((device_unit),) = made.units.values()
    device_epc = made.epcs[0]
    if device_unit.state is not UnitState.ACTIVE:
        raise Conflict(
            f"device: unit {unit_name(device_unit.gtin, device_unit.serial)} is "
            f"{device_unit.state}: components go into an active (commissioned) device only"
        )
    check_custody(actor, device_unit.custodian_id, f"device {device_epc}")
    _check_own_stock(
        device_unit, actor, f"device: unit {unit_name(device_unit.gtin, device_unit.serial)}"
    )
    # a held unit may not be changed into a product: its hold would not say what it became
    refuse_held(uow, [UnitKeys(tuple(made.units))], "made into a device")
    codes = [(index, code) for index, code in enumerate(components) if isinstance(code, str)]
    units: dict[tuple[int, str], UnitRecord] = {}
    epcs: tuple[str, ...] = ()
    if codes:
        found = resolve(uow, context, [code for _, code in codes], "components", actor=actor)
        if found.containers:
            raise InvalidRequest(
                f"components: {found.containers[0].epc} is a case or pallet; name the units "
                "that go into the device"
            )
        if device_epc in found.epcs:
            index = codes[found.epcs.index(device_epc)][0]
            raise InvalidRequest(f"components[{index}]: is the device itself")
        units, epcs = dict(found.units), found.epcs
        by_epc = {context.naming.sgtin(unit.gtin, unit.serial): unit for unit in units.values()}
        for (index, _), epc in zip(codes, epcs, strict=True):
            _check_component(uow, by_epc[epc], epc, f"components[{index}]", actor)
        refuse_held(uow, [UnitKeys(tuple(units))], "assembled into a device")
    lots = tuple(
        _lot_component(uow, context, component, f"components[{index}]", when)
        for index, component in enumerate(components)
        if isinstance(component, LotComponent)
    )
    return _Parts(device_unit, device_epc, units, epcs, lots)


def _check_component(uow: UnitOfWork, unit: UnitRecord, epc: str, field: str, actor: Actor) -> None:
    name = unit_name(unit.gtin, unit.serial)
    if unit.state is CONSUMED:
        into = _device_consuming(uow, epc)
        raise Conflict(
            f"{field}: unit {name} is already consumed by another device"
            f"{f' ({into})' if into else ''}: a component goes into one device only"
        )
    if unit.state is not UnitState.ACTIVE:
        raise Conflict(
            f"{field}: unit {name} is {unit.state}: only an active unit goes into a device"
        )
    if unit.container_id is not None:
        raise Conflict(
            f"{field}: unit {name} is packed in {unit.container_epc}: unpack it first; a "
            "packed unit does not go into a device"
        )
    check_custody(actor, unit.custodian_id, f"{field}: unit {name}")
    _check_own_stock(unit, actor, f"{field}: unit {name}")


def _check_own_stock(unit: UnitRecord, actor: Actor, what: str) -> None:
    """An assembly is made with the assembler's own stock, as a shipment is: a unit in
    another party's custody (shipped or allocated to it) is refused, whoever asks (a
    distributor may not assemble at all)."""
    if unit.custodian_id is not None and unit.custodian_id != actor.party_id:
        raise Conflict(
            f"{what} is in the custody of {unit.custodian_id}: an assembly uses only units "
            "in the assembler's own custody"
        )


def _device_consuming(uow: UnitOfWork, epc: str) -> str | None:
    """The device (or other output) of the latest transformation that consumed ``epc``."""
    for record in reversed(uow.events.naming([epc])):
        if record.type != TransformationEvent.type:
            continue
        document = uow.events.document(record.event_id) or {}
        if epc in (document.get("inputEPCList") or ()):
            outputs = document.get("outputEPCList") or ()
            return ", ".join(outputs) or None
    return None


def _check_quantity(quantity: object, field: str) -> None:
    """A lot component's quantity is a number (not a boolean, not a string) above 0 and at
    most :data:`MOST_OF_A_LOT`: checked before anything is looked up, for the API and the
    command line alike."""
    if isinstance(quantity, bool) or not isinstance(quantity, int | float):
        raise InvalidRequest(f"{field}: {quantity!r} is not a number")
    if not quantity > 0:
        raise InvalidRequest(f"{field}: {quantity} is not above 0")
    if not quantity <= MOST_OF_A_LOT:
        raise InvalidRequest(
            f"{field}: {quantity} is above {MOST_OF_A_LOT:_}, the most of a lot one assembly "
            "may use"
        )


def _lot_component(
    uow: UnitOfWork, context: Context, component: LotComponent, field: str, when: dt.datetime
) -> QuantityElement:
    """A lot component's quantity element; refused when its lot is not registered, is
    recalled or withdrawn, expired before the assembly's day, or is on hold as a lot."""
    product = context.product(parse_gtin(component.gtin, f"{field}.gtin"), f"{field}.gtin")
    registered = uow.lots.get(product.gtin, component.lot)
    lot_id = uow.lots.id_of(product.gtin, component.lot)
    if registered is None or lot_id is None:
        raise NotFound(f"{field}.lot: lot {component.lot} of {product.gtin} is not registered")
    name = f"lot {component.lot} of {product.gtin}"
    if registered.status is not LotStatus.RELEASED:
        raise Conflict(
            f"{field}: {name} is {registered.status}: a recalled or withdrawn lot does not "
            "go into a device"
        )
    if registered.expiry < when.date():
        raise Conflict(
            f"{field}: {name} expired on {registered.expiry.isoformat()}: an expired lot does "
            "not go into a device"
        )
    cause = uow.holds.lot_cause(lot_id)
    if cause is not None:
        raise Conflict(
            f"{field}: {name} is {hold_words(cause)}: a lot on hold may not be assembled into "
            "a device until a passing inspection of the lot releases it"
        )
    return QuantityElement(context.naming.lgtin(product.gtin, component.lot), component.quantity)
