"""The cold chain: ``GET /api/cold-chain``, what a unit, container or lot went through and
whether it was kept within its product's storage conditions."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, RootModel

from unitrace.api.cold_chain_answers import ExposureOut, LotExposureOut, LotJudgedOut
from unitrace.api.dependencies import Writer, caller, database
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.registry.model import Actor
from unitrace.services.cold_chain.breaches import judge_code
from unitrace.services.cold_chain.exposure import cold_chain_of
from unitrace.services.cold_chain.view import LotExposure
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/api", tags=["cold chain"], route_class=StrictJsonRoute)

Caller = Annotated[Actor, Depends(caller)]
Db = Annotated[Database, Depends(database)]


class ColdChainOut(RootModel[ExposureOut | LotExposureOut]):
    """A unit's or container's exposure, or a lot's verdicts, told apart by ``subject``."""


def cold_chain_answer(db: Database, code: str, actor: Actor) -> dict[str, Any]:
    """The answer for ``code``, as JSON."""
    with db.unit_of_work(read_only=True) as uow:
        found = cold_chain_of(uow, code=code, actor=actor)
        if isinstance(found, LotExposure):
            return LotExposureOut.of(found).model_dump(mode="json", by_alias=True)
        return ExposureOut.of(found).model_dump(mode="json", by_alias=True)


@router.get("/cold-chain", response_model=ColdChainOut)
async def cold_chain_route(
    actor: Caller,
    db: Db,
    code: Annotated[
        str,
        Query(
            max_length=2048,
            description="A unit, a container (SSCC or case) or a lot: a Digital Link, "
            "element string, HRI, EPC URI or LGTIN class URI.",
        ),
    ],
) -> JSONResponse:
    """What ``code`` went through: the periods each device measured it, the gaps, its
    extremes, mean and mean kinetic temperature, its excursions and the verdict against its
    product's storage conditions; for a lot, each unit's verdict, counted. A distributor asks
    only of what it holds or held."""
    return JSONResponse(await anyio.to_thread.run_sync(cold_chain_answer, db, code, actor))


class JudgementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(
        max_length=2048, description="A unit, a container or a lot: its lots are judged."
    )


@router.post("/cold-chain/judgements", response_model=list[LotJudgedOut])
def judge_route(body: JudgementIn, actor: Caller, uow: Writer) -> list[LotJudgedOut]:
    """Judge now the lot of a unit, the lots of a container's units, or a lot (admin): what
    readings, attachments and captured sensor events do by themselves, for after a product's
    storage conditions changed. A breach records its excursion, raises an alert and holds the
    units; an excursion already judged is not judged again."""
    judged = judge_code(uow, code=body.code, actor=actor)
    uow.commit()
    return [LotJudgedOut.of(lot) for lot in judged]
