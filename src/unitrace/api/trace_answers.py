"""The answer of ``GET /api/trace`` as pydantic models: the route answers with them, the
command line prints them with ``--json``, and both write the CSV's rows from
:data:`CSV_COLUMNS`, so that every face gives one answer for one question."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from unitrace.services import trace
from unitrace.store.genealogy import Inspection
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


class UnitsOut(BaseModel):
    count: int
    by_state: dict[str, int]
    by_custodian: dict[str, int] = Field(description='party id, or "brand" for its own units')
    by_region: dict[str, int] = Field(
        description='ISO 3166-2 region, else country, of the last known place; "unknown"'
    )


class ContainerOut(BaseModel):
    code: str
    epc: str
    kind: str
    parent: str | None
    units: int = Field(description="units reached inside it, at every depth")


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


class InspectionOut(BaseModel):
    event_id: str
    at: dt.datetime
    epc: str = Field(description="what the inspection named: the object, or its lot's class")
    disposition: str | None
    certification: Any = Field(description="the event's certificationInfo, if any")

    @classmethod
    def of(cls, seen: Inspection) -> InspectionOut:
        return cls(
            event_id=seen.event_id,
            at=seen.at,
            epc=seen.epc,
            disposition=seen.disposition,
            certification=seen.certification,
        )


class NodeOut(BaseModel):
    epc: str
    code: str
    kind: str = Field(description="unit, lot, container or other")
    depth: int = Field(description="transformations away from what is traced")
    gtin: str | None
    serial: str | None
    lot: str | None
    inspections: list[InspectionOut]


class LinkOut(BaseModel):
    event_id: str
    at: dt.datetime
    biz_step: str | None
    input: str
    output: str


class GenealogyOut(BaseModel):
    nodes: list[NodeOut]
    links: list[LinkOut]
    cut: bool = Field(description="whether the walk stopped at its depth or size limit")

    @classmethod
    def of(cls, genealogy: trace.Genealogy) -> GenealogyOut:
        return cls(
            nodes=[
                NodeOut(
                    epc=node.epc,
                    code=node.code,
                    kind=node.kind,
                    depth=node.depth,
                    gtin=node.gtin,
                    serial=node.serial,
                    lot=node.lot,
                    inspections=[InspectionOut.of(seen) for seen in node.inspections],
                )
                for node in genealogy.nodes
            ],
            links=[
                LinkOut(
                    event_id=link.event_id,
                    at=link.at,
                    biz_step=link.biz_step,
                    input=link.input,
                    output=link.output,
                )
                for link in genealogy.links
            ],
            cut=genealogy.cut,
        )


class ForwardOut(BaseModel):
    direction: Literal["forward"] = "forward"
    subject: SubjectOut
    units: UnitsOut
    containers: list[ContainerOut]
    shipments: list[ShipmentOut]
    made_into: GenealogyOut = Field(description="what was made from it, level by level")

    @classmethod
    def of(cls, found: trace.ForwardTrace) -> ForwardOut:
        summary = found.units
        return cls(
            subject=SubjectOut.of(found.subject),
            units=UnitsOut(
                count=summary.count,
                by_state=summary.by_state,
                by_custodian=summary.by_custodian,
                by_region=summary.by_region,
            ),
            containers=[
                ContainerOut(
                    code=item.code,
                    epc=item.epc,
                    kind=item.kind,
                    parent=item.parent,
                    units=item.units,
                )
                for item in found.containers
            ],
            shipments=[ShipmentOut.of(shipment) for shipment in found.shipments],
            made_into=GenealogyOut.of(found.made_into),
        )


class UnitNowOut(BaseModel):
    state: str
    custodian: str
    location: str | None


class LotOut(BaseModel):
    gtin: str
    lot: str
    expiry: dt.date
    status: str


class HolderOut(BaseModel):
    code: str
    epc: str
    kind: str
    now: bool = Field(description="whether it holds it now (else it did once)")


class CustodyOut(BaseModel):
    party: str
    since: dt.datetime | None
    event_id: str | None


class TimelineOut(BaseModel):
    at: dt.datetime
    event_id: str
    what: str
    step: str | None
    disposition: str | None
    place: str | None
    party: str | None
    recorded_by: str | None


class BackOut(BaseModel):
    direction: Literal["back"] = "back"
    subject: SubjectOut
    unit: UnitNowOut | None
    lots: list[LotOut]
    containers: list[HolderOut]
    custodians: list[CustodyOut]
    timeline: list[TimelineOut]
    made_from: GenealogyOut = Field(description="the inputs it was made from, recursively")

    @classmethod
    def of(cls, found: trace.BackTrace) -> BackOut:
        unit = found.unit
        return cls(
            subject=SubjectOut.of(found.subject),
            unit=UnitNowOut(state=unit.state, custodian=unit.custodian, location=unit.location)
            if unit is not None
            else None,
            lots=[
                LotOut(gtin=lot.gtin.value, lot=lot.lot, expiry=lot.expiry, status=lot.status.value)
                for lot in found.lots
            ],
            containers=[
                HolderOut(code=held.code, epc=held.epc, kind=held.kind, now=held.now)
                for held in found.containers
            ],
            custodians=[
                CustodyOut(party=custody.party, since=custody.since, event_id=custody.event_id)
                for custody in found.custodians
            ],
            timeline=[
                TimelineOut(
                    at=entry.at,
                    event_id=entry.event_id,
                    what=entry.what,
                    step=entry.step,
                    disposition=entry.disposition,
                    place=entry.place,
                    party=entry.party,
                    recorded_by=entry.recorded_by,
                )
                for entry in found.timeline
            ],
            made_from=GenealogyOut.of(found.made_from),
        )


def trace_out(found: trace.ForwardTrace | trace.BackTrace) -> ForwardOut | BackOut:
    if isinstance(found, trace.ForwardTrace):
        return ForwardOut.of(found)
    return BackOut.of(found)


def csv_values(row: trace.TraceRow) -> list[str]:
    """A row of the CSV, in :data:`CSV_COLUMNS` order."""
    at = row.last_event_at
    return [
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
