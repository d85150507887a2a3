"""The GS1-conformant resolver (GS1-Conformant Resolver standard 1.1): ``/01/{gtin}/…`` and the
other primary keys' paths, and its description file at ``/.well-known/gs1resolver``.

A GS1 Digital Link URI is answered by redirection (307) to the default link, or to the link of
the ``linkType`` asked for, chosen by the request's ``context``, ``Accept-Language`` and
``Accept``; the query string is passed on. ``linkType=linkset`` (or ``all``) or
``Accept: application/linkset+json`` gets the RFC 9264 linkset; a link type with no link is a
404. Every answer names the linkset in a ``Link`` header. ``Accept: application/json`` without a
``linkType`` still gets the scan JSON in place, for the apps that ask for it, and with
``linkType=gs1:verificationService`` the GS1 Lightweight Verification response in place (where
the brand set no verification service of its own), for DSCSA requesters. A URI that breaks
the Digital Link syntax is a 400, never a 200.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from unitrace.api.callers import caller_of
from unitrace.api.dependencies import database
from unitrace.api.json_bodies import StrictJsonRoute
from unitrace.api.preferences import ranked_preferences
from unitrace.api.problems import problem
from unitrace.api.routers.verification import (
    CORS,
    LINKSET_JSON,
    answer_scan,
    requested_uri,
    too_many,
)
from unitrace.gs1 import InvalidCode
from unitrace.gs1.digital_link import DigitalLink, parse_digital_link
from unitrace.gs1.digital_link_compression import COMPRESSED_SEGMENT, uncompressed_uri
from unitrace.gs1.link_types import GS1_VOCABULARY, requested_link_type
from unitrace.gs1.syntax_dictionary import SYNTAX_DICTIONARY
from unitrace.services.resolution import (
    DEFAULT_LINK,
    DEFAULT_LINK_MULTI,
    VERIFICATION_SERVICE,
    Link,
    Resolution,
    choose,
    indistinguishable,
    resolution,
)
from unitrace.store.unit_of_work import Database
from unitrace.web.pages import bad_code_page

router = APIRouter(tags=["resolver"], route_class=StrictJsonRoute)
CurrentDatabase = Annotated[Database, Depends(database)]

#: GS1's JSON-LD context for linksets (GS1-Conformant Resolver standard, artefacts).
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
JSON_LD_CONTEXT_LINK = (
    f'<{LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
)
#: The primary keys the description file may name (its schema's list).
DESCRIBED_PRIMARY_KEYS = (
    "01", "8006", "8013", "8010", "410", "411", "412", "413", "414", "415", "416", "417",
    "8017", "8018", "255", "00", "253", "401", "402", "8003", "8004",
)  # fmt: skip
VARY = "Accept, Accept-Language"


async def resolve(request: Request, db: CurrentDatabase) -> Response:
    """A GS1 Digital Link URI on this resolver, answered as the caller asks."""
    accept = request.headers.get("accept", "")
    link_type = request.query_params.get("linkType")
    uri = _without_trailing_slash(requested_uri(request))
    same_as = None
    try:
        link = parse_digital_link(uri)
    except InvalidCode as error:
        try:
            same_as = uncompressed_uri(uri)
            if same_as is None:
                return _bad_link(str(error), accept)
            link = parse_digital_link(same_as)
        except InvalidCode as compressed_error:
            return _bad_link(str(compressed_error), accept)
        # the uncompressed URI is the subject of all that is said (standard: "The URI used as
        # the subject of facts presented SHALL be the uncompressed version")
        uri = same_as
    # every answer reads the unit (its lot, its recall), so it says whether a serial exists:
    # the caller's answers are limited as its scans are, in a bucket of their own so that a
    # scan's redirect and the verification page it leads to are not counted twice
    refused = await too_many(request, "rs:" + caller_of(request).removeprefix("ip:"))
    if refused is not None:
        return refused
    origin = f"{request.url.scheme}://{request.url.netloc}"
    found = await anyio.to_thread.run_sync(_read_resolution, db, link, origin)
    headers = {**CORS, "Link": _linkset_link(found.anchor), "Vary": VARY}
    if same_as is not None:
        headers["Link"] += f', <{same_as}>; rel="owl:sameAs"'
    if link_type in ("linkset", "all") or (link_type is None and LINKSET_JSON in accept):
        headers["Link"] += ", " + JSON_LD_CONTEXT_LINK
        return JSONResponse(found.linkset(), media_type=LINKSET_JSON, headers=headers)
    if link_type is None and "application/json" in accept:
        scan = await answer_scan(request, None, uri, "json")
        # the same URI is a redirect for another Accept: a cache must keep them apart
        scan.headers.update({"Link": headers["Link"], "Vary": VARY})
        return scan
    wanted = requested_link_type(link_type) if link_type is not None else None
    if (
        wanted == VERIFICATION_SERVICE
        and VERIFICATION_SERVICE not in found.brand_types
        and _prefers_json(accept)
    ):
        # a DSCSA requester's program asks for JSON and reads the answer in place (the
        # contract partners wrote against); a client that takes anything (*/*, GS1's test
        # suite) is redirected to the same response at /verify/lms/…
        verification = await answer_scan(request, None, uri, "lms")
        verification.headers.update({"Link": headers["Link"], "Vary": VARY})
        return verification
    if link_type is None:
        candidates = list(found.defaults)
    else:
        if wanted in (DEFAULT_LINK, DEFAULT_LINK_MULTI):
            candidates = list(found.defaults)
        else:
            candidates = found.of_type(wanted) if wanted is not None else []
        if not candidates:
            answer = problem(
                404,
                "no-such-link",
                "No link of that type",
                f"linkType: {link_type} — this resolver has no link of that type for "
                f"{found.anchor}; linkType=linkset lists those it has",
            )
            answer.headers.update(headers)
            return answer
    # ``lang`` and ``mediaType`` in the query say what the headers would, for a link that
    # cannot set headers (a printed code); GS1's resolver test suite sends them so
    params = request.query_params
    chosen = choose(
        candidates,
        context=params.get("context"),
        languages=[
            *params.getlist("lang"),
            *ranked_preferences(request.headers.get("accept-language", "")),
        ],
        media_types=[*params.getlist("mediaType"), *ranked_preferences(accept)],
    )
    if link_type is not None and indistinguishable(chosen):
        return _multiple_choices(found, chosen, headers)
    location = _passing_query_on(chosen[0].href, uri.partition("?")[2])
    return Response(status_code=307, headers={**headers, "Location": location})


def _read_resolution(db: Database, link: DigitalLink, origin: str) -> Resolution:
    with db.unit_of_work(read_only=True) as reader:
        return resolution(reader, link, origin)


def _without_trailing_slash(uri: str) -> str:
    """The URI without one ``/`` ending its path (standard: a resolver SHOULD tolerate it)."""
    path, mark, query = uri.partition("?")
    if path.endswith("/") and path.count("/") > 3:
        path = path[:-1]
    return path + mark + query


def _bad_link(detail: str, accept: str) -> Response:
    if "json" in accept:
        answer = problem(400, "invalid-digital-link", "Invalid GS1 Digital Link", detail)
        answer.headers.update(CORS)
        return answer
    return HTMLResponse(bad_code_page(detail), status_code=400, headers=CORS)


def _linkset_link(anchor: str) -> str:
    return f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET_JSON}"'


def _passing_query_on(href: str, query: str) -> str:
    """``href`` with the request's query string (standard: "by default, SHALL pass on all
    key=value pairs in the query string of the request URI (if present) when redirecting")."""
    if not query:
        return href
    return href + ("&" if "?" in href else "?") + query


