"""Data loggers' readings in bulk (``POST /api/sensor-readings``, CSV or JSON), and sensor
devices: what each was attached to when (``POST /api/sensor-devices/{device}/attachments``),
and its readings in summary.

Admin, line and distributor tokens may upload: a distributor's loggers are its own to report,
and the audit trail keeps who sent each upload. Attaching a device says what it measured,
which decides whose units are judged on its readings, and a device's attachments name other
parties' containers and shipments: attaching and reading a device are admin and line tokens'
only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from unitrace.api.cold_chain_answers import LotJudgedOut
from unitrace.api.dependencies import Reader, Writer, caller_with, database
from unitrace.api.json_bodies import StrictJsonRoute, strict_json
from unitrace.coldchain.instants import instant
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, Role
from unitrace.services.cold_chain import attachments, readings
from unitrace.store.sensor_devices import AttachmentRecord
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/api", tags=["cold chain"], route_class=StrictJsonRoute)

Uploader = Annotated[Actor, Depends(caller_with(Role.LINE, Role.DISTRIBUTOR))]
BrandToken = Annotated[Actor, Depends(caller_with(Role.LINE))]
CurrentDatabase = Annotated[Database, Depends(database)]
#: A device's ID in the path may hold slashes (``truck/7``, a Digital Link), as an upload's may.
DevicePath = Annotated[
    str,
    Path(min_length=1, max_length=readings.MAX_DEVICE_LENGTH, description="The device's ID."),
]

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "device,time,value,uom\nLOG-7,2026-03-01T08:00:00+01:00,4.2,CEL\n",
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "readings": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "device": {"type": "string"},
                                    "time": {"type": "string", "format": "date-time"},
                                    "value": {"type": "number"},
                                    "uom": {"type": "string", "enum": ["CEL", "FAH", "KEL"]},
                                },
                                "required": ["device", "time", "value", "uom"],
                            },
                        }
                    },
                    "required": ["readings"],
                }
            },
        },
    }
}


class UploadOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)
    stored: int = Field(description="Readings stored.")
    skipped: int = Field(description="Readings held already (same device and time), skipped.")
    devices: list[str]
    from_: dt.datetime = Field(
        serialization_alias="from", description="The upload's earliest reading."
    )
    until: dt.datetime = Field(description="The upload's latest reading.")
    judged: list[LotJudgedOut] = Field(
        description="The lots with units where the devices measured, judged: a breach holds "
        "its units and raises a temperature_excursion alert."
    )

    @classmethod
    def of(cls, landed: readings.Landed) -> UploadOut:
        return cls(
            stored=landed.stored,
            skipped=landed.skipped,
            devices=list(landed.devices),
            from_=instant(landed.from_ms),
            until=instant(landed.until_ms),
            judged=[LotJudgedOut.of(lot) for lot in landed.judged],
        )


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str | None = Field(
        None,
        max_length=2048,
        description="A container (SSCC, case code) or a unit, in any form the registry reads.",
    )
    location: str | None = Field(None, max_length=64, description="A GLN.")
    shipment: str | None = Field(
        None, max_length=2048, description="The eventID of a shipping event."
    )
    from_: AwareDatetime = Field(
        validation_alias="from", description="From when, with its UTC offset."
    )
    until: AwareDatetime | None = Field(None, description="Until when; left out: still.")


class AttachmentOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)
    id: int
    target_kind: str = Field(description="container, unit, location or shipment")
    target: str = Field(description="An EPC, a GLN or an eventID.")
    from_: dt.datetime = Field(serialization_alias="from")
    until: dt.datetime | None
    created_by: str | None

    @classmethod
    def of(cls, record: AttachmentRecord) -> AttachmentOut:
        return cls(
            id=record.id,
            target_kind=record.target_kind,
            target=record.target,
            from_=instant(record.from_ms),
            until=None if record.until_ms is None else instant(record.until_ms),
            created_by=record.created_by,
        )


class AttachedOut(AttachmentOut):
    judged: list[LotJudgedOut] = Field(
        description="The lots with units where the device was attached, judged with the "
        "readings it has."
    )


class ReadingsSummaryOut(BaseModel):
    count: int
    first: dt.datetime | None
    last: dt.datetime | None


class DeviceOut(BaseModel):
    device: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]
    readings: ReadingsSummaryOut


@router.post(
    "/sensor-readings",
    status_code=201,
    response_model=UploadOut,
    response_model_by_alias=True,
    openapi_extra=_UPLOAD_BODY,
)
async def upload_readings(request: Request, actor: Uploader, db: CurrentDatabase) -> UploadOut:
    """Store a logger's readings, a whole trip at once (at most 64 MiB a request): CSV with
    the header ``device,time,value,uom`` or JSON ``{"readings": [...]}``; times ISO 8601 with
    their UTC offset, units ``CEL``, ``FAH`` or ``KEL``. One bad row refuses the upload,
    naming it; a reading stored already (same device and time) is skipped."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind not in ("text/csv", "application/json"):
        raise InvalidRequest(f"content-type: {kind or 'none'}; send text/csv or application/json")
    body = await request.body()
    landed = await anyio.to_thread.run_sync(_upload, db, kind, body, actor)
    return UploadOut.of(landed)


def _upload(db: Database, kind: str, body: bytes, actor: Actor) -> readings.Landed:
    if kind == "text/csv":
        parsed = readings.read_csv(readings.readings_text(body))
    else:
        parsed = readings.read_json(_json(body))
    with db.unit_of_work() as uow:
        landed = readings.ingest(uow, parsed, actor=actor)
        uow.commit()
    return landed


def _json(body: bytes) -> Any:
    try:
        return strict_json(body)
    except ValueError as error:
        raise InvalidRequest(f"body: not JSON: {error}") from None


@router.post(
    "/sensor-devices/{device:path}/attachments",
    status_code=201,
    response_model=AttachedOut,
    response_model_by_alias=True,
)
def attach_device(
    device: DevicePath, body: AttachmentIn, actor: BrandToken, uow: Writer
) -> AttachedOut:
    """Say what the device measured, from when until when: a container or unit (``to``), a
    location (``location``, a GLN) or a shipment (``shipment``, its shipping event's
    eventID); exactly one. A device named for the first time is registered."""
    made = attachments.attach(
        uow,
        device=device,
        to=body.to,
        location=body.location,
        shipment=body.shipment,
        start=body.from_,
        end=body.until,
        actor=actor,
    )
    uow.commit()
    return AttachedOut(
        **AttachmentOut.of(made.attachment).model_dump(by_alias=False),
        judged=[LotJudgedOut.of(lot) for lot in made.judged],
    )


@router.get("/sensor-devices/{device:path}", response_model=DeviceOut, response_model_by_alias=True)
def get_device(device: DevicePath, _: BrandToken, uow: Reader) -> DeviceOut:
    """The device, what it was attached to when, and its readings in summary."""
    view = attachments.device_view(uow, device)
    summary = view.readings
    return DeviceOut(
        device=view.device.device,
        created_at=view.device.created_at,
        attachments=[AttachmentOut.of(record) for record in view.attachments],
        readings=ReadingsSummaryOut(
            count=summary.count,
            first=None if summary.first_ms is None else instant(summary.first_ms),
            last=None if summary.last_ms is None else instant(summary.last_ms),
        ),
    )
