"""Trace: ``GET /api/trace``, forward from a lot or container to every unit reached, back from
a unit or container to its lot, containers, custodians, events and inputs; JSON, or with
``format=csv`` one row per unit reached, streamed."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import RootModel

from unitrace.api.dependencies import caller, database
from unitrace.api.streamed_files import FilePipe, streamed_file
from unitrace.api.trace_answers import BackOut, ForwardOut, csv_lines, trace_out
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor
from unitrace.services import trace
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/api", tags=["trace"])

Caller = Annotated[Actor, Depends(caller)]
Db = Annotated[Database, Depends(database)]
FORMATS = ("json", "csv")


class TraceOut(RootModel[ForwardOut | BackOut]):
    """A forward or a back trace, told apart by ``direction``."""


@router.get(
    "/trace",
    response_model=None,
    responses={
        200: {
            "model": TraceOut,
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The trace; with format=csv, one row per unit reached.",
        }
    },
)
async def trace_route(
    actor: Caller,
    db: Db,
    code: Annotated[
        str | None,
        Query(description="a Digital Link, element string, HRI, SSCC, EPC URI or LGTIN class URI"),
    ] = None,
    gtin: Annotated[str | None, Query(description="with lot, instead of code")] = None,
    lot: Annotated[str | None, Query(description="with gtin, instead of code")] = None,
    direction: Annotated[
        str | None, Query(description="forward or back; back from a unit, else forward")
    ] = None,
    format: Annotated[str, Query(description="json or csv")] = "json",
) -> Response:
    """Trace what a code names, forward to every unit reached or back to where it came
    from. A distributor traces only what it holds or held."""
    if format not in FORMATS:
        raise InvalidRequest(f"format: {format!r} is neither json nor csv")
    if format == "csv":
        if direction == "back":
            raise InvalidRequest("format: csv lists the units reached forward; ask for JSON back")
        if direction is not None and direction not in trace.DIRECTIONS:
            raise InvalidRequest(f"direction: {direction!r} is neither forward nor back")

        def written(out: FilePipe) -> None:
            with db.unit_of_work(read_only=True) as uow:
                rows = trace.trace_rows(uow, code=code, gtin=gtin, lot=lot, actor=actor)
                for part in csv_lines(rows):
                    out.write(part.encode())

        return await streamed_file(
            written, media_type="text/csv; charset=utf-8", file_name="trace.csv"
        )

    def answered() -> Any:
        with db.unit_of_work(read_only=True) as uow:
            found = trace.trace(
                uow, code=code, gtin=gtin, lot=lot, direction=direction, actor=actor
            )
            return trace_out(found).model_dump(mode="json")

    return JSONResponse(await anyio.to_thread.run_sync(answered))
