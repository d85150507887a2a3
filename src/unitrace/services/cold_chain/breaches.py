"""Judging lots and acting on the verdicts: every excursion a lot's units went through is
recorded once (by product, lot, device, what it was attached to and when it began), with the
verdict it led to and how many units it covered; a breach raises a ``temperature_excursion``
alert naming the container (or shipment, place or unit), the logger, the period and the peak,
and holds the units it covers, as a failed inspection does: an ObjectEvent ``holding`` /
``non_sellable_other`` names them, and shipping and dispensing are refused until a passing
inspection releases them. An allowed excursion is recorded and shown, without a hold.

Judging runs again whenever readings, attachments or sensor events come in: an excursion
already recorded is never recorded, alerted or held twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from unitrace.coldchain.exposure import Excursion, Source, Verdict
from unitrace.coldchain.instants import instant
from unitrace.epcis import Action, BizStep, Disposition, ObjectEvent
from unitrace.gs1 import Gln
from unitrace.registry.model import Actor
from unitrace.services.cold_chain.exposure import Chains, lot_groups
from unitrace.services.cold_chain.view import Exposure
from unitrace.services.lifecycle.holds import COLD_CHAIN
from unitrace.services.lifecycle.recording import all_or_nothing, record_event
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.targets import Context
from unitrace.services.trace.subjects import find_subject, unknown
from unitrace.services.verification.findings import AlertType
from unitrace.store.cold_chain_records import ExcursionKey, ExcursionRecords, lot_key
from unitrace.store.containment import (
    containers_named,
    event_pks_of,
    events_at,
    events_naming_any,
    lots_named,
)
from unitrace.store.events import UnitEpcs
from unitrace.store.held_epcs import unit_uri_prefixes
from unitrace.store.sensor_intake import SensorIntake
from unitrace.store.times import now
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import UnitKeys

#: The order verdicts are told in: the worst first, the units not judged last.
VERDICT_ORDER: Final = ("breach", "allowed_excursion", "within", None)

#: How deep containers are followed down from a device's target to the units inside.
_DEPTH: Final = 8


@dataclass(frozen=True, slots=True)
class LotJudged:
    """A lot judged: its units by verdict, the excursions first recorded now (of them,
    breaches), the units put on hold and the alerts raised."""

    gtin: str
    lot: str
    units: int
    verdicts: dict[str | None, int]
    excursions: int
    breaches: int
    held: int
    alerts: tuple[int, ...]


@dataclass(slots=True)
class _Found:
    """An excursion as the groups of a lot's units went through it."""

    excursion: Excursion
    verdict: Verdict
    units: int = 0
    serials: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def judge_lot(
    uow: UnitOfWork,
    *,
    product_id: int,
    lot_id: int,
    actor: Actor,
    chains: Chains | None = None,
) -> LotJudged:
    """Judge every unit of a lot and act on the verdicts."""
    gtin, lot = lot_key(uow.connection, lot_id)
    chains = chains or Chains(uow)
    _, shared = lot_groups(uow, chains, product_id=product_id, lot_id=lot_id, gtin=gtin, lot=lot)
    verdicts: dict[str | None, int] = {}
    found: dict[tuple[Source, int], _Found] = {}
    for exposure, serials in shared:
        verdict = exposure.judgement.verdict
        key = verdict.value if verdict is not None else None
        verdicts[key] = verdicts.get(key, 0) + len(serials)
        if verdict is None or verdict is Verdict.WITHIN:
            continue
        excursions = _excursions_of(exposure)
        for excursion in excursions:
            slot = found.setdefault(
                (excursion.source, excursion.start_ms),
                _Found(excursion, Verdict.ALLOWED_EXCURSION),
            )
            slot.units += len(serials)
            if verdict is Verdict.BREACH and _breaches(excursion, excursions):
                slot.verdict = Verdict.BREACH
                slot.serials.extend(serials)
                slot.reasons.extend(
                    reason for reason in exposure.judgement.reasons if reason not in slot.reasons
                )
    verdicts = {key: verdicts[key] for key in VERDICT_ORDER if key in verdicts}
    if not found:
        return LotJudged(gtin, lot, sum(verdicts.values()), verdicts, 0, 0, 0, ())
    at = now()
    records = ExcursionRecords(uow.connection)
    devices = SensorIntake(uow.connection).known(
        sorted({slot.excursion.source.device for slot in found.values()})
    )
    keyed = [(_key(product_id, lot_id, devices, slot.excursion), slot) for slot in found.values()]
    known = records.known([record_key for record_key, _ in keyed])
    # an excursion recorded as allowed that is now part of a breach (the conditions made
    # stricter, the excursion grown) is acted on now
    new = [(record_key, slot) for record_key, slot in keyed if _anew(slot, known.get(record_key))]
    breaches = [slot for _, slot in new if slot.verdict is Verdict.BREACH]
    to_hold = sorted({serial for slot in breaches for serial in slot.serials})
    held = len(to_hold)
    alerts: list[int] = []
    with all_or_nothing(uow):
        event_id = _hold(uow, actor, product_id, to_hold, at) if to_hold else None
        for record_key, slot in new:
            record_id = records.add(
                record_key,
                end_ms=slot.excursion.end_ms,
                peak_c=slot.excursion.peak_c,
                minutes=slot.excursion.minutes,
                verdict=slot.verdict.value,
                units=slot.units,
                held=slot.verdict is Verdict.BREACH,
                details={
                    "allowed": slot.excursion.allowed,
                    "reasons": slot.reasons,
                    "hold_event_id": event_id if slot.verdict is Verdict.BREACH else None,
                },
                at=at,
                recorded=record_key in known,
            )
            if slot.verdict is Verdict.BREACH:
                alert_id = _alert(uow, record_id, slot, gtin, lot, product_id, event_id, at)
                records.set_alert(record_id, alert_id)
                alerts.append(alert_id)
    uow.audit.record(
        actor.name,
        "cold_chain.judged",
        f"{gtin}/{lot}",
        {
            "units": sum(verdicts.values()),
            "verdicts": {str(key): count for key, count in verdicts.items()},
            "excursions": len(new),
            "breaches": len(breaches),
            "held": held,
            "alerts": alerts,
        },
    )
    return LotJudged(
        gtin,
        lot,
        sum(verdicts.values()),
        verdicts,
        len(new),
        len(breaches),
        held,
        tuple(alerts),
    )


