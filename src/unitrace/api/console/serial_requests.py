"""``/console/serial-requests``: issue serials from a form, watch a large request being issued,
and download a request's code file, label sheet and symbols. For admin and line users, as
``/api/serial-requests`` is.

A request is checked at once by the service's rules (the API's messages, shown next to the
field) and then issued off the page's request by the worker's
:class:`~unitrace.services.serial_request_runner.SerialRequestRunner`: the browser goes to the
job's page, which shows where it stands (and refreshes itself, ``console-serial-requests.js``
polling ``…/progress``), then to the serial request it made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from unitrace.api.console.figures import big_number
from unitrace.api.console.pages import NO_STORE, console_page, console_problem
from unitrace.api.console.session import Signed, SignedIn
from unitrace.api.dependencies import row_id
from unitrace.api.problems import problem_for, validation_message
from unitrace.api.routers.serial_requests import SerialRequestIn
from unitrace.api.streamed_files import FilePipe, streamed_file
from unitrace.config import Settings
from unitrace.registry.errors import NotFound, Refused
from unitrace.registry.model import Role
from unitrace.serials import Guessability
from unitrace.services.code_files import write_code_file
from unitrace.services.labels import write_request_labels, write_request_symbols
from unitrace.services.serial_request_jobs import (
    JobProgress,
    job_progress,
    recent_jobs,
    requester,
    submit_serial_request,
)
from unitrace.services.serial_request_runner import SerialRequestRunner
from unitrace.services.serialization import get_request
from unitrace.store.serial_request_jobs import JobStatus
from unitrace.store.unit_of_work import Database, UnitOfWork
from unitrace.symbols import Symbology

router = APIRouter(include_in_schema=False)

BASE = "/console/serial-requests"
#: Requests a page of the list shows, and the jobs under way or refused lately above them.
REQUESTS_PER_PAGE = 50
JOBS_SHOWN = 10
#: The form's fields, and the fields a service message may name (an expiry is the lot's).
FORM_FIELDS = {"gtin": "gtin", "lot": "lot", "count": "count", "expiry": "lot"}
#: What each symbology is called in the download forms.
SYMBOLOGIES = {
    Symbology.DATAMATRIX: "GS1 DataMatrix",
    Symbology.GS1_QR: "GS1 QR Code",
    Symbology.DL_QR: "QR Code with the Digital Link",
    Symbology.GS1_128: "GS1-128",
}
NOT_ALLOWED = "serial requests are for the brand's admin and line users"

#: Writes a request's file: the request's id, a unit of work to read it in, where to write.
RequestFileWriter = Callable[[int, UnitOfWork, FilePipe], None]


@router.get(BASE)
def serial_requests(
    request: Request,
    signed: SignedIn,
    before: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    if not signed.may(Role.LINE):
        return console_problem(request, signed, 403, NOT_ALLOWED)
    before_id = row_id(before) if before is not None else None
    if before is not None and before_id is None:
        return console_problem(request, signed, 404, f"before: {before!r} is not a request id")
    return _list_page(request, signed, before=before_id)


@router.post(BASE)
def issue_serials(
    request: Request,
    signed: SignedIn,
    gtin: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
    count: Annotated[str, Form()] = "",
    commission: Annotated[str | None, Form()] = None,
) -> Response:
    if not signed.may(Role.LINE):
        return console_problem(request, signed, 403, NOT_ALLOWED)
    typed = {"gtin": gtin, "lot": lot, "count": count, "commission": commission is not None}
    try:
        asked = SerialRequestIn.model_validate(typed)
    except ValidationError as error:
        messages = [validation_message(problem) for problem in error.errors()]
        return _list_page(request, signed, typed=typed, refusals=messages, status=422)
    database: Database = request.app.state.database
    try:
        with database.unit_of_work() as uow:
            job = submit_serial_request(
                uow,
                gtin=asked.gtin,
                lot=asked.lot,
                count=asked.count,
                commission=asked.commission,
                actor=signed.actor,
            )
            uow.commit()
    except Refused as refusal:
        status = problem_for(refusal).status
        return _list_page(request, signed, typed=typed, refusals=[str(refusal)], status=status)
    runner: SerialRequestRunner = request.app.state.serial_request_runner
    runner.submit(job.id)
    return Response(status_code=303, headers={"Location": f"{BASE}/jobs/{job.id}", **NO_STORE})


@router.get(BASE + "/jobs/{job}")
def job_page(request: Request, signed: SignedIn, job: str) -> Response:
    if not signed.may(Role.LINE):
        return console_problem(request, signed, 403, NOT_ALLOWED)
    progress = _progress(request, signed, job)
    if progress is None:
        return console_problem(request, signed, 404, f"job: {job!r} is no serial request job")
    if progress.job.status is JobStatus.DONE:
        where = f"{BASE}/{progress.job.request_id}"
        return Response(status_code=303, headers={"Location": where, **NO_STORE})
    title = f"Serial request job {progress.job.id}"
    return console_page(request, signed, "serial_request.html", title=title, progress=progress)


@router.get(BASE + "/jobs/{job}/progress")
def job_progress_answer(request: Request, signed: SignedIn, job: str) -> JSONResponse:
    """Where a job stands, for the job's page to refresh itself with."""
    if not signed.may(Role.LINE):
        return JSONResponse({"detail": NOT_ALLOWED}, status_code=403, headers=NO_STORE)
    progress = _progress(request, signed, job)
    if progress is None:
        return JSONResponse({"detail": "no such job"}, status_code=404, headers=NO_STORE)
    return JSONResponse(progress_json(progress), headers=NO_STORE)