def _multiple_choices(found: Resolution, links: list[Link], headers: dict[str, str]) -> Response:
    """300 with the links nothing in the request could choose between."""
    body: dict[str, Any] = {"anchor": found.anchor}
    for link in links:
        body.setdefault(link.link_type, []).append(link.target())
    return JSONResponse({"linkset": [body]}, status_code=300, headers=headers)


def _prefers_json(accept: str) -> bool:
    """Whether ``application/json`` itself (not ``*/*`` nor ``application/*``) is the first of
    the media types ``accept`` ranks."""
    ranked = ranked_preferences(accept)
    return bool(ranked) and ranked[0] == "application/json"


async def resolve_compressed(request: Request, db: CurrentDatabase, segment: str) -> Response:
    """A compressed GS1 Digital Link URI (``/<compressed>``): answered as its uncompressed
    URI is; a path that is no compressed Digital Link is not found."""
    try:
        if (
            not COMPRESSED_SEGMENT.match(segment)
            or uncompressed_uri(requested_uri(request)) is None
        ):
            raise InvalidCode(segment)
    except InvalidCode:
        answer = problem(404, "not-found", "Not found", f"no resource at /{segment}")
        answer.headers.update(CORS)
        return answer
    return await resolve(request, db)


#: The compressed URIs' route: one path segment, so it is installed after every other route.
compressed_router = APIRouter(route_class=StrictJsonRoute)
compressed_router.add_api_route(
    "/{segment}", resolve_compressed, methods=["GET", "HEAD"], include_in_schema=False
)


