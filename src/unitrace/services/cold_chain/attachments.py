"""What a sensor device was measuring when: attached to a container or a unit (any code the
registry reads), a location (a GLN) or a shipment (its shipping event's eventID), from a time
until another, or still. The target must exist; a device named for the first time is
registered, as an upload of its readings would (a logger is attached before its trip, and its
readings come after it).

A location is known when a party is registered at its GLN, the master data names it, or an
event names it as its read point or business location: a warehouse or a truck the registry
has seen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from unitrace.coldchain.instants import epoch_ms
from unitrace.epcis.cbv import BIZ_STEP, spellings
from unitrace.epcis.identifiers import GS1_RESOLVER
from unitrace.gs1 import Gln
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor
from unitrace.services.cold_chain.breaches import LotJudged, judge_targets
from unitrace.services.cold_chain.readings import FIRST_MS, LAST_MS, check_device
from unitrace.services.lifecycle.targets import Context, parse_gln, resolve
from unitrace.store.sensor_devices import (
    AttachmentRecord,
    DeviceRecord,
    ReadingsSummary,
    SensorDevices,
)
from unitrace.store.sensor_intake import SensorIntake
from unitrace.store.unit_of_work import UnitOfWork

_SHIPPING = spellings(BIZ_STEP, "shipping")


@dataclass(frozen=True, slots=True)
class Attached:
    """An attachment recorded, and the device's name."""

    device: str
    attachment: AttachmentRecord
    #: the lots with units where the device was attached, judged
    judged: tuple[LotJudged, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceView:
    """A device, what it was attached to (earliest first) and its readings in summary."""

    device: DeviceRecord
    attachments: tuple[AttachmentRecord, ...]
    readings: ReadingsSummary


def attach(
    uow: UnitOfWork,
    *,
    device: str,
    to: str | None = None,
    location: str | None = None,
    shipment: str | None = None,
    start: dt.datetime,
    end: dt.datetime | None = None,
    actor: Actor,
) -> Attached:
    """Attach ``device`` to exactly one of a container or unit (``to``), a location or a
    shipment, from ``start`` until ``end`` (None: still attached); audited."""
    check_device(device, "device")
    given = {"to": to, "location": location, "shipment": shipment}
    named = [field for field, value in given.items() if value is not None]
    if len(named) != 1:
        raise InvalidRequest(
            "to, location, shipment: give exactly one (a container or unit code, a GLN, or a "
            f"shipping event's eventID); {'none' if not named else ' and '.join(named)} given"
        )
    from_ms = epoch_ms(_aware(start, "from"))
    until_ms = None if end is None else epoch_ms(_aware(end, "until"))
    if until_ms is not None and until_ms <= from_ms:
        raise InvalidRequest(f"until: {end.isoformat() if end else ''} is not after from")
    kind, target = _target(uow, to, location, shipment)
    device_id = SensorIntake(uow.connection).device_ids([device])[device]
    record = SensorDevices(uow.connection).attach(
        device_id, kind, target, from_ms, until_ms, actor.name
    )
    uow.audit.record(
        actor.name,
        "sensor_device.attached",
        device,
        {"target_kind": kind, "target": target, "from_ms": from_ms, "until_ms": until_ms},
    )
    # readings may have come before the attachment said where the device was
    judged = judge_targets(uow, [(kind, target)], actor=actor)
    return Attached(device, record, tuple(judged))


def device_view(uow: UnitOfWork, device: str) -> DeviceView:
    """The device named ``device``, its attachments and its readings in summary."""
    devices = SensorDevices(uow.connection)
    found = devices.get(device)
    if found is None:
        raise NotFound(f"device: {device!r} is not a registered sensor device")
    return DeviceView(
        found, tuple(devices.attachments(found.id)), devices.readings_summary(found.id)
    )


def _target(
    uow: UnitOfWork, to: str | None, location: str | None, shipment: str | None
) -> tuple[str, str]:
    """The kind and stored form of what is attached to: a container's or unit's EPC, a GLN
    of 13 digits, or the shipping event's eventID."""
    if to is not None:
        context = Context.of(uow)
        targets = resolve(uow, context, [to], "to")
        if targets.containers:
            return "container", targets.containers[0].epc
        return "unit", targets.epcs[0]
    if location is not None:
        gln = parse_gln(location, "location")
        assert gln is not None
        if not _place_is_known(uow, gln):
            raise NotFound(
                f"location: GLN {gln.value} is neither a registered party's, nor in the master "
                "data, nor named by any event"
            )
        return "location", gln.value
    assert shipment is not None
    event = uow.events.get(shipment)
    if event is None:
        raise NotFound(f"shipment: no event has the eventID {shipment!r}")
    if event.biz_step not in _SHIPPING:
        raise InvalidRequest(
            f"shipment: event {shipment} is a {event.biz_step or 'step-less'} {event.type}, "
            "not a shipping event"
        )
    return "shipment", event.event_id


def _place_is_known(uow: UnitOfWork, gln: Gln) -> bool:
    naming = Context.of(uow).naming
    return SensorDevices(uow.connection).place_is_known(
        gln.value, {naming.sgln(gln), f"{GS1_RESOLVER}/414/{gln.value}"}
    )


def _aware(moment: dt.datetime, field: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidRequest(f"{field}: {moment.isoformat()} has no UTC offset (add Z or +hh:mm)")
    try:
        moment.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidRequest(
            f"{field}: {moment.isoformat()} falls off the calendar in UTC"
        ) from None
    if not FIRST_MS <= epoch_ms(moment) <= LAST_MS:
        # its millisecond rounds past the calendar's last
        raise InvalidRequest(f"{field}: {moment.isoformat()} falls off the calendar in UTC")
    return moment
