"""EPCIS discovery (the REST binding's ``Discovery`` and ``Top-level`` resources):
``GET /epcis`` (the top-level resources), ``GET /epcis/epcs`` (the EPCs the caller's events
name, paged), ``GET /epcis/{resource}/{value}`` (what may be asked of one value: its
``events``), ``OPTIONS`` on every EPCIS resource (its methods, the EPCIS and CBV versions
spoken), and ``DELETE /epcis/nextPageToken/{token}`` (nothing to release: tokens hold no state).

Its routes come after the other EPCIS routers' (so that ``…/{value}/events`` is answered by the
query router), and the last of them answers what none of them does: 404, or 405 naming the
methods a resource takes.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from unitrace import __version__
from unitrace.api.dependencies import Reader
from unitrace.api.epcis_problems import VERSIONS
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.api.routers.epcis_query import Caller, collection
from unitrace.services import epcis_discovery
from unitrace.services.epcis_query import read_page_size

router = APIRouter(prefix="/epcis", tags=["EPCIS discovery"], route_class=StrictJsonRoute)

#: What ``OPTIONS`` says besides the methods: the versions spoken, each the only one; EPCs
#: come back as they were captured (an EPC URI or a Digital Link, never translated), and CBV
#: words in XML as URNs.
DISCOVERY: Final = {
    **VERSIONS,
    "GS1-EPCIS-Min": "2.0.0",
    "GS1-EPCIS-Max": "2.0.0",
    "GS1-CBV-Min": "2.0.0",
    "GS1-CBV-Max": "2.0.0",
    "GS1-EPC-Format": "Never_Translates",
    "GS1-CBV-XML-Format": "Always_URN",
    "GS1-Vendor-Version": f"unitrace-{__version__}",
}


@router.get("")
def top_level(actor: Caller) -> JSONResponse:
    """The top-level resources of this EPCIS repository."""
    return collection(list(epcis_discovery.TOP_LEVEL))


@router.options("")
def discovery(request: Request) -> Response:
    """The methods of the EPCIS root and the versions it speaks."""
    return _discovered("")


def _discovered(path: str) -> Response:
    methods = epcis_discovery.methods_of(path)
    if methods is None:
        raise StarletteHTTPException(404)
    return Response(status_code=204, headers={**DISCOVERY, "Allow": methods})


@router.get("/epcs")
def epcs(
    request: Request,
    actor: Caller,
    uow: Reader,
    per_page: Annotated[str | None, Query(alias="perPage")] = None,
    next_page_token: Annotated[str | None, Query(alias="nextPageToken")] = None,
) -> JSONResponse:
    """The EPCs the events this token may see name, as they were written, in code order;
    ``perPage`` at a time (30 unless given), the next page in the ``Link`` header."""
    page = epcis_discovery.known_epcs(
        uow, actor=actor, per_page=read_page_size(per_page), page_token=next_page_token
    )
    headers = {}
    if page.next_page_token is not None:
        following = request.url.remove_query_params("nextPageToken").include_query_params(
            nextPageToken=page.next_page_token
        )
        headers["Link"] = f'<{following}>; rel="next"'
    return collection(list(page.epcs), headers)


@router.get("/{resource}/{value:path}")
def sub_resources(resource: str, value: str, actor: Caller, uow: Reader) -> JSONResponse:
    """What may be asked of one event type, EPC, bizStep, bizLocation, readPoint or
    disposition (URL-encoded): its ``events``; 404 unless an event this token may see has
    it."""
    return collection(epcis_discovery.sub_resources(uow, resource, value, actor=actor))


@router.delete("/nextPageToken/{token}", status_code=204)
def release_page_token(token: str, actor: Caller) -> Response:
    """Release what a page token holds: nothing, since the token itself says where the next
    page starts."""
    return Response(status_code=204, headers=VERSIONS)


@router.api_route(
    "/{path:path}",
    methods=["OPTIONS", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def every_other_request(path: str, request: Request) -> Response:
    """What no route above answers: ``OPTIONS`` on any EPCIS resource (its methods and the
    versions it speaks; no token needed, it tells nothing of the events); for any other
    method, 405 naming the methods the resource takes, or 404 where there is no resource.
    Last of the EPCIS routes, so that every resource's own routes come first."""
    if request.method == "OPTIONS":
        return _discovered(f"/{path}")
    methods = epcis_discovery.methods_of(f"/{path}")
    if methods is None:
        raise StarletteHTTPException(404)
    raise StarletteHTTPException(405, headers={"Allow": methods})