def _breaches(excursion: Excursion, excursions: Sequence[Excursion]) -> bool:
    """Whether ``excursion`` is what made its units' exposure a breach: it went beyond the
    excursion band, or every excursion stayed within it and the breach is theirs together (the
    minutes out of the band added up, or the mean kinetic temperature they raised)."""
    return not excursion.allowed or all(found.allowed for found in excursions)


def _anew(slot: _Found, recorded: str | None) -> bool:
    """Whether an excursion is to be recorded and acted on: never recorded, or recorded as
    allowed and now part of a breach."""
    return recorded is None or (slot.verdict is Verdict.BREACH and recorded != Verdict.BREACH.value)


def _excursions_of(exposure: Exposure) -> list[Excursion]:
    """The excursions of a judged exposure; a breach by its mean kinetic temperature alone is
    told as one over the whole of its warmest stretch's time."""
    judged = exposure.judgement
    if judged.excursions or judged.verdict is not Verdict.BREACH or not judged.periods:
        return list(judged.excursions)
    first, last = judged.periods[0], judged.periods[-1]
    return [
        Excursion(
            first.start_ms,
            last.end_ms,
            judged.max_c if judged.max_c is not None else 0.0,
            0.0,
            max(judged.periods, key=lambda period: period.readings).source,
            False,
        )
    ]


def _key(
    product_id: int, lot_id: int, devices: dict[str, int], excursion: Excursion
) -> ExcursionKey:
    source = excursion.source
    return ExcursionKey(
        product_id, lot_id, devices[source.device], source.kind, source.target, excursion.start_ms
    )


def _hold(
    uow: UnitOfWork,
    actor: Actor,
    product_id: int,
    serials: Sequence[str],
    at: dt.datetime,
) -> str:
    """Hold ``serials`` of the product: one ObjectEvent ``holding`` naming them, and a hold
    each. The event's ID."""
    context = Context.of(uow)
    selection = UnitKeys(tuple((product_id, serial) for serial in serials))
    event = ObjectEvent(
        event_time=at,
        action=Action.OBSERVE,
        epc_list=(),
        biz_step=BizStep.HOLDING,
        disposition=Disposition.NON_SELLABLE_OTHER,
    )
    record = record_event(
        uow,
        event,
        None,
        actor=actor,
        party_id=None,
        units_named=[UnitEpcs(selection, context.naming)],
    )
    uow.holds.place(selection, cause=COLD_CHAIN, scope="unit", event_id=record.event_id, at=at)
    return record.event_id