@router.get(BASE + "/{request_id}")
def serial_request(request: Request, signed: SignedIn, request_id: str) -> HTMLResponse:
    if not signed.may(Role.LINE):
        return console_problem(request, signed, 403, NOT_ALLOWED)
    number = row_id(request_id)
    database: Database = request.app.state.database
    with database.unit_of_work(read_only=True) as uow:
        try:
            issued = get_request(uow, number) if number is not None else None
        except NotFound:
            issued = None
        record = uow.issuance.request(number) if issued is not None and number else None
        product = uow.products.get(issued.gtin) if issued is not None else None
        asked_by = requester(uow, record.requested_by) if record is not None else None
    if issued is None or record is None:
        message = f"request: serial request {request_id!r} does not exist"
        return console_problem(request, signed, 404, message)
    return console_page(
        request,
        signed,
        "serial_request.html",
        title=f"Serial request {issued.id}",
        issued=issued,
        product=product,
        requested_by=asked_by,
        guess=Guessability(record.issued_through, issued.possible),
        symbologies=SYMBOLOGIES,
        big=big_number,
    )


@router.get(BASE + "/{request_id}/codes.{file_format}")
async def code_file(
    request: Request, signed: SignedIn, request_id: str, file_format: str
) -> Response:
    """Every unit of the request in seq order, as ``GET /api/serial-requests/{id}/codes``
    gives them, streamed from the database."""
    if file_format not in ("csv", "json"):
        return console_problem(request, signed, 404, f"codes.{file_format}: not a code file")
    media_type = "text/csv; charset=utf-8" if file_format == "csv" else "application/json"
    resolver_base = _settings(request).resolver_base

    def write(number: int, uow: UnitOfWork, out: FilePipe) -> None:
        write_code_file(
            uow, number, out.binary, file_format, resolver_base=resolver_base, progress=out.check
        )

    return await _download(
        request, signed, request_id, write, f"codes.{file_format}", media_type=media_type
    )


@router.get(BASE + "/{request_id}/labels.pdf")
async def label_sheet(
    request: Request,
    signed: SignedIn,
    request_id: str,
    symbology: Annotated[str, Query(max_length=20)] = Symbology.DATAMATRIX.value,
) -> Response:
    """A PDF sheet of labels, one per unit, as ``GET /api/serial-requests/{id}/labels.pdf``."""
    chosen = _symbology(symbology)
    if chosen is None:
        return console_problem(request, signed, 422, _symbology_refusal(symbology))
    resolver_base = _settings(request).resolver_base

    def write(number: int, uow: UnitOfWork, out: FilePipe) -> None:
        write_request_labels(
            uow,
            number,
            out.binary,
            symbology=chosen,
            resolver_base=resolver_base,
            progress=out.check,
        )

    return await _download(
        request, signed, request_id, write, "labels.pdf", media_type="application/pdf"
    )


