"""Serial requests: issue a lot's serials, and hand the line its codes, labels and symbols."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from unitrace.api.dependencies import Reader, RowId, Writer, caller_with, database, settings
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.api.streamed_files import FilePipe, streamed_file
from unitrace.config import Settings
from unitrace.registry.model import Actor, Role
from unitrace.services.code_files import write_code_file
from unitrace.services.labels import write_request_labels, write_request_symbols
from unitrace.services.serialization import (
    SerialRequest,
    get_request,
    issue_serials,
)
from unitrace.store.unit_of_work import Database
from unitrace.symbols import Symbology

router = APIRouter(
    prefix="/api/serial-requests", tags=["serialization"], route_class=StrictJsonRoute
)

LineOrAdmin = Annotated[Actor, Depends(caller_with(Role.LINE))]
CurrentSettings = Annotated[Settings, Depends(settings)]
CurrentDatabase = Annotated[Database, Depends(database)]


class SerialRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gtin: str = Field(examples=["09506000134352"])
    lot: str = Field(examples=["L2611A"])
    count: int = Field(examples=[10000])
    commission: bool = Field(False, description="Commission the units at once (codes applied).")


class SerialRequestOut(BaseModel):
    id: int
    gtin: str
    lot: str
    count: int
    seq_from: int
    seq_to: int
    commissioned: bool
    guess_probability: float = Field(description="Issued ÷ possible serials for the GTIN.")
    possible: int
    created_at: dt.datetime
    codes: str = Field(description="Where the codes are, as JSON or CSV.")

    @classmethod
    def of(cls, request: SerialRequest) -> SerialRequestOut:
        return cls(
            id=request.id,
            gtin=request.gtin.value,
            lot=request.lot,
            count=request.count,
            seq_from=request.seq_from,
            seq_to=request.seq_to,
            commissioned=request.commissioned,
            guess_probability=request.guess_probability,
            possible=request.possible,
            created_at=request.created_at,
            codes=f"/api/serial-requests/{request.id}/codes",
        )


@router.post("", status_code=201, response_model=SerialRequestOut)
def request_serials(body: SerialRequestIn, actor: LineOrAdmin, uow: Writer) -> SerialRequestOut:
    request = issue_serials(
        uow, gtin=body.gtin, lot=body.lot, count=body.count, commission=body.commission, actor=actor
    )
    uow.commit()
    return SerialRequestOut.of(request)


@router.get("/{request_id}", response_model=SerialRequestOut)
def serial_request(request_id: RowId, _: LineOrAdmin, uow: Reader) -> SerialRequestOut:
    return SerialRequestOut.of(get_request(uow, request_id))


@router.get(
    "/{request_id}/codes",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def codes(
    request_id: RowId,
    _: LineOrAdmin,
    db: CurrentDatabase,
    config: CurrentSettings,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",
) -> Response:
    """Every unit of the request in seq order: ``seq, serial, hri, element_string,
    digital_link``. The element string holds FNC1 as the GS character (ASCII 29). Sent as it
    is read from the database; a missing request is a 404 before any row is sent."""

    def write(out: FilePipe) -> None:
        with db.unit_of_work(read_only=True) as uow:
            write_code_file(uow, request_id, out.binary, format, resolver_base=config.resolver_base)

    if format == "json":
        return await streamed_file(write, media_type="application/json", file_name=None)
    return await streamed_file(
        write, media_type="text/csv; charset=utf-8", file_name=f"serial-request-{request_id}.csv"
    )


@router.get("/{request_id}/labels.pdf", response_class=Response)
async def labels(
    request_id: RowId,
    _: LineOrAdmin,
    db: CurrentDatabase,
    config: CurrentSettings,
    symbology: Symbology = Symbology.DATAMATRIX,
) -> Response:
    """A PDF sheet of labels, one per unit, A4 with 60 x 30 mm labels, sent as it is drawn."""
    file = _PrintFile(write_request_labels, "labels.pdf", "application/pdf")
    return await file.streamed(db, request_id, symbology, config.resolver_base)


@router.get("/{request_id}/symbols.zip", response_class=Response)
async def symbols(
    request_id: RowId,
    _: LineOrAdmin,
    db: CurrentDatabase,
    config: CurrentSettings,
    symbology: Symbology = Symbology.DATAMATRIX,
) -> Response:
    """A ZIP of one SVG symbol per unit, named ``<seq>-<serial>.svg``, sent as it is written."""
    file = _PrintFile(write_request_symbols, "symbols.zip", "application/zip")
    return await file.streamed(db, request_id, symbology, config.resolver_base)


@dataclass(frozen=True)
class _PrintFile:
    """A request's print file: the service that writes it, its name and its media type."""

    write: Callable[..., object]
    suffix: str
    media_type: str

    async def streamed(
        self, db: Database, request_id: int, symbology: Symbology, resolver_base: str
    ) -> Response:
        """The file written on a thread of its own, in a unit of work of its own, and sent
        as it is written. A refusal met before the first byte (no such request, a unit the
        symbology cannot hold) is raised here and answered as a problem, not half a file."""

        def written(out: FilePipe) -> None:
            with db.unit_of_work(read_only=True) as uow:
                get_request(uow, request_id)
                self.write(
                    uow,
                    request_id,
                    out.binary,
                    symbology=symbology,
                    resolver_base=resolver_base,
                    progress=out.check,
                )

        return await streamed_file(
            written,
            media_type=self.media_type,
            file_name=f"serial-request-{request_id}-{self.suffix}",
        )
