"""EPCIS 2.0 capture, as the official REST binding has it: ``POST /epcis/capture`` (a whole
document, as an asynchronous capture job), ``GET /epcis/capture[/{captureID}]`` (the jobs),
``POST /epcis/events`` (one event) and ``OPTIONS /epcis/capture`` (the capture limits).

Errors are the OpenAPI's problems (:mod:`unitrace.api.epcis_problems`), in
``application/problem+json`` only: a document or event refused before capture is a 400
``epcisException:ValidationException`` naming the event and the field; over the capture
limits a 413 ``CaptureLimitExceededException``; a body neither JSON nor XML a 415
``UnsupportedMediaTypeException``; an eventID captured already a 409
``ResourceAlreadyExistsException``. The events a capture job refuses are listed on the job."""

from __future__ import annotations

import urllib.parse
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from unitrace.api.dependencies import Reader, caller, caller_with, row_id
from unitrace.api.epcis_problems import (
    CAPTURE_LIMIT_EXCEEDED,
    UNSUPPORTED_MEDIA_TYPE,
    VERSIONS,
    capture_limits,
    epcis_problem,
)
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.config import Settings
from unitrace.registry.errors import NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services.capture_runner import CaptureRunner
from unitrace.services.epcis_capture import capturing, jobs, limits, reading
from unitrace.store.events import EventRecord
from unitrace.store.unit_of_work import Database

router = APIRouter(prefix="/epcis", tags=["epcis"], route_class=StrictJsonRoute)
Capturer = Annotated[Actor, Depends(caller_with(Role.LINE, Role.DISTRIBUTOR))]
Caller = Annotated[Actor, Depends(caller)]

#: The media types a capture reads (any ``…xml`` is read as EPCIS XML).
JSON_MEDIA_TYPES = ("application/json", "application/ld+json", "")
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
async def capture_options(request: Request) -> Response:
    """The capture limits and error behaviours this repository offers."""
    return Response(
        status_code=204,
        headers={**_capture_headers(request), "Allow": "OPTIONS, GET, POST"},
    )


@router.post("/capture", status_code=202, openapi_extra=_BODY)
async def capture(
    request: Request,
    actor: Capturer,
    behaviour: Annotated[str, Header(alias="GS1-Capture-Error-Behaviour")] = capturing.ROLLBACK,
) -> Response:
    """Capture an EPCISDocument (JSON-LD or XML): 202 with the capture job's Location; the
    job says when it is done and lists every event's errors."""
    media_type = request.headers.get("content-type", "")
    unreadable = _unreadable(media_type)
    if unreadable is not None:
        return unreadable
    body = await _bounded_body(request)
    if body is None:
        return _too_large(request, f"{_over_limit(request)}; split it into several captures")
    database: Database = request.app.state.database
    runner: CaptureRunner = request.app.state.capture_runner

    def start() -> Response:
        # parsing a document of many events and the job's first write: never on the event loop
        document = reading.read_document(body, media_type)
        events = _event_count(document)
        if events > limits.CAPTURE_LIMIT:
            return _too_large(
                request,
                f"epcisBody.eventList: {events:,} events, over the capture limit of "
                f"{limits.CAPTURE_LIMIT:,}; split the document into several captures",
            )
        with database.unit_of_work() as uow:
            job = jobs.start_capture(uow, document, actor=actor, behaviour=behaviour)
            uow.commit()
        runner.submit(job, document, actor=actor, from_xml=reading.is_xml(media_type))
        return JSONResponse(
            jobs.capture_job_json(job),
            status_code=202,
            headers={**VERSIONS, "Location": f"/epcis/capture/{job.id}"},
        )

    return await run_in_threadpool(start)


@router.get("/capture")
def capture_jobs(actor: Caller, uow: Reader) -> Response:
    """The newest capture jobs (a partner's own; an admin's view is all)."""
    listed = jobs.list_capture_jobs(uow, actor=actor)
    return JSONResponse(
        {"captureJobs": [jobs.capture_job_json(job) for job in listed]}, headers=VERSIONS
    )


@router.get("/capture/{capture_id}")
def capture_job(capture_id: str, actor: Caller, uow: Reader) -> Response:
    """One capture job: running, success, and its errors."""
    job_id = row_id(capture_id)
    job = None if job_id is None else jobs.get_capture_job(uow, job_id, actor=actor)
    if job is None:
        raise NotFound(f"captureID: no capture job {capture_id} is yours")
    return JSONResponse(jobs.capture_job_json(job), headers=VERSIONS)


@router.post("/events", status_code=201, openapi_extra=_BODY)
async def capture_one_event(request: Request, actor: Capturer) -> Response:
    """Capture one event (JSON-LD with its own ``@context``): 201 with its Location, 409 if
    its eventID is captured already."""
    media_type = request.headers.get("content-type", "")
    unreadable = _unreadable(media_type)
    if unreadable is not None:
        return unreadable
    body = await _bounded_body(request)
    if body is None:
        return _too_large(request, _over_limit(request))
    database: Database = request.app.state.database

    def capture() -> EventRecord:
        event: Any = reading.read_document(body, media_type)
        with database.unit_of_work() as uow:
            record = capturing.capture_event(uow, event, actor=actor)
            uow.commit()
        return record

    record = await run_in_threadpool(capture)
    location = "/epcis/events/" + urllib.parse.quote(record.event_id, safe="")
    return Response(status_code=201, headers={**VERSIONS, "Location": location})


def _size_limit(request: Request) -> int:
    settings: Settings = request.app.state.settings
    return settings.capture_max_bytes or limits.CAPTURE_FILE_SIZE_LIMIT


def _capture_headers(request: Request) -> dict[str, str]:
    return {
        **VERSIONS,
        **capture_limits(_size_limit(request)),
        "GS1-Capture-Error-Behaviour": ", ".join(capturing.ERROR_BEHAVIOURS),
    }


def _over_limit(request: Request) -> str:
    return f"the body is over the capture file size limit of {_size_limit(request):,} bytes"


def _unreadable(media_type: str) -> Response | None:
    """The 415 for a body capture does not read, else ``None``."""
    kind = media_type.split(";", 1)[0].strip().lower()
    if kind in JSON_MEDIA_TYPES or reading.is_xml(media_type):
        return None
    return epcis_problem(
        UNSUPPORTED_MEDIA_TYPE,
        f"Content-Type: {media_type!r}: send application/ld+json, application/json or "
        "application/xml",
    )


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, or ``None`` once it is over the capture file size limit (read no
    further than that, whatever Content-Length says or leaves unsaid)."""
    limit = _size_limit(request)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(request: Request, detail: str) -> Response:
    return epcis_problem(
        CAPTURE_LIMIT_EXCEEDED, detail, headers=capture_limits(_size_limit(request))
    )


def _event_count(document: Any) -> int:
    """How many events a document carries, where the service will look for them (an
    EPCISDocument's eventList, or an EPCISQueryDocument's resultsBody)."""
    body = document.get("epcisBody") if isinstance(document, dict) else None
    if isinstance(body, dict) and isinstance(body.get("queryResults"), dict):
        body = body["queryResults"].get("resultsBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    return len(events) if isinstance(events, list) else 0
