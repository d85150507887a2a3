"""Public verification: ``POST /api/scans`` and the GS1 Digital Link resolver routes
(``/01/{gtin}/…``), both rate-limited per caller (its address) and open to anyone.

The resolver answers one URI in several ways (GS1 Digital Link resolver behaviour): a browser
gets the verification page, ``Accept: application/json`` the scan JSON,
``linkType=gs1:verificationService`` the GS1 Lightweight Verification response, and
``Accept: application/linkset+json`` or ``linkType=linkset`` the RFC 9264 linkset of the
product's links. A URI that breaks the Digital Link syntax is a 400, never a 200.
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
from unitrace.api.dependencies import database, optional_caller, settings
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.api.problems import problem
from unitrace.api.rate_limits import CallerLimits
from unitrace.config import Settings
from unitrace.gs1 import Gtin, InvalidCode
from unitrace.gs1.digital_link import DigitalLink, parse_digital_link
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY
from unitrace.registry.model import LotStatus
from unitrace.services.cold_chain.conditions import storage_in_words
from unitrace.services.scan_answers import scan_json
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.scan_time import may_give_time
from unitrace.services.verification import DEFAULT_RULES, ScanRequest, VerificationResult
from unitrace.store.recalls import RecallNotice
from unitrace.store.unit_of_work import Database, UnitOfWork
from unitrace.web.pages import bad_code_page, verification_page

router = APIRouter(tags=["verification"], route_class=StrictJsonRoute)
CurrentSettings = Annotated[Settings, Depends(settings)]
# Scans are written by the service's scan intake, in batches; the linkset only reads.
CurrentDatabase = Annotated[Database, Depends(database)]

LINKSET_JSON = "application/linkset+json"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Expose-Headers": "Link, Retry-After",
}
GS1_VOCABULARY = "https://gs1.org/voc/"


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


async def resolve_options() -> Response:
    return Response(status_code=204, headers={**CORS, "Allow": "GET, HEAD, OPTIONS"})


async def resolve(request: Request, db: CurrentDatabase, config: CurrentSettings) -> Response:
    """A GS1 Digital Link URI on this resolver, answered as the caller asks."""
    uri = str(request.url)
    accept = request.headers.get("accept", "")
    link_type = request.query_params.get("linkType")
    wants_json = "application/json" in accept or link_type == "gs1:verificationService"
    try:
        link = parse_digital_link(uri)
    except InvalidCode as error:
        if wants_json or LINKSET_JSON in accept:
            answer = problem(400, "invalid-digital-link", "Invalid GS1 Digital Link", str(error))
            answer.headers.update(CORS)
            return answer
        return HTMLResponse(bad_code_page(str(error)), status_code=400, headers=CORS)
    if link_type == "linkset" or LINKSET_JSON in accept:
        links = await anyio.to_thread.run_sync(_read_linkset, db, link, uri)
        return JSONResponse(links, media_type=LINKSET_JSON, headers=CORS)
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
    if link_type == "gs1:verificationService":
        return JSONResponse(result.gs1_verification_response(), headers=CORS)
    if wants_json:
        return JSONResponse(scan_json(result), headers=CORS)
    storage = None
    if result.product is not None:
        storage = await anyio.to_thread.run_sync(_read_storage, db, result.product.gtin)
    page = verification_page(result, scan_url="/api/scans", code=uri, storage=storage)
    return HTMLResponse(page, headers={**CORS, "Cache-Control": "no-store"})


def _read_storage(db: Database, gtin: str) -> str | None:
    """The product's storage conditions in words, for the page (not the scan JSON: a phone's
    app asks for the product's page when it shows one)."""
    with db.unit_of_work(read_only=True) as reader:
        return storage_in_words(reader, gtin)


def _read_linkset(db: Database, link: DigitalLink, uri: str) -> dict[str, Any]:
    with db.unit_of_work(read_only=True) as reader:
        return linkset(reader, link, uri)


