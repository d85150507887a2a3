"""Opening a recall: its scope traced to every affected unit and blocked in one transaction.

Every affected unit that is not terminal becomes ``recalled``, recorded by one ObjectEvent
OBSERVE with disposition ``recalled`` naming the units it moved; the registered lots the
scope names are marked recalled too (as ``POST /api/lots/…/status`` would); every party
holding affected units gets a task. It is irreversible, as the EU FMD requires of a recall:
nothing undoes it, and a recalled unit may only be destroyed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Final

from unitrace.epcis import ObjectEvent
from unitrace.registry.errors import Conflict, InvalidRequest
from unitrace.registry.model import Actor, LotStatus, UnitState
from unitrace.registry.states import sources
from unitrace.services.lifecycle.recording import all_or_nothing, record_state_change
from unitrace.services.lifecycle.rules import allow
from unitrace.services.lifecycle.state_changes import STATE_EVENTS
from unitrace.services.lifecycle.targets import Context, time_of
from unitrace.services.recall.scope import reach, read_scope
from unitrace.store.recalls import OPEN
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import LotRange, UnitKeys, UnitSelection

#: The FDA's recall classes: I (serious harm likely), II (remote), III (unlikely).
CLASSIFICATIONS: Final = ("I", "II", "III")
#: How long a party has to acknowledge its task, unless the recall says.
RESPOND_WITHIN_HOURS: Final = 24
#: The longest a recall may give a party to acknowledge it: 30 days.
MOST_HOURS: Final = 720
_MARKET: Final = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
#: What a scope reaching no unit is told.
#: how far past the clock a recall's time may be (the caller's clock may run ahead a little)
LEEWAY: Final = dt.timedelta(minutes=5)
ALREADY_RECALLED: Final = (
    "scope: every unit it reaches is recalled already (or destroyed, dispensed or made into "
    "another product): the recall that recalled them is followed through (GET /api/recalls)"
)
NOTHING_TO_RECALL: Final = (
    "scope: reaches no unit on a pack (no commissioned unit of these lots, codes or component "
    "lots): there is nothing to recall"
)
#: The states a recall moves units from: every state of a commissioned unit not terminal.
_BLOCKED_FROM: Final = sources(UnitState.RECALLED) - {UnitState.ISSUED}


def open_recall(
    uow: UnitOfWork,
    *,
    scope: object,
    reason: str,
    instructions: str,
    actor: Actor,
    classification: str | None = None,
    markets: Sequence[str] = (),
    respond_within_hours: int | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Open a recall of what ``scope`` reaches; its id. :class:`InvalidRequest` for a scope
    reaching no unit (nothing is written), :class:`NotFound` for an entry unitrace does not
    know."""
    allow(actor, "recall")
    when = time_of(at)
    if when > dt.datetime.now(dt.UTC) + LEEWAY:
        raise InvalidRequest(f"at: {when.isoformat()} is in the future; a recall opens now")
    reason, instructions = _text(reason, "reason"), _text(instructions, "instructions")
    if classification is not None and classification not in CLASSIFICATIONS:
        raise InvalidRequest(f"classification: {classification!r} is not I, II or III")
    chosen_markets = _markets(markets)
    hours = RESPOND_WITHIN_HOURS if respond_within_hours is None else respond_within_hours
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MOST_HOURS:
        raise InvalidRequest(f"respond_within_hours: must be a whole number 1…{MOST_HOURS}")
    asked = read_scope(scope)
    context = Context.of(uow)
    found = reach(uow, context, asked)
    with all_or_nothing(uow):
        recall_id = uow.recalls.add(
            status=OPEN,
            reason=reason,
            instructions=instructions,
            classification=classification,
            markets=list(chosen_markets),
            scope=asked.as_json(),
            units=0,
            event_id="",
            event_pk=0,
            created_at=when,
            created_by=actor.name,
            respond_by=when + dt.timedelta(hours=hours),
        )
        affected = (
            uow.recalls.add_units(recall_id, found.units) if not found.units.reached.empty else 0
        )
        if affected == 0:
            raise InvalidRequest(NOTHING_TO_RECALL)
        uow.recalls.set_units(recall_id, affected)
        uow.recalls.count_anew()
        words = STATE_EVENTS[UnitState.RECALLED]
        event = ObjectEvent(
            event_time=when,
            action=words.action,
            biz_step=words.biz_step,
            disposition=words.disposition,
        )
        record, moved = record_state_change(
            uow,
            context,
            event,
            _selections(uow, recall_id, found.units.reached.lot_ids),
            actor=actor,
            to=UnitState.RECALLED,
            from_states=_BLOCKED_FROM,
            when=when,
            location_gln=None,
            named_states=_BLOCKED_FROM,
        )
        if not moved:
            # every unit it reaches is recalled already, or at its end
            raise Conflict(ALREADY_RECALLED)
        uow.recalls.blocked_by(recall_id, record.event_id)
        for lot_id in found.lot_ids:
            status = uow.lots.status_of(lot_id)
            if status is LotStatus.RELEASED:
                uow.lots.set_status(lot_id, LotStatus.RECALLED, reason)
        tasks = uow.recalls.add_tasks(recall_id)
    uow.audit.record(
        actor.name,
        "recall.opened",
        str(recall_id),
        {
            "scope": asked.as_json(),
            "reason": reason,
            "units": affected,
            "blocked": moved,
            "tasks": tasks,
            "event_id": record.event_id,
        },
    )
    return recall_id


def affected_count(uow: UnitOfWork, *, scope: object, actor: Actor) -> int:
    """How many units a recall of ``scope`` would affect, writing nothing: what the console
    shows before the recall is confirmed."""
    allow(actor, "recall")
    found = reach(uow, Context.of(uow), read_scope(scope))
    count = uow.recalls.count_on_a_pack(found.units)
    if count == 0:
        raise InvalidRequest(NOTHING_TO_RECALL)
    return count


def _selections(uow: UnitOfWork, recall_id: int, lot_ids: Sequence[int]) -> list[UnitSelection]:
    """The affected units as selections: whole lots by seq range, the rest by key."""
    chosen: list[UnitSelection] = []
    for lot_id, (product_id, issued) in sorted(uow.recalls.lot_sizes(lot_ids).items()):
        if issued > 0:
            chosen.append(LotRange(product_id, lot_id, 1, issued))
    keys = uow.recalls.keys_outside(recall_id, lot_ids)
    if keys:
        chosen.append(UnitKeys(tuple(keys)))
    return chosen


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{field}: must not be empty")
    if len(value) > 4_000:
        raise InvalidRequest(f"{field}: at most 4,000 characters")
    return value.strip()


def _markets(markets: Sequence[str]) -> tuple[str, ...]:
    if isinstance(markets, str):
        raise InvalidRequest("markets: must be a list of ISO 3166 codes")
    chosen: list[str] = []
    for index, market in enumerate(markets):
        if not isinstance(market, str) or _MARKET.fullmatch(market) is None:
            raise InvalidRequest(
                f"markets[{index}]: {market!r} is not an ISO 3166-1 or 3166-2 code (SG, MY-14)"
            )
        chosen.append(market)
    return tuple(dict.fromkeys(chosen))
