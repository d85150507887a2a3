"""Units and containers: commission, pack, ship, receive, change state, recall; look up a unit
or a container with its history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, model_validator

from unitrace.api.answers import ContainerOut, EventOut, ShipmentOut, UnitOut
from unitrace.api.dependencies import Reader, Writer, caller
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, UnitState
from unitrace.services import lifecycle
from unitrace.services.catalog import parse_gtin

router = APIRouter(prefix="/api", tags=["registry"], route_class=StrictJsonRoute)

Caller = Annotated[Actor, Depends(caller)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommissionIn(Strict):
    gtin: str
    lot: str
    seq_from: int
    seq_to: int
    location_gln: str | None = None


class AllocationIn(Strict):
    party: str = Field(examples=["dist-a"])
    gtin: str | None = None
    lot: str | None = None
    seq_from: int | None = None
    seq_to: int | None = None
    codes: list[str] | None = Field(None, description="Unit or container codes, any form.")

    @model_validator(mode="after")
    def _one_selection(self) -> AllocationIn:
        by_range = (self.gtin, self.lot, self.seq_from, self.seq_to)
        if self.codes is None and None in by_range:
            raise ValueError("give either codes, or gtin, lot, seq_from and seq_to")
        if self.codes is not None and any(v is not None for v in by_range):
            raise ValueError("give either codes, or gtin, lot, seq_from and seq_to, not both")
        return self


class ShipmentIn(Strict):
    codes: list[str] = Field(description="Units, cases or pallets (SSCC), any code form.")
    party: str


class ReceiptIn(Strict):
    codes: list[str]
    location_gln: str | None = None


class AggregationIn(Strict):
    parent: str = Field(description="An SSCC (pallet) or GTIN + serial (case), any code form.")
    children: list[str]


class DisaggregationIn(Strict):
    parent: str
    children: list[str] | None = Field(None, description="Leave out to unpack everything.")


class StateChangeIn(Strict):
    codes: list[str]
    state: UnitState = Field(examples=["supplied"])
    location_gln: str | None = None


class LotStatusIn(Strict):
    status: str = Field(examples=["recalled"], description="recalled or withdrawn")
    reason: str


@router.post("/commissions", status_code=201, response_model=EventOut)
def commission(body: CommissionIn, actor: Caller, uow: Writer) -> EventOut:
    """Commission issued units: their codes are on the packs now."""
    event = lifecycle.commission(
        uow,
        gtin=parse_gtin(body.gtin),
        lot=body.lot,
        seq_from=body.seq_from,
        seq_to=body.seq_to,
        location_gln=body.location_gln,
        actor=actor,
    )
    uow.commit()
    return EventOut.of(event)


@router.post("/allocations", status_code=201, response_model=ShipmentOut)
def allocate(body: AllocationIn, actor: Caller, uow: Writer) -> ShipmentOut:
    """Ship a seq range of a lot ("Distributor A receives 1-10,000") or a list of codes."""
    shipment = lifecycle.allocate(uow, actor=actor, **body.model_dump())
    uow.commit()
    return ShipmentOut.of(shipment)


@router.post("/shipments", status_code=201, response_model=ShipmentOut)
def ship(body: ShipmentIn, actor: Caller, uow: Writer) -> ShipmentOut:
    """Ship units, cases or pallets to a party; everything inside moves with them."""
    shipment = lifecycle.ship(uow, codes=body.codes, party=body.party, actor=actor)
    uow.commit()
    return ShipmentOut.of(shipment)


@router.post("/receipts", status_code=201, response_model=EventOut)
def receive(body: ReceiptIn, actor: Caller, uow: Writer) -> EventOut:
    event = lifecycle.receive(uow, codes=body.codes, location_gln=body.location_gln, actor=actor)
    uow.commit()
    return EventOut.of(event)


@router.post("/aggregations", status_code=201, response_model=EventOut)
def aggregate(body: AggregationIn, actor: Caller, uow: Writer) -> EventOut:
    """Pack units into a case, or cases onto a pallet."""
    event = lifecycle.aggregate(uow, parent=body.parent, children=body.children, actor=actor)
    uow.commit()
    return EventOut.of(event)


@router.post("/disaggregations", status_code=201, response_model=EventOut)
def disaggregate(body: DisaggregationIn, actor: Caller, uow: Writer) -> EventOut:
    event = lifecycle.disaggregate(uow, parent=body.parent, children=body.children, actor=actor)
    uow.commit()
    return EventOut.of(event)


@router.post("/state-changes", status_code=201, response_model=EventOut)
def change_state(body: StateChangeIn, actor: Caller, uow: Writer) -> EventOut:
    """Decommission units (supplied, destroyed, stolen, sample, …) or undo within the rules."""
    event = lifecycle.change_state(
        uow, codes=body.codes, to=body.state, location_gln=body.location_gln, actor=actor
    )
    uow.commit()
    return EventOut.of(event)


@router.post("/lots/{gtin}/{lot}/status", status_code=201, response_model=EventOut)
def lot_status(gtin: str, lot: str, body: LotStatusIn, actor: Caller, uow: Writer) -> EventOut:
    """Recall or withdraw a whole lot: irreversible, recorded as an event."""
    if not body.reason.strip():
        raise InvalidRequest("reason: must say why")
    event = lifecycle.set_lot_status(
        uow, gtin=gtin, lot=lot, status=body.status, reason=body.reason, actor=actor
    )
    uow.commit()
    return EventOut.of(event)


@router.get("/units/{gtin}/{serial}", response_model=UnitOut)
def unit(gtin: str, serial: str, actor: Caller, uow: Reader) -> UnitOut:
    """A unit's state, lot, seq, container, custodian and the history of its events."""
    return UnitOut.of(lifecycle.unit_view(uow, gtin=gtin, serial=serial, actor=actor))


@router.get("/containers/{code:path}", response_model=ContainerOut)
def container(code: str, actor: Caller, uow: Reader) -> ContainerOut:
    """A case or pallet by its code (SSCC, GTIN + serial, EPC URI)."""
    return ContainerOut.of(lifecycle.container_view(uow, code=code, actor=actor))
