"""A recall as its parties and the brand read it: what it affects (by state, region and
party), each party's answer, and how much is recovered — counted from events, never from the
numbers parties type.

A distributor reads only its own line: the units it held when the recall was opened, its
answer; another party's recall, or one it has no task in, is unknown to it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from unitrace.registry.errors import NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.lifecycle.rules import allow
from unitrace.services.trace.forward import UNKNOWN_PLACE
from unitrace.store.reached_units import ReachedSet, ReachedUnits
from unitrace.store.recalls import RecallRecord, RecallUnitRow, RecoveryTally, TaskRecord
from unitrace.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class PartyLine:
    """A party's task: the units it held when the recall was opened, its latest answer, what
    events show it recovered, and whether it is overdue."""

    party: str
    units: int
    acknowledged: bool
    on_hand: int
    returned: int
    destroyed: int
    completed: bool
    note: str | None
    answered_at: dt.datetime | None
    recovered: int
    overdue: bool
    notice: str


@dataclass(frozen=True, slots=True)
class Affected:
    units: int
    by_state: dict[str, int]
    by_region: dict[str, int]
    by_custodian: tuple[PartyLine, ...]
    #: the units not recovered, by the region of their last known place
    out_by_region: dict[str, int]


@dataclass(frozen=True, slots=True)
class Recovered:
    units: int
    percent: float
    returned: int
    destroyed: int
    consumed: int


@dataclass(frozen=True, slots=True)
class RecallProgress:
    id: int
    status: str
    reason: str
    instructions: str
    classification: str | None
    markets: tuple[str, ...]
    scope: dict[str, Any]
    created_at: dt.datetime
    created_by: str
    respond_by: dt.datetime
    closed_at: dt.datetime | None
    close_reason: str | None
    event_id: str
    affected: Affected
    recovered: Recovered


def find_recall(uow: UnitOfWork, recall_id: int, actor: Actor) -> RecallRecord:
    """The recall as ``actor`` may read it: :class:`NotFound` for one that does not exist,
    or, for a distributor, one in which it has no task."""
    allow(actor, "view")
    recall = uow.recalls.get(recall_id)
    if recall is None or (
        actor.role is Role.DISTRIBUTOR and uow.recalls.task(recall_id, str(actor.party_id)) is None
    ):
        raise NotFound(f"recall {recall_id} does not exist")
    return recall


def recall_progress(
    uow: UnitOfWork, recall_id: int, actor: Actor, *, now: dt.datetime | None = None
) -> RecallProgress:
    """The recall ``recall_id``, as ``actor`` may read it."""
    recall = find_recall(uow, recall_id, actor)
    return progress_of(uow, recall, actor, now=now)


def list_recalls(
    uow: UnitOfWork, actor: Actor, *, now: dt.datetime | None = None
) -> list[RecallProgress]:
    """Every recall ``actor`` may read, newest first."""
    allow(actor, "view")
    party = actor.party_id if actor.role is Role.DISTRIBUTOR else None
    return [progress_of(uow, recall, actor, now=now) for recall in uow.recalls.all(party_id=party)]


def progress_of(
    uow: UnitOfWork, recall: RecallRecord, actor: Actor, *, now: dt.datetime | None = None
) -> RecallProgress:
    party = actor.party_id if actor.role is Role.DISTRIBUTOR else None
    at = now or dt.datetime.now(dt.UTC)
    tallies = uow.recalls.tallies(recall, party_id=party)
    tasks = uow.recalls.tasks(recall.id, party_id=party)
    affected = sum(tally.units for tally in tallies)
    by_state: Counter[str] = Counter()
    recovered_by: Counter[str | None] = Counter()
    for tally in tallies:
        by_state[tally.state] += tally.units
        recovered_by[tally.party_id] += tally.returned + tally.destroyed + tally.consumed
    returned = sum(tally.returned for tally in tallies)
    destroyed = sum(tally.destroyed for tally in tallies)
    consumed = sum(tally.consumed for tally in tallies)
    recovered = returned + destroyed + consumed
    lines = tuple(_line(task, recovered_by[task.party_id], recall, at) for task in tasks)
    return RecallProgress(
        id=recall.id,
        status=recall.status,
        reason=recall.reason,
        instructions=recall.instructions,
        classification=recall.classification,
        markets=recall.markets,
        # a party reads which lots are recalled, not the brand's own units and suppliers' lots
        # named, nor who at the brand opened it
        scope=recall.scope if party is None else {"lots": recall.scope.get("lots", [])},
        created_at=recall.created_at,
        created_by=recall.created_by if party is None else "the brand",
        respond_by=recall.respond_by,
        closed_at=recall.closed_at,
        close_reason=recall.close_reason,
        event_id=recall.event_id,
        affected=Affected(
            units=affected,
            by_state=_sorted(by_state),
            by_region=_sorted(_regions(uow, tallies)),
            by_custodian=lines,
            out_by_region=_sorted(_regions(uow, tallies, out=True)),
        ),
        recovered=Recovered(
            units=recovered,
            percent=round(100 * recovered / affected, 1) if affected else 0.0,
            returned=returned,
            destroyed=destroyed,
            consumed=consumed,
        ),
    )


def recall_rows(uow: UnitOfWork, recall_id: int, actor: Actor) -> Iterator[RecallUnitRow]:
    """Every affected unit ``actor`` may see, one row each, read as the caller goes;
    refusals are raised before the first row."""
    recall = find_recall(uow, recall_id, actor)
    party = actor.party_id if actor.role is Role.DISTRIBUTOR else None
    return uow.recalls.rows(recall, party_id=party)


def is_overdue(task: TaskRecord, recall: RecallRecord, at: dt.datetime) -> bool:
    """A task is overdue when its party has not acknowledged it by the recall's deadline,
    while the recall is open."""
    return recall.status == "open" and not task.acknowledged and at > recall.respond_by


def _line(task: TaskRecord, recovered: int, recall: RecallRecord, at: dt.datetime) -> PartyLine:
    return PartyLine(
        party=task.party_id,
        units=task.units,
        acknowledged=task.acknowledged,
        on_hand=task.on_hand,
        returned=task.returned,
        destroyed=task.destroyed,
        completed=task.completed,
        note=task.note,
        answered_at=task.answered_at,
        recovered=recovered,
        overdue=is_overdue(task, recall, at),
        notice=task.notice_status,
    )


def _regions(uow: UnitOfWork, tallies: list[RecoveryTally], *, out: bool = False) -> Counter[str]:
    """Units (``out``: those not recovered) by the region of their last known place, as a
    forward trace tells it."""
    reads = ReachedUnits(uow.connection, ReachedSet())
    areas = reads.areas([t.location_gln for t in tallies if t.location_gln is not None])
    held_in = reads.party_areas([t.custodian for t in tallies if t.custodian is not None])
    regions: Counter[str] = Counter()
    for tally in tallies:
        area = areas.get(tally.location_gln or "") or held_in.get(tally.custodian or "")
        recovered = tally.returned + tally.destroyed + tally.consumed if out else 0
        if tally.units - recovered:
            regions[area or UNKNOWN_PLACE] += tally.units - recovered
    return regions


def _sorted(counts: Counter[str]) -> dict[str, int]:
    """Largest first, ties by name."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
