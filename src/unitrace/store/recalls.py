"""Recalls in the database: the recall, the units it reached (written by one INSERT … SELECT
per product, however many), the task of each party holding them, the parties' answers, and
the reads of its progress, each one grouped statement over the recall's units.

A unit counts as recovered from what happened to it, never from a number typed in: it is
``destroyed`` (its state now), ``returned`` (a receiving event the brand recorded after the
recall named it, alone or inside a container), or ``consumed`` (dispensed, sold or made into
another product before the recall, as its state then says).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    false,
    func,
    insert,
    literal,
    select,
    text,
    update,
)

from unitrace.epcis.cbv import BIZ_STEP, spellings
from unitrace.store.held_epcs import unit_epc
from unitrace.store.reached_units import ReachedUnits
from unitrace.store.schema import (
    epcis_events,
    event_epcs,
    lots,
    parties,
    products,
    recall_responses,
    recall_tasks,
    recall_units,
    recalls,
    units,
)
from unitrace.store.times import utc

#: The receiving step, in every spelling an event may hold it.
RECEIVING_STEPS = tuple(sorted(spellings(BIZ_STEP, "receiving")))
#: States a unit was in before the recall that say it was used already.
CONSUMED_STATES = ("supplied", "checked_out")
#: States a recall does not reach: serials never applied to a pack.
NOT_ON_A_PACK = ("issued", "voided")
OPEN = "open"
CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class RecallRecord:
    id: int
    status: str
    reason: str
    instructions: str
    classification: str | None
    markets: tuple[str, ...]
    scope: dict[str, Any]
    units: int
    event_id: str
    event_pk: int
    created_at: dt.datetime
    created_by: str
    respond_by: dt.datetime
    closed_at: dt.datetime | None
    closed_by: str | None
    close_reason: str | None


@dataclass(frozen=True, slots=True)
class TaskRecord:
    party_id: str
    units: int
    acknowledged: bool
    on_hand: int
    returned: int
    destroyed: int
    completed: bool
    note: str | None
    answered_at: dt.datetime | None
    notice_status: str
    notice_detail: str | None


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    party_id: str
    at: dt.datetime
    by: str
    acknowledged: bool
    on_hand: int
    returned: int
    destroyed: int
    completed: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class RecoveryTally:
    """Affected units sharing a holder at the recall, a state, a custodian and a place now,
    with how many of them are recovered and how."""

    party_id: str | None
    state: str
    custodian: str | None
    location_gln: str | None
    units: int
    returned: int
    destroyed: int
    consumed: int


@dataclass(frozen=True, slots=True)
class RecallUnitRow:
    """One affected unit as the CSV lists it."""

    gtin: str
    serial: str
    lot: str
    state: str
    held_at_recall: str | None
    custodian: str | None
    last_place: str | None
    recovered: str | None


@dataclass(frozen=True, slots=True)
class RecallNotice:
    """What a scan and the linkset say of a recall."""

    id: int
    reason: str
    instructions: str


class RecallRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, **values: Any) -> int:
        found = self.connection.execute(insert(recalls).values(**values).returning(recalls.c.id))
        return int(found.scalar_one())

    def blocked_by(self, recall_id: int, event_id: str) -> None:
        """Record the event that blocked the recall's units."""
        event_pk = self.connection.execute(
            select(epcis_events.c.id).where(epcis_events.c.event_id == event_id)
        ).scalar_one()
        self.connection.execute(
            update(recalls)
            .where(recalls.c.id == recall_id)
            .values(event_id=event_id, event_pk=int(event_pk))
        )

    def count_anew(self) -> None:
        """Have PostgreSQL's planner count the recalls' units again, once a recall has added
        its own (a lot's 100,000 at once): read by its estimate of some hundred, its progress
        looks each of them up in turn instead of walking them with the units, side by side."""
        if self.connection.dialect.name == "postgresql":
            self.connection.execute(text("ANALYZE recall_units"))

    def set_units(self, recall_id: int, units_count: int) -> None:
        self.connection.execute(
            update(recalls).where(recalls.c.id == recall_id).values(units=units_count)
        )

    def keys_outside(self, recall_id: int, lot_ids: Sequence[int]) -> list[tuple[int, str]]:
        """The affected units that are not of ``lot_ids``, by key."""
        query = select(recall_units.c.product_id, recall_units.c.serial).where(
            recall_units.c.recall_id == recall_id
        )
        if lot_ids:
            query = query.where(recall_units.c.lot_id.not_in(lot_ids))
        return [(int(p), str(s)) for p, s in self.connection.execute(query)]

    def lot_sizes(self, lot_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """The product and the last seq issued of each of ``lot_ids``."""
        rows = self.connection.execute(
            select(lots.c.id, lots.c.product_id, lots.c.issued).where(lots.c.id.in_(lot_ids))
        )
        return {int(i): (int(p), int(n)) for i, p, n in rows}

    def add_units(self, recall_id: int, reached: ReachedUnits) -> int:
        """Write every unit of ``reached`` that is on a pack as affected by the recall, with
        its EPC, holder and state now: one INSERT … SELECT per product; how many."""
        for product_id, prefix, escapes in reached.prefixes:
            chosen = select(
                literal(recall_id),
                units.c.product_id,
                units.c.serial,
                units.c.lot_id,
                unit_epc(prefix, escapes),
                units.c.custodian_id,
                units.c.state,
            ).where(
                units.c.product_id == product_id,
                reached.condition(),
                units.c.state.not_in(NOT_ON_A_PACK),
            )
            self.connection.execute(
                insert(recall_units).from_select(
                    [
                        "recall_id",
                        "product_id",
                        "serial",
                        "lot_id",
                        "epc",
                        "party_id",
                        "state_before",
                    ],
                    chosen,
                )
            )
        # (a driver may not count the rows an INSERT … SELECT wrote)
        return int(
            self.connection.execute(
                select(func.count()).where(recall_units.c.recall_id == recall_id)
            ).scalar_one()
        )

    def count_on_a_pack(self, reached: ReachedUnits) -> int:
        """How many units of ``reached`` a recall would affect (those on a pack)."""
        if reached.reached.empty:
            return 0
        return int(
            self.connection.execute(
                select(func.count()).where(reached.condition(), units.c.state.not_in(NOT_ON_A_PACK))
            ).scalar_one()
        )

    def add_tasks(self, recall_id: int) -> int:
        """A task for every party holding affected units; how many."""
        held = (
            select(
                recall_units.c.recall_id,
                recall_units.c.party_id,
                func.count(),
                false(),
                literal(0),
                literal(0),
                literal(0),
                false(),
                literal("pending"),
            )
            .where(recall_units.c.recall_id == recall_id, recall_units.c.party_id.is_not(None))
            .group_by(recall_units.c.recall_id, recall_units.c.party_id)
        )
        self.connection.execute(
            insert(recall_tasks).from_select(
                [
                    "recall_id",
                    "party_id",
                    "units",
                    "acknowledged",
                    "on_hand",
                    "returned",
                    "destroyed",
                    "completed",
                    "notice_status",
                ],
                held,
            )
        )
        return int(
            self.connection.execute(
                select(func.count()).where(recall_tasks.c.recall_id == recall_id)
            ).scalar_one()
        )

    def get(self, recall_id: int, *, for_update: bool = False) -> RecallRecord | None:
        query = select(recalls).where(recalls.c.id == recall_id)
        if for_update:
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        return None if row is None else _recall(row)

    def all(self, *, party_id: str | None = None) -> list[RecallRecord]:
        """Every recall, newest first; only those with a task of ``party_id``, where given."""
        query = select(recalls).order_by(recalls.c.id.desc())
        if party_id is not None:
            query = query.where(
                recalls.c.id.in_(
                    select(recall_tasks.c.recall_id).where(recall_tasks.c.party_id == party_id)
                )
            )
        return [_recall(row) for row in self.connection.execute(query)]

    def tasks(self, recall_id: int, *, party_id: str | None = None) -> list[TaskRecord]:
        query = select(recall_tasks).where(recall_tasks.c.recall_id == recall_id)
        if party_id is not None:
            query = query.where(recall_tasks.c.party_id == party_id)
        rows = self.connection.execute(query.order_by(recall_tasks.c.party_id))
        return [_task(row) for row in rows]

    def task(self, recall_id: int, party_id: str, *, for_update: bool = False) -> TaskRecord | None:
        query = select(recall_tasks).where(
            recall_tasks.c.recall_id == recall_id, recall_tasks.c.party_id == party_id
        )
        if for_update:
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        return None if row is None else _task(row)

    def answer(
        self, recall_id: int, party_id: str, at: dt.datetime, by: str, **values: Any
    ) -> None:
        """Record a party's answer, and make it its task's latest."""
        self.connection.execute(
            insert(recall_responses).values(
                recall_id=recall_id, party_id=party_id, at=at, by=by, **values
            )
        )
        self.connection.execute(
            update(recall_tasks)
            .where(recall_tasks.c.recall_id == recall_id, recall_tasks.c.party_id == party_id)
            .values(answered_at=at, **values)
        )

    def set_endpoint(self, party_id: str, url: str | None, token: str | None) -> bool:
        """Set a party's recall endpoint and signing token; False for an unknown party."""
        result = self.connection.execute(
            update(parties)
            .where(parties.c.id == party_id)
            .values(recall_endpoint=url, recall_signature_token=token)
        )
        return int(result.rowcount or 0) == 1

    def endpoints(self, recall_id: int) -> list[tuple[str, str | None, str | None]]:
        """Each party with a task in the recall, with its endpoint and signing token."""
        rows = self.connection.execute(
            select(
                recall_tasks.c.party_id, parties.c.recall_endpoint, parties.c.recall_signature_token
            )
            .select_from(recall_tasks.outerjoin(parties, parties.c.id == recall_tasks.c.party_id))
            .where(recall_tasks.c.recall_id == recall_id)
            .order_by(recall_tasks.c.party_id)
        )
        return [(party, url, token) for party, url, token in rows]

    def noticed(self, recall_id: int, party_id: str, status: str, detail: str | None) -> None:
        self.connection.execute(
            update(recall_tasks)
            .where(recall_tasks.c.recall_id == recall_id, recall_tasks.c.party_id == party_id)
            .values(notice_status=status, notice_detail=detail, notified_at=func.now())
        )

    def responses(self, recall_id: int, *, party_id: str | None = None) -> list[ResponseRecord]:
        query = select(recall_responses).where(recall_responses.c.recall_id == recall_id)
        if party_id is not None:
            query = query.where(recall_responses.c.party_id == party_id)
        rows = self.connection.execute(query.order_by(recall_responses.c.at, recall_responses.c.id))
        return [
            ResponseRecord(
                row.party_id,
                utc(row.at),
                row.by,
                bool(row.acknowledged),
                int(row.on_hand),
                int(row.returned),
                int(row.destroyed),
                bool(row.completed),
                row.note,
            )
            for row in rows
        ]

    def close(self, recall_id: int, at: dt.datetime, by: str, reason: str) -> bool:
        """Close an open recall; False when it was closed already."""
        result = self.connection.execute(
            update(recalls)
            .where(recalls.c.id == recall_id, recalls.c.status == OPEN)
            .values(status=CLOSED, closed_at=at, closed_by=by, close_reason=reason)
        )
        return int(result.rowcount or 0) == 1

    def tallies(self, recall: RecallRecord, *, party_id: str | None = None) -> list[RecoveryTally]:
        """The recall's units counted by holder at the recall, state, custodian and place
        now, with how many are recovered and how; only ``party_id``'s, where given."""
        kind = _recovery(recall)
        query = (
            select(
                recall_units.c.party_id,
                units.c.state,
                units.c.custodian_id,
                units.c.location_gln,
                func.count(),
                func.sum(case((kind == "returned", 1), else_=0)),
                func.sum(case((kind == "destroyed", 1), else_=0)),
                func.sum(case((kind == "consumed", 1), else_=0)),
            )
            .select_from(_joined())
            .where(recall_units.c.recall_id == recall.id)
            .group_by(
                recall_units.c.party_id,
                units.c.state,
                units.c.custodian_id,
                units.c.location_gln,
            )
        )
        if party_id is not None:
            query = query.where(recall_units.c.party_id == party_id)
        return [
            RecoveryTally(
                held, state, custodian, gln, int(n), int(back or 0), int(gone or 0), int(used or 0)
            )
            for held, state, custodian, gln, n, back, gone, used in self.connection.execute(query)
        ]

    def rows(self, recall: RecallRecord, *, party_id: str | None = None) -> Iterator[RecallUnitRow]:
        """Every affected unit, by product and serial, read as the caller goes."""
        kind = _recovery(recall)
        query = (
            select(
                products.c.gtin,
                recall_units.c.serial,
                lots.c.lot,
                units.c.state,
                recall_units.c.party_id,
                units.c.custodian_id,
                units.c.location_gln,
                kind,
            )
            .select_from(
                _joined()
                .join(lots, lots.c.id == recall_units.c.lot_id)
                .join(products, products.c.id == recall_units.c.product_id)
            )
            .where(recall_units.c.recall_id == recall.id)
            .order_by(products.c.gtin, recall_units.c.serial)
        )
        if party_id is not None:
            query = query.where(recall_units.c.party_id == party_id)
        result = self.connection.execution_options(stream_results=True, yield_per=5_000)
        for row in result.execute(query):
            yield RecallUnitRow(*row)

    def notice_of_unit(self, product_id: int, serial: str) -> RecallNotice | None:
        """The latest recall that reached the unit."""
        return self._notice(
            and_(recall_units.c.product_id == product_id, recall_units.c.serial == serial)
        )

    def notice_of_lot(self, lot_id: int) -> RecallNotice | None:
        """The latest recall that reached units of the lot."""
        return self._notice(recall_units.c.lot_id == lot_id)

    def _notice(self, condition: ColumnElement[bool]) -> RecallNotice | None:
        row = self.connection.execute(
            select(recalls.c.id, recalls.c.reason, recalls.c.instructions)
            .where(recalls.c.id.in_(select(recall_units.c.recall_id).where(condition)))
            .order_by(recalls.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else RecallNotice(int(row.id), row.reason, row.instructions)


def _joined() -> Any:
    return recall_units.join(
        units,
        and_(
            units.c.product_id == recall_units.c.product_id,
            units.c.serial == recall_units.c.serial,
        ),
    )


def _recovery(recall: RecallRecord) -> ColumnElement[str | None]:
    """How an affected unit is recovered (``destroyed``, ``returned``, ``consumed``), or
    NULL while it is out."""
    returned = (
        select(event_epcs.c.epc)
        .select_from(event_epcs.join(epcis_events, epcis_events.c.id == event_epcs.c.event_pk))
        .where(
            epcis_events.c.id > recall.event_pk,
            epcis_events.c.biz_step.in_(RECEIVING_STEPS),
            epcis_events.c.party_id.is_(None),
            epcis_events.c.error_declaration_time.is_(None),
            event_epcs.c.role.in_(("epc", "contained")),
        )
    )
    return case(
        (units.c.state == "destroyed", literal("destroyed")),
        (recall_units.c.epc.in_(returned), literal("returned")),
        (recall_units.c.state_before.in_(CONSUMED_STATES), literal("consumed")),
        else_=None,
    )


def _recall(row: Any) -> RecallRecord:
    return RecallRecord(
        id=int(row.id),
        status=row.status,
        reason=row.reason,
        instructions=row.instructions,
        classification=row.classification,
        markets=tuple(row.markets or ()),
        scope=dict(row.scope),
        units=int(row.units),
        event_id=row.event_id,
        event_pk=int(row.event_pk),
        created_at=utc(row.created_at),
        created_by=row.created_by,
        respond_by=utc(row.respond_by),
        closed_at=utc(row.closed_at) if row.closed_at is not None else None,
        closed_by=row.closed_by,
        close_reason=row.close_reason,
    )


def _task(row: Any) -> TaskRecord:
    return TaskRecord(
        party_id=row.party_id,
        units=int(row.units),
        acknowledged=bool(row.acknowledged),
        on_hand=int(row.on_hand),
        returned=int(row.returned),
        destroyed=int(row.destroyed),
        completed=bool(row.completed),
        note=row.note,
        answered_at=utc(row.answered_at) if row.answered_at is not None else None,
        notice_status=row.notice_status,
        notice_detail=row.notice_detail,
    )


__all__: Sequence[str] = (
    "CLOSED",
    "OPEN",
    "RecallNotice",
    "RecallRecord",
    "RecallRepository",
    "RecallUnitRow",
    "RecoveryTally",
    "ResponseRecord",
    "TaskRecord",
)
