"""The DSCSA exchange for a shipment: ``GET /api/exports/dscsa/{event id}?version=1.2|2.0``,
the EPCIS document a US trading partner receives with a shipment (EPCIS 1.2 XML as GS1 US's
guideline specifies, or EPCIS 2.0 JSON-LD)."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from unitrace.api.dependencies import caller, database
from unitrace.registry.model import Actor
from unitrace.services.exports.dscsa import ExportedDocument, dscsa_document
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/api/exports", tags=["exports"])

Caller = Annotated[Actor, Depends(caller)]
Db = Annotated[Database, Depends(database)]


@router.get(
    "/dscsa/{event_id:path}",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "application/ld+json": {"schema": {"type": "object"}},
            },
            "description": "The shipment's EPCIS document: 1.2 XML, or 2.0 JSON-LD.",
        }
    },
)
async def dscsa_route(
    actor: Caller,
    db: Db,
    event_id: Annotated[str, Path(description="the eventID of the shipping event")],
    version: Annotated[str, Query(description="1.2 (XML) or 2.0 (JSON-LD)")] = "1.2",
) -> Response:
    """The DSCSA exchange of one shipment: the commissioning, aggregation and shipping events
    of everything it sent, with master data and the Standard Business Document Header. Admin
    may ask for any shipment; a distributor for one its party sent or received."""

    def exported() -> ExportedDocument:
        with db.unit_of_work(read_only=True) as uow:
            return dscsa_document(uow, event_id, actor=actor, version=version)

    found = await anyio.to_thread.run_sync(exported)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.file_name}"'},
    )
