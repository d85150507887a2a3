"""The answer of ``GET /api/trace`` as pydantic models: the route answers with them, the
command line prints them with ``--json``, and both write the CSV's rows from
:data:`CSV_COLUMNS`, so that every face gives one answer for one question."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Final, Literal

from pydantic import BaseModel, Field

from unitrace.services import trace
from unitrace.services.unit_trail import HistoryEntry
from unitrace.store.reached_units import ShipmentOfSet

#: The CSV's columns, one row per unit reached.
CSV_COLUMNS: Final = (
    "gtin",
    "serial",
    "lot",
    "state",
    "container",
    "pallet",
    "custodian",
    "last_place",
    "last_event_at",
)


class SubjectOut(BaseModel):
    kind: Literal["unit", "container", "lot"]
    code: str = Field(description="the code as people read it, (01)…(21)…, (00)… or (01)…(10)…")
    epc: str = Field(description="its EPC; a lot's LGTIN class URI")
    gtin: str | None
    serial: str | None
    lot: str | None

    @classmethod
    def of(cls, subject: trace.Subject) -> SubjectOut:
        return cls(
            kind=subject.kind,
            code=subject.code,
            epc=subject.epc,
            gtin=subject.gtin,
            serial=subject.serial,
            lot=subject.lot,
        )


class ShipmentOut(BaseModel):
    event_id: str
    party: str | None
    at: dt.datetime
    units: int

    @classmethod
    def of(cls, shipment: ShipmentOfSet) -> ShipmentOut:
        return cls(
            event_id=shipment.event_id,
            party=shipment.party_id,
            at=shipment.at,
            units=shipment.units,
        )


class GenealogyOut(BaseModel):
    """Objects (each with its inspections and how many transformations away from what is
    traced it is) and the links of the events that joined an input to an output."""

    nodes: list[trace.GenealogyNode]
    links: list[trace.GenealogyLink]
    cut: bool = Field(description="whether the walk stopped at its depth or size limit")

    @classmethod
    def of(cls, genealogy: trace.Genealogy) -> GenealogyOut:
        return cls(nodes=list(genealogy.nodes), links=list(genealogy.links), cut=genealogy.cut)


class ForwardOut(BaseModel):
    direction: Literal["forward"] = "forward"
    subject: SubjectOut
    units: trace.UnitSummary = Field(
        description='count, by_state, by_custodian (party id, or "brand"), by_region '
        '(ISO 3166-2, else country, of the last known place; "unknown")'
    )
    containers: list[trace.ContainerCount] = Field(
        description="outermost first, each followed by what it holds; units reached inside"
    )
    shipments: list[ShipmentOut]
    made_into: GenealogyOut = Field(description="what was made from it, level by level")

    @classmethod
    def of(cls, found: trace.ForwardTrace) -> ForwardOut:
        return cls(
            subject=SubjectOut.of(found.subject),
            units=found.units,
            containers=list(found.containers),
            shipments=[ShipmentOut.of(shipment) for shipment in found.shipments],
            made_into=GenealogyOut.of(found.made_into),
        )


class LotOut(BaseModel):
    gtin: str
    lot: str
    expiry: dt.date
    status: str


class BackOut(BaseModel):
    direction: Literal["back"] = "back"
    subject: SubjectOut
    unit: trace.UnitNow | None
    lots: list[LotOut]
    containers: list[trace.Holder] = Field(
        description="holding it now, innermost first up to the pallet, then those that did once"
    )
    custodians: list[trace.Custody]
    timeline: list[HistoryEntry]
    made_from: GenealogyOut = Field(description="the inputs it was made from, recursively")

    @classmethod
    def of(cls, found: trace.BackTrace) -> BackOut:
        return cls(
            subject=SubjectOut.of(found.subject),
            unit=found.unit,
            lots=[
                LotOut(gtin=lot.gtin.value, lot=lot.lot, expiry=lot.expiry, status=lot.status.value)
                for lot in found.lots
            ],
            containers=list(found.containers),
            custodians=list(found.custodians),
            timeline=list(found.timeline),
            made_from=GenealogyOut.of(found.made_from),
        )


def trace_out(found: trace.ForwardTrace | trace.BackTrace) -> ForwardOut | BackOut:
    if isinstance(found, trace.ForwardTrace):
        return ForwardOut.of(found)
    return BackOut.of(found)


#: What a spreadsheet reads a cell starting with as a formula (OWASP, "CSV Injection").
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: str) -> str:
    """``value`` as a spreadsheet opening the CSV shows it, never runs it: a value a formula
    could start with gets a leading ``'``.

    >>> print(inert_cell('=HYPERLINK("x")'), inert_cell("L1"))
    '=HYPERLINK("x") L1
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_values(row: trace.TraceRow) -> list[str]:
    """A row of the CSV, in :data:`CSV_COLUMNS` order; each value a spreadsheet would read as
    a formula (a lot, a serial, a place named ``=…``) is written inert (:func:`inert_cell`)."""
    at = row.last_event_at
    values = [
        row.gtin,
        row.serial,
        row.lot,
        row.state,
        row.container or "",
        row.pallet or "",
        row.custodian,
        row.last_place or "",
        at.isoformat(timespec="milliseconds") if at is not None else "",
    ]
    return [inert_cell(value) for value in values]


def csv_lines(rows: Iterable[trace.TraceRow], *, per_part: int = 2_000) -> Iterator[str]:
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
