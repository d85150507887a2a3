"""Public verification: ``POST /api/scans`` and the pages the resolver's links lead to
(``/verify/01/{gtin}/…``: the verification page, or the scan JSON for
``Accept: application/json``; ``/verify/lms/01/{gtin}/…``: the GS1 Lightweight Verification
response), rate-limited per caller (its address) and open to anyone. Every GET is a scan,
logged. A URI that breaks the Digital Link syntax is a 400, never a 200.
"""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from unitrace.api.callers import caller_of
from unitrace.api.dependencies import database, optional_caller
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.api.problems import problem
from unitrace.api.rate_limits import CallerLimits
from unitrace.gs1 import InvalidCode
from unitrace.gs1.digital_link import parse_digital_link
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY
from unitrace.services.cold_chain.conditions import storage_in_words
from unitrace.services.resolution import VERIFICATION_PAGE_PATH, VERIFICATION_SERVICE_PATH
from unitrace.services.scan_answers import scan_json
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.scan_time import may_give_time
from unitrace.services.verification import DEFAULT_RULES, ScanRequest, VerificationResult
from unitrace.store.unit_of_work import Database
from unitrace.web.pages import bad_code_page
from unitrace.web.pages import verification_page as verification_page_html

router = APIRouter(tags=["verification"], route_class=StrictJsonRoute)
# Scans are written by the service's scan intake, in batches; the linkset only reads.
CurrentDatabase = Annotated[Database, Depends(database)]

LINKSET_JSON = "application/linkset+json"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Expose-Headers": "Link, Retry-After",
}


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=2048, description="What the scanner read, in any form.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    country: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2")
    region: str | None = Field(None, max_length=6, description="ISO 3166-2, e.g. MY-14")
    city: str | None = Field(None, max_length=100)
    client: str | None = Field(None, max_length=100, description="The scanning app's id.")
    at: AwareDatetime | None = Field(
        None,
        description=(
            "When the scan was made, with its UTC offset: taken only from a scanner that sends "
            "a verifier, distributor or admin token, and only if not in the future nor before "
            "the unit was commissioned; else the scan is logged at the service's time "
            "(scanned_at in the answer)"
        ),
    )


async def too_many(request: Request, caller: str) -> Response | None:
    """429 when ``caller`` (a hashed address) is over its rate or held for guessing codes;
    the request is counted against its limit otherwise."""
    limits: CallerLimits = request.app.state.caller_limits
    retry = await limits.retry_after(caller)
    if retry is None:
        return None
    answer = problem(
        429,
        "too-many-requests",
        "Too many requests",
        f"this client may verify again in {retry} s",
    )
    answer.headers["Retry-After"] = str(retry)
    answer.headers.update(CORS)
    return answer


@router.post(
    "/api/scans",
    responses={
        401: {"description": "An Authorization header without a live bearer token"},
        429: {"description": "Too many scans from this client"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ScanIn.model_json_schema()}},
        }
    },
)
async def scan(request: Request) -> Response:
    """Verify a scanned code: the verdict, first scan or not, where it was first scanned.
    Anyone may scan; a scanner's token (verifier, distributor, admin) lets it say when the
    scan was made (``at``), and a token given must be live."""
    # the body is read by pydantic's own JSON parser, not FastAPI's generic body handling:
    # the busiest route of the service keeps its per-request work small
    try:
        body = ScanIn.model_validate_json(await request.body())
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False)) from None
    return await scanned_answer(request, body)


async def scanned_answer(request: Request, body: ScanIn) -> Response:
    """The answer to the scan ``body`` read from ``request``: 429 for a caller over its
    limit, else the scan verified and logged (the route's work once its body is read, shared
    with :class:`~unitrace.api.scan_lane.ScanLane`)."""
    caller = caller_of(request)
    refused = await too_many(request, caller)
    if refused is not None:
        return refused
    actor = await optional_caller(request)
    scanned = ScanRequest(
        code=body.code,
        latitude=body.lat,
        longitude=body.lon,
        country=body.country,
        region=body.region,
        city=body.city,
        # the app's id where it sent one (the clone detector counts distinct clients), but
        # the limits and the guessing detector go by the address
        client=body.client or caller,
        address=caller,
        user_agent=request.headers.get("user-agent"),
        claimed_at=body.at if may_give_time(actor) else None,
        scanner=may_give_time(actor),
    )
    result = await verified(request, scanned)
    return JSONResponse(scan_json(result), headers=CORS)


async def verified(request: Request, scanned: ScanRequest) -> VerificationResult:
    """The scan verified and logged: the service's scan intake verifies it in a batch with
    the others waiting and answers once the batch is committed."""
    intake: ScanIntake = request.app.state.scan_intake
    result = await asyncio.wrap_future(intake.submit(scanned))
    if result.throttled and scanned.address:
        # a caller caught guessing codes is refused (429) for the guessing window, whatever
        # client id it sends next
        hold = math.ceil(DEFAULT_RULES.guess_window.total_seconds())
        limits: CallerLimits = request.app.state.caller_limits
        await limits.hold(scanned.address, hold)
    return result


