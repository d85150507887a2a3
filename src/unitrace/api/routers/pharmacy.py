"""The pharmacist's flow (EU FMD style): verify a pack before dispensing, then decommission it
as supplied, for verifier and distributor tokens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from unitrace.api.dependencies import Writer, caller
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.api.problems import problem, problem_for
from unitrace.places import locate
from unitrace.registry.model import Actor
from unitrace.services import pharmacy
from unitrace.services.scan_answers import scan_json

router = APIRouter(prefix="/api/units", tags=["pharmacy"], route_class=StrictJsonRoute)
Caller = Annotated[Actor, Depends(caller)]


class PackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lot: str | None = Field(None, description="As printed on the pack.")
    expiry: dt.date | None = Field(None, description="As printed on the pack.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    country: str | None = Field(None, max_length=2)
    region: str | None = Field(None, max_length=6)


@router.post("/{gtin}/{serial}/verify")
def verify_pack(gtin: str, serial: str, body: PackIn, actor: Caller, uow: Writer) -> dict[str, Any]:
    """Check a pack before it is dispensed: the verdict, logged like any scan."""
    place = locate(lat=body.lat, lon=body.lon, country=body.country, region=body.region, city=None)
    result = pharmacy.verify_pack(
        uow, gtin=gtin, serial=serial, lot=body.lot, expiry=body.expiry, actor=actor, place=place
    )
    uow.commit()
    return scan_json(result)


@router.post(
    "/{gtin}/{serial}/decommission",
    responses={409: {"description": "Not dispensed: the state rules refused it"}},
)
def dispense_pack(gtin: str, serial: str, body: PackIn, actor: Caller, uow: Writer) -> Response:
    """Dispense a pack: decommissioned as supplied, under the state rules of the registry.
    A refusal is a problem answer naming the rule; the scan and any alert are kept."""
    place = locate(lat=body.lat, lon=body.lon, country=body.country, region=body.region, city=None)
    result = pharmacy.dispense_pack(
        uow, gtin=gtin, serial=serial, lot=body.lot, expiry=body.expiry, actor=actor, place=place
    )
    uow.commit()
    answer = {**scan_json(result), "dispensed": result.dispensed, "event_id": result.event_id}
    if result.refused is None:
        return JSONResponse(answer)
    refusal = problem_for(result.refused)
    return problem(refusal.status, refusal.slug, refusal.title, str(result.refused), scan=answer)
