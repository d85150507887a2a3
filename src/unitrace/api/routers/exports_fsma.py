"""The FSMA 204 electronic sortable spreadsheet: ``GET /api/exports/fsma204``, one row per
critical tracking event of a food's traceability lots, as CSV or XLSX: the admin's of every
event, a distributor's of its view."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from unitrace.api.dependencies import caller, database
from unitrace.api.fsma204_sheets import MEDIA_TYPES, csv_text, xlsx_bytes
from unitrace.api.problems import problem
from unitrace.registry.model import Actor
from unitrace.services.exports import fsma204
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/api/exports", tags=["exports"])

Caller = Annotated[Actor, Depends(caller)]
Db = Annotated[Database, Depends(database)]


@router.get(
    "/fsma204",
    response_model=None,
    responses={
        200: {
            "content": {media: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()},
            "description": "The spreadsheet: a header row, then one row per critical tracking "
            "event (none for a lot no event names).",
        },
        400: {"description": "a parameter that cannot be read, named (problem+json)"},
        403: {"description": "a line or verifier token, a distributor bound to no party"},
    },
)
async def fsma204_route(
    actor: Caller,
    db: Db,
    gtin: Annotated[str | None, Query(description="the food's GTIN (14 digits)")] = None,
    lot: Annotated[
        str | None, Query(description="its traceability lot code; every registered lot if left out")
    ] = None,
    from_: Annotated[
        str | None, Query(alias="from", description="first day, YYYY-MM-DD, inclusive")
    ] = None,
    to: Annotated[str | None, Query(description="last day, YYYY-MM-DD, inclusive")] = None,
    format: Annotated[str, Query(description="csv or xlsx")] = "csv",
) -> Response:
    """The FSMA 204 sortable spreadsheet of a food's traceability lots (21 CFR 1.1455):
    every initial packing, shipping, receiving and transformation, and the harvesting,
    cooling and first land-based receiving partners captured, with their key data elements.
    A distributor gets its view: the events it may see, counting the units it holds or held."""
    fsma204.may_export(actor)
    try:
        request = fsma204.read_request(gtin=gtin, lot=lot, first=from_, last=to)
        fsma204.check_format(format)
    except fsma204.ExportRefused as error:
        return problem(400, "invalid-export-request", "Invalid export request", str(error))

    def written() -> bytes:
        with db.unit_of_work(read_only=True) as uow:
            rows = fsma204.fsma204_rows(uow, request, actor=actor)
        return xlsx_bytes(rows) if format == "xlsx" else csv_text(rows).encode()

    body = await anyio.to_thread.run_sync(written)
    name = f"fsma204-{request.gtin.value}{'-' + request.lot if request.lot else ''}.{format}"
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{_safe(name)}"'},
    )


def _safe(name: str) -> str:
    """A file name a header may carry: a lot's odd characters become ``_``."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