def linkset(uow: UnitOfWork, link: DigitalLink, uri: str) -> dict[str, Any]:
    """RFC 9264 linkset of what this resolver offers for the item: the verification page
    (default link), the GS1 verification service, and a recall notice where there is one."""
    anchor = uri.split("?", 1)[0]
    elements = dict(link.elements)
    links: dict[str, Any] = {"anchor": anchor}
    product, lot = None, None
    if "01" in elements:
        gtin = Gtin(elements["01"])
        product = uow.products.get(gtin)
        lot = uow.lots.get(gtin, elements["10"]) if "10" in elements else None
    title = f"Verify {product.name}" if product is not None else "Verify this product"
    links[GS1_VOCABULARY + "defaultLink"] = [{"href": anchor, "title": title, "type": "text/html"}]
    links[GS1_VOCABULARY + "verificationService"] = [
        {
            "href": anchor + "?linkType=gs1:verificationService",
            "title": "GS1 Lightweight Verification",
            "type": "application/json",
        }
    ]
    notice = _recall_notice(uow, elements) if product is not None else None
    if notice is not None:
        links[GS1_VOCABULARY + "recallStatus"] = [
            {
                "href": anchor,
                "title": f"Recalled: {notice.reason}",
                "type": "text/html",
                "recall": notice.id,
                "instructions": notice.instructions,
            }
        ]
    elif lot is not None and lot.status is not LotStatus.RELEASED:
        links[GS1_VOCABULARY + "recallStatus"] = [
            {
                "href": anchor,
                "title": f"Lot {lot.lot} {lot.status.value}: {lot.status_reason or ''}".strip(),
                "type": "text/html",
            }
        ]
    return {"linkset": [links]}


def _recall_notice(uow: UnitOfWork, elements: dict[str, str]) -> RecallNotice | None:
    """The latest recall that reached the unit the link names, else its lot."""
    gtin = Gtin(elements["01"])
    ids = uow.products.with_id(gtin)
    if ids is None:
        return None
    if "21" in elements:
        return uow.recalls.notice_of_unit(ids[0], elements["21"])
    if "10" in elements:
        lot_id = uow.lots.id_of(gtin, elements["10"])
        return uow.recalls.notice_of_lot(int(lot_id)) if lot_id is not None else None
    return None


_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
#: What the OpenAPI says of the resolver's path (its parameters are read from the URI itself,
#: so FastAPI cannot see them): the rest of a Digital Link after its primary key's AI, and
#: the query parameters a resolver takes.
RESOLVER_OPENAPI: dict[str, Any] = {
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
        },
        {
            "name": "linkType",
            "in": "query",
            "required": False,
            "description": (
                "gs1:verificationService for the GS1 Lightweight Verification response, "
                "linkset for the RFC 9264 linkset"
            ),
            "schema": {"type": "string"},
        },
        {
            "name": "17",
            "in": "query",
            "required": False,
            "description": "The expiry date printed beside the serial, YYMMDD",
            "schema": {"type": "string"},
        },
    ],
    "responses": {
        "200": {
            "description": (
                "The verification page; the scan JSON for Accept: application/json; the GS1 "
                "verification response for linkType=gs1:verificationService; the linkset for "
                "Accept: application/linkset+json"
            ),
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
                "application/linkset+json": {"schema": {"type": "object"}},
            },
        },
        "400": {
            "description": "Not a GS1 Digital Link (a page, or problem+json when JSON is asked)",
            "content": {"text/html": {"schema": {"type": "string"}}, **_PROBLEM},
        },
        "429": {"description": "Too many scans from this client", "content": _PROBLEM},
        "503": {"description": "The service is busy: try again", "content": _PROBLEM},
    },
}


def install_resolver_routes(app_router: APIRouter) -> None:
    """One route per GS1 Digital Link primary key (``/01/…``, ``/00/…``, ``/414/…``, …)."""
    for ai, entry in sorted(SYNTAX_DICTIONARY.items()):
        if not entry.digital_link_primary_key:
            continue
        app_router.add_api_route(
            f"/{ai}/{{path:path}}",
            resolve,
            methods=["GET"],
            include_in_schema=ai == "01",
            summary="GS1 Digital Link resolver" if ai == "01" else None,
            response_class=HTMLResponse,
            openapi_extra=RESOLVER_OPENAPI,
        )
        app_router.add_api_route(
            f"/{ai}/{{path:path}}", resolve, methods=["HEAD"], include_in_schema=False
        )
        app_router.add_api_route(
            f"/{ai}/{{path:path}}", resolve_options, methods=["OPTIONS"], include_in_schema=False
        )


install_resolver_routes(router)
