"""Recalls: ``POST /api/recalls`` opens one (admin), ``GET /api/recalls[/{id}]`` reads them (a
distributor only its own line), ``POST /api/recalls/{id}/responses`` is a party's answer,
``GET /api/recalls/{id}/units?format=csv`` lists the affected units, ``POST
/api/recalls/{id}/close`` closes it, ``GET /api/recalls/{id}/report.pdf`` is the report for
the regulator's file."""

from __future__ import annotations

from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt

from unitrace.api.dependencies import Reader, Writer, caller, database, row_id
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.api.recall_answers import RecallOut, csv_lines
from unitrace.api.streamed_files import FilePipe, streamed_file
from unitrace.registry.errors import InvalidRequest, NotFound
from unitrace.registry.model import Actor
from unitrace.services import recall
from unitrace.services.recall import notices
from unitrace.services.recall.notices import notify_parties
from unitrace.services.recall.report import recall_report
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/api", tags=["recalls"], route_class=StrictJsonRoute)

Caller = Annotated[Actor, Depends(caller)]
Db = Annotated[Database, Depends(database)]
Code = Annotated[str, Field(max_length=2048)]


class LotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gtin: str = Field(max_length=64)
    lot: str = Field(max_length=64)


class ScopeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lots: list[LotIn] = Field(default_factory=list, max_length=1_000)
    units: list[Code] = Field(
        default_factory=list,
        max_length=1_000,
        description="Unit, case or pallet codes: Digital Link, element string, HRI, EPC URI.",
    )
    component_lots: list[LotIn] = Field(
        default_factory=list,
        max_length=1_000,
        description="Lots (ours or a supplier's) whose finished units are recalled.",
    )


class RecallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: ScopeIn
    reason: str = Field(max_length=4_000)
    instructions: str = Field(max_length=4_000)
    classification: Literal["I", "II", "III"] | None = None
    markets: list[Annotated[str, Field(max_length=6)]] = Field(
        default_factory=list, max_length=300, description="ISO 3166-1 or 3166-2 codes."
    )
    respond_within_hours: StrictInt | None = Field(
        None, description="How long parties have to acknowledge (24 hours if left out)."
    )
    at: AwareDatetime | None = Field(None, description="When; now if left out.")


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    acknowledged: StrictBool = False
    on_hand: StrictInt = 0
    returned: StrictInt = 0
    destroyed: StrictInt = 0
    completed: StrictBool = False
    note: str | None = Field(None, max_length=2_000)
    party: str | None = Field(
        None, max_length=64, description="The line answered for: the caller's own party."
    )


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=4_000)


@router.post("/recalls", status_code=201, response_model=RecallOut)
def open_recall(body: RecallIn, actor: Caller, uow: Writer, request: Request) -> RecallOut:
    """Open a recall: every affected unit not terminal becomes recalled, in one transaction;
    every party holding affected units gets a task (and a signed notice at its endpoint)."""
    recall_id = recall.open_recall(
        uow,
        scope=body.scope.model_dump(),
        reason=body.reason,
        instructions=body.instructions,
        classification=body.classification,
        markets=body.markets,
        respond_within_hours=body.respond_within_hours,
        actor=actor,
        at=body.at,
    )
    uow.commit()
    notify_parties(request.app.state.database, recall_id, request.app.state.recall_notices)
    return RecallOut.of(recall.recall_progress(uow, recall_id, actor))


@router.get("/recalls", response_model=list[RecallOut])
def list_recalls(actor: Caller, uow: Reader) -> list[RecallOut]:
    """Every recall, newest first; a distributor's, only those with a task of its own."""
    return [RecallOut.of(found) for found in recall.list_recalls(uow, actor)]


@router.get("/recalls/{recall_id}", response_model=RecallOut)
def read_recall(recall_id: str, actor: Caller, uow: Reader) -> RecallOut:
    """A recall: what it affects, each party's answer, how much is recovered."""
    return RecallOut.of(recall.recall_progress(uow, _number(recall_id), actor))


@router.post("/recalls/{recall_id}/responses", response_model=RecallOut)
def answer_recall(recall_id: str, body: ResponseIn, actor: Caller, uow: Writer) -> RecallOut:
    """A party's answer for its own line, with its own token."""
    recall.answer_recall(
        uow,
        _number(recall_id),
        body.model_dump(exclude={"party"}),
        actor=actor,
        party=body.party,
    )
    uow.commit()
    return RecallOut.of(recall.recall_progress(uow, _number(recall_id), actor))


@router.post("/recalls/{recall_id}/close", response_model=RecallOut)
def close_recall(recall_id: str, body: CloseIn, actor: Caller, uow: Writer) -> RecallOut:
    """Close a recall (409 when closed already); its units stay recalled."""
    recall.close_recall(uow, _number(recall_id), reason=body.reason, actor=actor)
    uow.commit()
    return RecallOut.of(recall.recall_progress(uow, _number(recall_id), actor))


@router.get(
    "/recalls/{recall_id}/units",
    response_model=None,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def recall_units(
    recall_id: str,
    actor: Caller,
    db: Db,
    format: Annotated[str, Query(description="csv")] = "csv",
) -> Response:
    """Every affected unit, one row each: its state, who held it, its custodian and last
    place now, and whether (and how) it is recovered."""
    if format != "csv":
        raise InvalidRequest(f"format: {format!r} is not csv")
    with db.unit_of_work(read_only=True) as uow:  # refusals before the first byte
        number = recall.find_recall(uow, _number(recall_id), actor).id

    def written(out: FilePipe) -> None:
        with db.unit_of_work(read_only=True) as uow:
            for part in csv_lines(recall.recall_rows(uow, number, actor)):
                out.write(part.encode())

    return await streamed_file(
        written, media_type="text/csv; charset=utf-8", file_name=f"recall-{number}-units.csv"
    )


@router.get(
    "/recalls/{recall_id}/report.pdf",
    response_model=None,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string"}}}}},
)
async def recall_report_pdf(recall_id: str, actor: Caller, db: Db) -> Response:
    """The recall report for the regulator's file: scope, timeline, per-party status and
    effectiveness."""
    number = _number(recall_id)

    def made() -> bytes:
        with db.unit_of_work(read_only=True) as uow:
            return recall_report(uow, number, actor)

    pdf = await anyio.to_thread.run_sync(made)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="recall-{number}.pdf"'},
    )


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(max_length=2048, description="http(s) URL; null removes it.")
    signature_token: str | None = Field(
        None, max_length=256, description="Signs each notice (GS1-Signature, HMAC-SHA256)."
    )


@router.put("/parties/{party}/recall-endpoint", status_code=204, response_model=None)
def set_recall_endpoint(
    party: str, body: EndpointIn, actor: Caller, uow: Writer, request: Request
) -> Response:
    """Where a party's recall tasks are POSTed, signed with its token (admin)."""
    notices.set_recall_endpoint(
        uow,
        party,
        url=body.url,
        signature_token=body.signature_token,
        actor=actor,
        destinations=request.app.state.webhook_destinations,
    )
    uow.commit()
    return Response(status_code=204)


def _number(recall_id: str) -> int:
    """A recall's number from its path; what is not one names no recall."""
    number = row_id(recall_id)
    if number is None:
        raise NotFound(f"recall {recall_id} does not exist")
    return number
