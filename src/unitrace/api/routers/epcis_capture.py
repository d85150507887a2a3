"""EPCIS 2.0 capture, as the official REST binding has it: ``POST /epcis/capture`` (a whole
document, as an asynchronous capture job), ``GET /epcis/capture[/{captureID}]`` (the jobs),
``POST /epcis/events`` (one event) and ``OPTIONS /epcis/capture`` (the capture limits)."""

from __future__ import annotations

import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from unitrace.api.dependencies import Reader, caller, caller_with
from unitrace.api.problems import problem
from unitrace.registry.model import Actor, Role
from unitrace.services import epcis_capture
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/epcis", tags=["epcis"])
Capturer = Annotated[Actor, Depends(caller_with(Role.LINE, Role.DISTRIBUTOR))]
Caller = Annotated[Actor, Depends(caller)]

#: What every EPCIS answer says it speaks.
VERSIONS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
CAPTURE_HEADERS = {
    **VERSIONS,
    "GS1-EPCIS-Capture-Limit": str(epcis_capture.CAPTURE_LIMIT),
    "GS1-EPCIS-Capture-File-Size-Limit": str(epcis_capture.CAPTURE_FILE_SIZE_LIMIT),
    "GS1-Capture-Error-Behaviour": ", ".join(epcis_capture.ERROR_BEHAVIOURS),
}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/ld+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
            "application/xml": {"schema": {"type": "string"}},
        },
    }
}


@router.options("/capture")
async def capture_options() -> Response:
    """The capture limits and error behaviours this repository offers."""
    return Response(status_code=204, headers={**CAPTURE_HEADERS, "Allow": "OPTIONS, GET, POST"})


@router.post("/capture", status_code=202, openapi_extra=_BODY)
async def capture(
    request: Request,
    actor: Capturer,
    behaviour: Annotated[str, Header(alias="GS1-Capture-Error-Behaviour")] = epcis_capture.ROLLBACK,
) -> Response:
    """Capture an EPCISDocument (JSON-LD or XML): 202 with the capture job's Location; the
    job says when it is done and lists every event's errors."""
    body = await request.body()
    media_type = request.headers.get("content-type", "")
    document = epcis_capture.read_document(body, media_type)
    database: Database = request.app.state.database
    with database.unit_of_work() as uow:
        job = epcis_capture.start_capture(uow, document, actor=actor, behaviour=behaviour)
        uow.commit()
    _capture_runner(request).submit(
        epcis_capture.run_capture,
        database.unit_of_work,
        job,
        document,
        actor=actor,
        from_xml=epcis_capture.is_xml(media_type),
    )
    return JSONResponse(
        epcis_capture.capture_job_json(job),
        status_code=202,
        headers={**VERSIONS, "Location": f"/epcis/capture/{job.id}"},
    )


@router.get("/capture")
async def capture_jobs(uow: Reader, actor: Caller) -> Response:
    """The newest capture jobs (a partner's own; an admin's view is all)."""
    jobs = epcis_capture.list_capture_jobs(uow, actor=actor)
    return JSONResponse(
        {"captureJobs": [epcis_capture.capture_job_json(job) for job in jobs]}, headers=VERSIONS
    )


@router.get("/capture/{capture_id}")
async def capture_job(capture_id: str, uow: Reader, actor: Caller) -> Response:
    """One capture job: running, success, and its errors."""
    job = (
        epcis_capture.get_capture_job(uow, int(capture_id), actor=actor)
        if capture_id.isdigit()
        else None
    )
    if job is None:
        return problem(
            404, "not-found", "Capture job not found", f"no capture job {capture_id} is yours"
        )
    return JSONResponse(epcis_capture.capture_job_json(job), headers=VERSIONS)


@router.post("/events", status_code=201, openapi_extra=_BODY)
async def capture_one_event(request: Request, actor: Capturer) -> Response:
    """Capture one event (JSON-LD with its own ``@context``): 201 with its Location, 409 if
    its eventID is captured already."""
    body = await request.body()
    event: Any = epcis_capture.read_document(body, request.headers.get("content-type", ""))
    database: Database = request.app.state.database
    with database.unit_of_work() as uow:
        record = epcis_capture.capture_event(uow, event, actor=actor)
        uow.commit()
    location = "/epcis/events/" + urllib.parse.quote(record.event_id, safe="")
    return Response(status_code=201, headers={**VERSIONS, "Location": location})


def _capture_runner(request: Request) -> ThreadPoolExecutor:
    """The worker's one capture thread: documents are captured one after another, off the
    event loop (the service's lifespan waits for it at shutdown)."""
    runner: ThreadPoolExecutor | None = getattr(request.app.state, "capture_runner", None)
    if runner is None:
        runner = ThreadPoolExecutor(1, thread_name_prefix="epcis-capture")
        request.app.state.capture_runner = runner
    return runner