@router.get(BASE + "/{request_id}/symbols.zip")
async def symbols(
    request: Request,
    signed: SignedIn,
    request_id: str,
    symbology: Annotated[str, Query(max_length=20)] = Symbology.DATAMATRIX.value,
) -> Response:
    """A ZIP of one SVG symbol per unit, as ``GET /api/serial-requests/{id}/symbols.zip``."""
    chosen = _symbology(symbology)
    if chosen is None:
        return console_problem(request, signed, 422, _symbology_refusal(symbology))
    resolver_base = _settings(request).resolver_base

    def write(number: int, uow: UnitOfWork, out: FilePipe) -> None:
        write_request_symbols(
            uow,
            number,
            out.binary,
            symbology=chosen,
            resolver_base=resolver_base,
            progress=out.check,
        )

    return await _download(
        request, signed, request_id, write, "symbols.zip", media_type="application/zip"
    )


def progress_json(progress: JobProgress) -> dict[str, Any]:
    """A job's progress as its page's script reads it."""
    job = progress.job
    done = job.status is JobStatus.DONE
    return {
        "id": job.id,
        "status": job.status.value,
        "finished": job.status.finished,
        "message": job.message,
        "count": job.count,
        "commission": job.commission,
        "ahead": progress.ahead,
        "elapsed": progress.elapsed,
        "estimate": progress.estimate,
        "request": job.request_id,
        "href": f"{BASE}/{job.request_id}" if done else None,
    }


def _list_page(
    request: Request,
    signed: Signed,
    *,
    before: int | None = None,
    typed: dict[str, Any] | None = None,
    refusals: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    database: Database = request.app.state.database
    with database.unit_of_work(read_only=True) as uow:
        jobs = recent_jobs(uow, actor=signed.actor, limit=JOBS_SHOWN)
        lines = uow.issuance.recent_requests(limit=REQUESTS_PER_PAGE + 1, before=before)
    more = len(lines) > REQUESTS_PER_PAGE
    lines = lines[:REQUESTS_PER_PAGE]
    errors: dict[str, list[str]] = {}
    general = []
    for message in refusals or []:
        field = FORM_FIELDS.get(message.partition(":")[0].strip())
        if field is None:
            general.append(message)
        else:
            errors.setdefault(field, []).append(message)
    return console_page(
        request,
        signed,
        "serial_requests.html",
        status=status,
        title="Serial requests",
        jobs=jobs,
        lines=lines,
        older=lines[-1].id if more else None,
        before=before,
        typed=typed or {"gtin": "", "lot": "", "count": "", "commission": False},
        errors=errors,
        general_errors=general,
    )


def _progress(request: Request, signed: Signed, job: str) -> JobProgress | None:
    job_id = row_id(job)
    if job_id is None:
        return None
    database: Database = request.app.state.database
    with database.unit_of_work(read_only=True) as uow:
        return job_progress(uow, job_id, actor=signed.actor, at=dt.datetime.now(dt.UTC))


async def _download(
    request: Request,
    signed: Signed,
    request_id: str,
    write: RequestFileWriter,
    file_suffix: str,
    *,
    media_type: str,
) -> Response:
    """A request's file, written by ``write(number, uow, out)`` in a unit of work of its own
    and sent as it is written; refusals (no such request, a code the symbology cannot hold)
    answered as pages."""
    if not signed.may(Role.LINE):
        return console_problem(request, signed, 403, NOT_ALLOWED)
    number = row_id(request_id)
    if number is None:
        message = f"request: serial request {request_id!r} does not exist"
        return console_problem(request, signed, 404, message)
    database: Database = request.app.state.database

    def written(out: FilePipe) -> None:
        with database.unit_of_work(read_only=True) as uow:
            get_request(uow, number)  # a missing request is refused before any byte
            write(number, uow, out)

    try:
        return await streamed_file(
            written,
            media_type=media_type,
            file_name=f"serial-request-{number}-{file_suffix}",
            headers=NO_STORE,
        )
    except Refused as refusal:
        return console_problem(request, signed, problem_for(refusal).status, str(refusal))


def _settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


def _symbology(text: str) -> Symbology | None:
    try:
        return Symbology(text)
    except ValueError:
        return None


def _symbology_refusal(text: str) -> str:
    names = ", ".join(symbology.value for symbology in Symbology)
    return f"symbology: {text!r} is not one of {names}"
