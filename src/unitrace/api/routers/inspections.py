"""Quality inspections of units, containers and lots, recorded as EPCIS ObjectEvents
``inspecting``; a failed one puts the units it covers on hold, a passing one releases them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from unitrace.api.answers import EventOut
from unitrace.api.dependencies import Writer, caller
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.registry.model import Actor
from unitrace.services import lifecycle

router = APIRouter(prefix="/api", tags=["registry"], route_class=StrictJsonRoute)

Caller = Annotated[Actor, Depends(caller)]
_Text = Annotated[str, Field(max_length=500)]


class CertificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: _Text
    standard: _Text
    value: _Text
    identification: _Text = Field(description="The certificate's number, or its URI.")


class InspectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = Field(
        max_length=2048,
        description="A unit, a container (SSCC or case code) or a lot (GTIN + lot, no serial).",
    )
    result: Literal["pass", "fail"]
    certification: CertificationIn | None = None
    notes: str | None = Field(None, max_length=2000)
    at: AwareDatetime | None = Field(
        None, description="When, with its UTC offset; now if left out."
    )
    location: str | None = Field(None, max_length=64, description="The GLN of where.")


class InspectionOut(EventOut):
    result: str
    units: int = Field(description="The units the inspection covers.")
    on_hold: int = Field(description="How many of them are on hold once it is recorded.")

    @classmethod
    def of_inspection(cls, made: lifecycle.Inspection) -> InspectionOut:
        return cls(
            **EventOut.of(made.event).model_dump(),
            result=made.result.value,
            units=made.units,
            on_hold=made.on_hold,
        )


@router.post("/inspections", status_code=201, response_model=InspectionOut)
def inspect(body: InspectionIn, actor: Caller, uow: Writer) -> InspectionOut:
    """Record an inspection: a fail holds the units it covers (no shipping, no dispensing, a
    scan answers inactive), a pass releases them."""
    made = lifecycle.inspect(
        uow,
        targets=[body.target],
        result=body.result,
        certification=lifecycle.Certification(**body.certification.model_dump())
        if body.certification
        else None,
        notes=body.notes,
        actor=actor,
        location_gln=body.location,
        at=body.at,
    )
    uow.commit()
    return InspectionOut.of_inspection(made)