def _alert(
    uow: UnitOfWork,
    record_id: int,
    slot: _Found,
    gtin: str,
    lot: str,
    product_id: int,
    event_id: str | None,
    at: dt.datetime,
) -> int:
    excursion = slot.excursion
    source = excursion.source
    evidence: dict[str, Any] = {
        "target_kind": source.kind,
        "target": source.target,
        "container": source.target if source.kind == "container" else None,
        "device": source.device,
        "period": {
            "from": _iso(excursion.start_ms),
            "until": _iso(excursion.end_ms),
        },
        "peak_c": round(excursion.peak_c, 3),
        "minutes": round(excursion.minutes, 2),
        "units": slot.units,
        "units_held": len(set(slot.serials)),
        "reasons": slot.reasons,
        "hold_event_id": event_id,
        "excursion_id": record_id,
    }
    return uow.alerts.add(
        type=AlertType.TEMPERATURE_EXCURSION.value,
        subject=f"excursion:{record_id}",
        at=at,
        evidence=evidence,
        product_id=product_id,
        gtin=gtin,
        lot=lot,
    )


def _iso(at_ms: int) -> str:
    return instant(at_ms).isoformat().replace("+00:00", "Z")


def lots_behind(uow: UnitOfWork, targets: Iterable[tuple[str, str]]) -> set[tuple[int, int]]:
    """The (product, lot) of every unit that was in, on or at ``targets`` (kind, target): a
    unit, the units a container held at any depth, a shipment moved, or a place's events
    named."""
    connection = uow.connection
    context = Context.of(uow)
    prefixes = unit_uri_prefixes(connection)
    pks: set[int] = set()
    frontier: set[str] = set()
    for kind, target in targets:
        if kind in ("unit", "container"):
            frontier.add(target)
        elif kind == "shipment":
            pks |= event_pks_of(connection, [target])
        elif kind == "location":
            pks |= events_at(connection, [context.naming.sgln(Gln(target))])
    seen: set[str] = set()
    for _ in range(_DEPTH):
        frontier -= seen
        if not frontier:
            break
        seen |= frontier
        named = events_naming_any(connection, frontier)
        pks |= named
        frontier = containers_named(connection, named)
    pks |= events_naming_any(connection, {target for kind, target in targets if kind == "unit"})
    return lots_named(connection, pks, prefixes)


def judge_targets(
    uow: UnitOfWork, targets: Iterable[tuple[str, str]], *, actor: Actor
) -> list[LotJudged]:
    """Judge every lot with units in, on or at ``targets``: after readings or an attachment
    came in for them."""
    chains = Chains(uow)
    return [
        judge_lot(uow, product_id=product_id, lot_id=lot_id, actor=actor, chains=chains)
        for product_id, lot_id in sorted(lots_behind(uow, targets))
    ]


def judge_devices(
    uow: UnitOfWork, device_ids: Iterable[int], *, from_ms: int, until_ms: int, actor: Actor
) -> list[LotJudged]:
    """Judge every lot whose units were where ``device_ids`` measured from ``from_ms`` to
    ``until_ms``: after their readings came in."""
    records = ExcursionRecords(uow.connection)
    targets = records.targets_of(device_ids, from_ms=from_ms, until_ms=until_ms)
    if not targets:
        return []
    return judge_targets(uow, targets, actor=actor)


def judge_sensor_events(
    uow: UnitOfWork, event_ids: Sequence[str], *, actor: Actor
) -> list[LotJudged]:
    """Judge every lot with units where the sensor data of the events ``event_ids`` was
    measured: after a partner's EPCIS events with sensor data were captured."""
    if not event_ids:
        return []
    records = ExcursionRecords(uow.connection)
    targets = records.targets_of_events(event_pks_of(uow.connection, event_ids))
    if not targets:
        return []
    return judge_targets(uow, targets, actor=actor)


def judge_code(uow: UnitOfWork, *, code: str, actor: Actor) -> list[LotJudged]:
    """Judge the lot of a unit, the lots of a container's units or a lot, now: after a
    product's storage conditions changed, say (admin only)."""
    allow(actor, "judge_cold_chain")
    context = Context.of(uow)
    subject = find_subject(uow, context, code=code, actor=actor)
    if subject.kind == "lot":
        if subject.product_id is None or subject.lot_id is None:
            raise unknown(subject.code)
        lots = {(subject.product_id, subject.lot_id)}
    else:
        lots = lots_behind(uow, [(subject.kind, subject.epc)])
    chains = Chains(uow)
    return [
        judge_lot(uow, product_id=product_id, lot_id=lot_id, actor=actor, chains=chains)
        for product_id, lot_id in sorted(lots)
    ]
