"""The shapes of recall answers at the edge: pydantic models of :mod:`unitrace.services.recall`
results, and the CSV of a recall's affected units (formula-safe, as the trace's)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any, Final

from pydantic import BaseModel

from unitrace.api.trace_answers import inert_cell
from unitrace.services import recall
from unitrace.services.trace.forward import BRAND
from unitrace.store.recalls import RecallUnitRow

#: The columns of ``GET /api/recalls/{id}/units?format=csv``.
CSV_COLUMNS: Final = (
    "gtin",
    "serial",
    "lot",
    "state",
    "held_at_recall",
    "custodian",
    "last_place",
    "recovered",
)


class PartyLineOut(BaseModel):
    party: str
    units: int
    acknowledged: bool
    on_hand: int
    returned: int
    destroyed: int
    completed: bool
    note: str | None
    answered_at: dt.datetime | None
    #: units of the party's line that events show returned, destroyed or consumed
    recovered: int
    overdue: bool
    #: the webhook notice: pending, sent, failed, no_endpoint
    notice: str

    @classmethod
    def of(cls, line: recall.PartyLine) -> PartyLineOut:
        return cls(
            party=line.party,
            units=line.units,
            acknowledged=line.acknowledged,
            on_hand=line.on_hand,
            returned=line.returned,
            destroyed=line.destroyed,
            completed=line.completed,
            note=line.note,
            answered_at=line.answered_at,
            recovered=line.recovered,
            overdue=line.overdue,
            notice=line.notice,
        )


class AffectedOut(BaseModel):
    units: int
    by_state: dict[str, int]
    by_region: dict[str, int]
    by_custodian: list[PartyLineOut]
    #: the units not recovered, by the region of their last known place
    out_by_region: dict[str, int]


class RecoveredOut(BaseModel):
    units: int
    percent: float
    returned: int
    destroyed: int
    consumed: int


class RecallOut(BaseModel):
    id: int
    status: str
    reason: str
    created_at: dt.datetime
    affected: AffectedOut
    recovered: RecoveredOut
    instructions: str
    classification: str | None
    markets: list[str]
    scope: dict[str, Any]
    created_by: str
    respond_by: dt.datetime
    closed_at: dt.datetime | None
    close_reason: str | None
    event_id: str

    @classmethod
    def of(cls, found: recall.RecallProgress) -> RecallOut:
        affected, recovered = found.affected, found.recovered
        return cls(
            id=found.id,
            status=found.status,
            reason=found.reason,
            created_at=found.created_at,
            affected=AffectedOut(
                units=affected.units,
                by_state=affected.by_state,
                by_region=affected.by_region,
                by_custodian=[PartyLineOut.of(line) for line in affected.by_custodian],
                out_by_region=affected.out_by_region,
            ),
            recovered=RecoveredOut(
                units=recovered.units,
                percent=recovered.percent,
                returned=recovered.returned,
                destroyed=recovered.destroyed,
                consumed=recovered.consumed,
            ),
            instructions=found.instructions,
            classification=found.classification,
            markets=list(found.markets),
            scope=found.scope,
            created_by=found.created_by,
            respond_by=found.respond_by,
            closed_at=found.closed_at,
            close_reason=found.close_reason,
            event_id=found.event_id,
        )


def csv_values(row: RecallUnitRow) -> list[str]:
    """A row of the CSV, in :data:`CSV_COLUMNS` order, every value inert to a spreadsheet."""
    values = [
        row.gtin,
        row.serial,
        row.lot,
        row.state,
        row.held_at_recall or BRAND,
        row.custodian or BRAND,
        row.last_place or "",
        row.recovered or "no",
    ]
    return [inert_cell(value) for value in values]


def csv_lines(rows: Iterable[RecallUnitRow], *, per_part: int = 2_000) -> Iterator[str]:
    """The CSV, header first, a few thousand rows to a part."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for count, row in enumerate(rows, start=1):
        writer.writerow(csv_values(row))
        if count % per_part == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