@compressed_router.options("/{segment}", include_in_schema=False)
async def compressed_options(request: Request, segment: str) -> Response:
    try:
        compressed = COMPRESSED_SEGMENT.match(segment) and uncompressed_uri(requested_uri(request))
    except InvalidCode:
        compressed = None
    if not compressed:
        return problem(404, "not-found", "Not found", f"no resource at /{segment}")
    return await resolver_options()


async def resolver_options() -> Response:
    return Response(status_code=204, headers={**CORS, "Allow": "GET, HEAD, OPTIONS"})


@router.get("/.well-known/gs1resolver", summary="Resolver description file")
async def description_file(request: Request) -> JSONResponse:
    """What this resolver is (GS1-Conformant Resolver standard: its description file): its
    root, the primary keys it serves, the link type namespace and the linkset's JSON-LD
    context."""
    origin = f"{request.url.scheme}://{request.url.netloc}"
    served = {ai for ai, entry in SYNTAX_DICTIONARY.items() if entry.digital_link_primary_key}
    described = {
        "name": "unitrace GS1-conformant resolver",
        "resolverRoot": origin,
        "supportedPrimaryKeys": [ai for ai in DESCRIBED_PRIMARY_KEYS if ai in served],
        "supportedLinkType": [{"namespace": GS1_VOCABULARY, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": LINKSET_CONTEXT,
    }
    return JSONResponse(described, headers=CORS)


# HEAD as its CORS headers say (``GET, HEAD, OPTIONS``)
router.add_api_route(
    "/.well-known/gs1resolver", description_file, methods=["HEAD"], include_in_schema=False
)


@router.options("/.well-known/gs1resolver", include_in_schema=False)
async def description_file_options() -> Response:
    return await resolver_options()


#: What the OpenAPI says of the resolver's path (its parameters are read from the URI itself,
#: so FastAPI cannot see them).
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
                "A GS1 link type (gs1:pip, gs1:verificationService …) to be redirected to; "
                "linkset (or all) for the RFC 9264 linkset"
            ),
            "schema": {"type": "string"},
        },
        {
            "name": "context",
            "in": "query",
            "required": False,
            "description": "Chooses between links of one type by their context, e.g. US",
            "schema": {"type": "string"},
        },
    ],
    "responses": {
        "307": {"description": "To the default link, or the link of the linkType asked for"},
        "200": {
            "description": (
                "The linkset (linkType=linkset or Accept: application/linkset+json); the scan "
                "JSON for Accept: application/json"
            ),
            "content": {
                "application/linkset+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        "300": {"description": "Several links of the type, nothing in the request to choose"},
        "400": {"description": "Not a GS1 Digital Link (a page, or problem+json for JSON)"},
        "404": {"description": "No link of the linkType asked for"},
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
            openapi_extra=RESOLVER_OPENAPI,
        )
        app_router.add_api_route(
            f"/{ai}/{{path:path}}", resolve, methods=["HEAD"], include_in_schema=False
        )
        app_router.add_api_route(
            f"/{ai}/{{path:path}}", resolver_options, methods=["OPTIONS"], include_in_schema=False
        )


install_resolver_routes(router)
