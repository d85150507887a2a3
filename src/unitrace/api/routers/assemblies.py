"""Assemblies: components (units, or lots and quantities) recorded as gone into a serialized
device, as an EPCIS TransformationEvent ``assembling``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from unitrace.api.answers import EventOut
from unitrace.api.dependencies import Writer, caller
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.registry.model import Actor
from unitrace.services import lifecycle

router = APIRouter(prefix="/api", tags=["registry"], route_class=StrictJsonRoute)

Caller = Annotated[Actor, Depends(caller)]


class LotComponentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gtin: str = Field(max_length=64)
    lot: str = Field(max_length=64)
    # a JSON number, never a string or a boolean; its bounds (above 0, at most
    # lifecycle.MOST_OF_A_LOT) are the service's, which the command line shares
    quantity: StrictInt | Annotated[StrictFloat, Field(allow_inf_nan=False)] = Field(
        description=f"How many of the lot went in (above 0, at most {lifecycle.MOST_OF_A_LOT:_})."
    )


class AssemblyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str = Field(max_length=2048, description="The serialized device's code, any form.")
    components: list[Annotated[str, Field(max_length=2048)] | LotComponentIn] = Field(
        max_length=10_000,
        description="Unit codes (any form), or {gtin, lot, quantity} for parts known by lot.",
    )
    at: AwareDatetime | None = Field(
        None, description="When, with its UTC offset; now if left out."
    )
    location: str | None = Field(None, max_length=64, description="The GLN of where.")


class LotComponentOut(BaseModel):
    epc_class: str
    quantity: float | None


class AssemblyOut(EventOut):
    device: str
    components: list[str]
    lots: list[LotComponentOut]

    @classmethod
    def of_assembly(cls, made: lifecycle.Assembly) -> AssemblyOut:
        return cls(
            **EventOut.of(made.event).model_dump(),
            device=made.device,
            components=list(made.components),
            lots=[LotComponentOut(epc_class=e.epc_class, quantity=e.quantity) for e in made.lots],
        )


@router.post("/assemblies", status_code=201, response_model=AssemblyOut)
def assemble(body: AssemblyIn, actor: Caller, uow: Writer) -> AssemblyOut:
    """Record that components went into a serialized device: the serialized ones are consumed
    (checked out) and may go into no other device."""
    made = lifecycle.assemble(
        uow,
        device=body.device,
        components=[
            part
            if isinstance(part, str)
            else lifecycle.LotComponent(part.gtin, part.lot, part.quantity)
            for part in body.components
        ],
        actor=actor,
        location_gln=body.location,
        at=body.at,
    )
    uow.commit()
    return AssemblyOut.of_assembly(made)