async def verification_options() -> Response:
    return Response(status_code=204, headers={**CORS, "Allow": "GET, HEAD, OPTIONS"})


def requested_uri(request: Request, prefix: str = "") -> str:
    """The URI ``request`` was made to, without ``prefix`` before its path, as the client
    wrote it: its path still percent-encoded (``request.url`` has it decoded, which would
    make a serial's ``%2F`` a path separator and its ``%3E`` a character no URI may hold)."""
    origin = f"{request.url.scheme}://{request.url.netloc}"
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return origin + path[len(prefix) :] + ("?" + query if query else "")


def scanned_code(request: Request, prefix: str) -> str:
    """The Digital Link a verification route was asked about: its URL without ``prefix``,
    as the code was printed (the resolver's redirect passes its query on)."""
    return requested_uri(request, prefix)


async def verification_page(request: Request, db: CurrentDatabase) -> Response:
    """The verification page the resolver's default link leads to: the page for a browser,
    the scan JSON for ``Accept: application/json``. Each GET is a scan, logged."""
    return await answer_scan(request, db, scanned_code(request, VERIFICATION_PAGE_PATH), "page")


async def verification_service(request: Request) -> Response:
    """The GS1 Lightweight Verification response for the unit (``gs1:verificationService``)."""
    return await answer_scan(request, None, scanned_code(request, VERIFICATION_SERVICE_PATH), "lms")


async def answer_scan(request: Request, db: Database | None, uri: str, kind: str) -> Response:
    """Verify and log the code ``uri`` and answer as ``kind`` says: ``page`` (the HTML page,
    or the scan JSON for ``Accept: application/json``), ``json`` or ``lms`` (GS1 Lightweight
    Verification)."""
    accept = request.headers.get("accept", "")
    wants_json = kind != "page" or "application/json" in accept
    try:
        parse_digital_link(uri)
    except InvalidCode as error:
        if wants_json or LINKSET_JSON in accept:
            answer = problem(400, "invalid-digital-link", "Invalid GS1 Digital Link", str(error))
            answer.headers.update(CORS)
            return answer
        return HTMLResponse(bad_code_page(str(error)), status_code=400, headers=CORS)
    if request.method == "HEAD":
        return Response(headers=CORS)  # a look, not a scan: nothing is logged
    caller = caller_of(request)
    refused = await too_many(request, caller)
    if refused is not None:
        return refused
    scanned = ScanRequest(
        code=uri, client=caller, address=caller, user_agent=request.headers.get("user-agent")
    )
    result = await verified(request, scanned)
    if kind == "lms":
        return JSONResponse(result.gs1_verification_response(), headers=CORS)
    if wants_json:
        return JSONResponse(scan_json(result), headers=CORS)
    storage = None
    if result.product is not None and db is not None:
        storage = await anyio.to_thread.run_sync(_read_storage, db, result.product.gtin)
    page = verification_page_html(result, scan_url="/api/scans", code=uri, storage=storage)
    return HTMLResponse(page, headers={**CORS, "Cache-Control": "no-store"})


def _read_storage(db: Database, gtin: str) -> str | None:
    """The product's storage conditions in words, for the page (not the scan JSON: a phone's
    app asks for the product's page when it shows one)."""
    with db.unit_of_work(read_only=True) as reader:
        return storage_in_words(reader, gtin)


#: What the OpenAPI says of a verification path (read from the URI itself, so FastAPI cannot
#: see it).
_VERIFY_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "path",
            "in": "path",
            "required": True,
            "description": (
                "The rest of the GS1 Digital Link after /01/: the GTIN, then its qualifiers "
                "in order, e.g. 09506000134352/10/L2611A/21/X1"
            ),
            "schema": {"type": "string"},
            "example": "09506000134352/10/L2611A/21/X1",
        }
    ]
}


def install_verification_routes(app_router: APIRouter) -> None:
    """The verification page and service of every GS1 Digital Link primary key, under
    ``/verify/…`` and ``/verify/lms/…``: where the resolver's links lead."""
    for ai, entry in sorted(SYNTAX_DICTIONARY.items()):
        if not entry.digital_link_primary_key:
            continue
        for prefix, endpoint, summary in (
            (VERIFICATION_SERVICE_PATH, verification_service, "GS1 Lightweight Verification"),
            (VERIFICATION_PAGE_PATH, verification_page, "Verification page"),
        ):
            app_router.add_api_route(
                f"{prefix}/{ai}/{{path:path}}",
                endpoint,
                methods=["GET"],
                include_in_schema=ai == "01",
                summary=summary if ai == "01" else None,
                response_class=HTMLResponse if endpoint is verification_page else JSONResponse,
                openapi_extra=_VERIFY_OPENAPI,
            )
            app_router.add_api_route(
                f"{prefix}/{ai}/{{path:path}}", endpoint, methods=["HEAD"], include_in_schema=False
            )
            app_router.add_api_route(
                f"{prefix}/{ai}/{{path:path}}",
                verification_options,
                methods=["OPTIONS"],
                include_in_schema=False,
            )


install_verification_routes(router)
