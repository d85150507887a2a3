"""The console's recall pages: ``/console/recalls`` lists the recalls the signed-in person may
see and, for the brand's admin, opens one from a lot or a traced code — the affected count
shown first, the recall made only once confirmed; ``/console/recalls/{id}`` shows its progress:
recovered and still out per party as bars, the units still out on a map by region, overdue
parties highlighted. They call :mod:`unitrace.services.recall` with the person's actor, as
``/api/recalls`` calls it with a token's.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from unitrace.api.console.pages import NO_STORE, console_page, console_problem
from unitrace.api.console.refusals import WORDING, refusal_page
from unitrace.api.console.session import Signed, SignedIn
from unitrace.api.dependencies import row_id
from unitrace.api.recall_answers import csv_lines
from unitrace.api.streamed_files import FilePipe, streamed_file
from unitrace.registry.errors import Refused
from unitrace.registry.model import Role
from unitrace.services import recall
from unitrace.services.code_lookup import read_code
from unitrace.services.recall.notices import notify_parties
from unitrace.services.recall.report import recall_report
from unitrace.store.unit_of_work import Database

router = APIRouter(include_in_schema=False)
BASE = "/console/recalls"
NOT_ALLOWED = "recalls are for the brand's admin and the parties holding recalled units"


@router.get(BASE)
def recalls_page(
    request: Request,
    signed: SignedIn,
    code: Annotated[str, Query(max_length=2048)] = "",
    gtin: Annotated[str, Query(max_length=64)] = "",
    lot: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    if not signed.may(Role.DISTRIBUTOR, Role.LINE):
        return console_problem(request, signed, 403, NOT_ALLOWED)
    return _list_page(request, signed, typed={"code": code, "gtin": gtin, "lot": lot})


@router.post(BASE)
def open_recall(
    request: Request,
    signed: SignedIn,
    code: Annotated[str, Form(max_length=2048)] = "",
    gtin: Annotated[str, Form(max_length=64)] = "",
    lot: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=4_000)] = "",
    instructions: Annotated[str, Form(max_length=4_000)] = "",
    classification: Annotated[str, Form(max_length=3)] = "",
    confirmed: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """First the affected count (nothing written); with ``confirmed``, the recall."""
    typed = {
        "code": code,
        "gtin": gtin,
        "lot": lot,
        "reason": reason,
        "instructions": instructions,
        "classification": classification,
    }
    if not signed.may():
        return console_problem(request, signed, 403, "a recall is opened by the brand's admin")
    database: Database = request.app.state.database
    try:
        scope = _scope(code, gtin, lot)
        if confirmed != "yes":
            with database.unit_of_work(read_only=True) as uow:
                count = recall.affected_count(uow, scope=scope, actor=signed.actor)
            return _list_page(request, signed, typed=typed, preview=count)
        with database.unit_of_work() as uow:
            recall_id = recall.open_recall(
                uow,
                scope=scope,
                reason=reason,
                instructions=instructions,
                classification=classification or None,
                actor=signed.actor,
            )
            uow.commit()
    except Refused as refusal:
        return _list_page(request, signed, typed=typed, refusals=[str(refusal)], status=422)
    notify_parties(database, recall_id, request.app.state.recall_notices)
    return Response(status_code=303, headers={"Location": f"{BASE}/{recall_id}", **NO_STORE})


@router.get(BASE + "/{recall_id}")
def recall_page(request: Request, signed: SignedIn, recall_id: str) -> HTMLResponse:
    number = row_id(recall_id)
    if number is None:
        return console_problem(request, signed, 404, f"recall {recall_id} does not exist")
    database: Database = request.app.state.database
    try:
        with database.unit_of_work(read_only=True) as uow:
            found = recall.recall_progress(uow, number, signed.actor)
    except Refused as refusal:
        return refusal_page(request, signed, refusal)
    lines = found.affected.by_custodian
    bars = {
        "labels": [line.party for line in lines],
        "series": [
            {"name": "recovered", "values": [line.recovered for line in lines]},
            {"name": "still out", "values": [line.units - line.recovered for line in lines]},
        ],
    }
    return console_page(
        request,
        signed,
        "recall.html",
        title=f"Recall {found.id}",
        found=found,
        bars=bars,
        map_data={"areas": found.affected.out_by_region, "measure": "units still out"},
        overdue=[line.party for line in lines if line.overdue],
        **WORDING,
    )


@router.get(BASE + "/{recall_id}/units.csv")
async def recall_units_csv(request: Request, signed: SignedIn, recall_id: str) -> Response:
    number = row_id(recall_id)
    database: Database = request.app.state.database
    try:
        if number is None:
            return console_problem(request, signed, 404, f"recall {recall_id} does not exist")
        with database.unit_of_work(read_only=True) as uow:
            recall.find_recall(uow, number, signed.actor)
    except Refused as refusal:
        return refusal_page(request, signed, refusal)

    def written(out: FilePipe) -> None:
        with database.unit_of_work(read_only=True) as uow:
            for part in csv_lines(recall.recall_rows(uow, number, signed.actor)):
                out.write(part.encode())

    return await streamed_file(
        written,
        media_type="text/csv; charset=utf-8",
        file_name=f"recall-{number}-units.csv",
        headers=NO_STORE,
    )


@router.get(BASE + "/{recall_id}/report.pdf")
async def recall_report_pdf(request: Request, signed: SignedIn, recall_id: str) -> Response:
    number = row_id(recall_id)
    if number is None:
        return console_problem(request, signed, 404, f"recall {recall_id} does not exist")
    database: Database = request.app.state.database

    def made() -> bytes:
        with database.unit_of_work(read_only=True) as uow:
            return recall_report(uow, number, signed.actor)

    try:
        pdf = await anyio.to_thread.run_sync(made)
    except Refused as refusal:
        return refusal_page(request, signed, refusal)
    return Response(pdf, media_type="application/pdf", headers=NO_STORE)


def _scope(code: str, gtin: str, lot: str) -> dict[str, Any]:
    """The scope the form names: a traced code (a lot's code under lots, any other under
    units), or a GTIN and a lot."""
    if code.strip():
        scan = read_code(code.strip())
        if scan.gtin is not None and scan.lot is not None and scan.serial is None:
            return {"lots": [{"gtin": scan.gtin.value, "lot": scan.lot}]}
        return {"units": [code.strip()]}
    return {"lots": [{"gtin": gtin.strip(), "lot": lot.strip()}]} if gtin or lot else {}


def _list_page(
    request: Request,
    signed: Signed,
    *,
    typed: dict[str, str],
    preview: int | None = None,
    refusals: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    database: Database = request.app.state.database
    with database.unit_of_work(read_only=True) as uow:
        found = recall.list_recalls(uow, signed.actor)
    return console_page(
        request,
        signed,
        "recalls.html",
        status=status,
        title="Recalls",
        recalls=found,
        typed={
            key: typed.get(key, "")
            for key in ("code", "gtin", "lot", "reason", "instructions", "classification")
        },
        preview=preview,
        refusals=refusals or [],
        may_open=signed.may(),
        **WORDING,
    )
