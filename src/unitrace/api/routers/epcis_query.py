"""EPCIS 2.0 query, as the official REST binding has it: ``GET /epcis/events`` with the
standard query parameters, one event by its eventID, the discovery resources (event types,
EPCs, bizSteps, bizLocations, readPoints, dispositions and their events), named queries and
their webhook subscriptions.

Answers are EPCISQueryDocuments in JSON-LD (``application/json``, ``application/ld+json``) or
XML (``application/xml``) as the ``Accept`` header asks; pages of ``perPage`` events (30 unless
asked, at most 1,000) with the next page's URL in a ``Link: <…>; rel="next"`` header. Every
token may query; what it sees is :mod:`unitrace.services.epcis_query`'s rule.

Errors are the OpenAPI's problems (:mod:`unitrace.api.epcis_problems`), in
``application/problem+json`` only: a parameter that cannot be read is a 400
``epcisException:QueryParameterException`` naming it, more events than ``maxEventCount`` a 413
``QueryTooLargeException``, an ``Accept`` naming none of the answer's forms a 406
``NotAcceptableException``, an unknown query, subscription or event a 404
``NoSuchNameException``, a bad named query body a 400 ``ValidationException``, a bad
subscription a 400 ``SubscriptionControlsException``.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Annotated, Any, Final

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from unitrace.api.dependencies import Reader, Writer, caller
from unitrace.api.epcis_problems import NOT_ACCEPTABLE, epcis_problem
from unitrace.api.json_bodies import StrictJsonRoute, strict_json
from unitrace.api.preferences import ranked_preferences
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.epcis.xml import UnwritableDocument
from unitrace.epcis.xml_write import document_to_xml
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor
from unitrace.services import epcis_discovery, epcis_named_queries, epcis_query
from unitrace.services.epcis_query import (
    CONTEXT,
    QueryDefinition,
    QueryPage,
    QueryParameterException,
    extensions_context,
)
from unitrace.services.webhooks import WebhookDestinations
from unitrace.store.epcis_query import Subscription
from unitrace.store.unit_of_work import Database, UnitOfWork

router = APIRouter(prefix="/epcis", tags=["epcis query"], route_class=StrictJsonRoute)
Caller = Annotated[Actor, Depends(caller)]

#: What every EPCIS answer says it speaks.
VERSIONS: Final = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
JSON_LD: Final = "application/ld+json"
XML: Final = "application/xml"

# --- the query parameters, as the OpenAPI document lists them ---------------------------------

_LIST = "comma-separated values, any of which matches"
_PARAMETERS: Final = [
    ("eventType", f"ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent ({_LIST})"),
    ("GE_eventTime", "events at or after this time (ISO 8601 with a zone)"),
    ("LT_eventTime", "events before this time"),
    ("GE_recordTime", "events recorded at or after this time"),
    ("LT_recordTime", "events recorded before this time"),
    ("EQ_action", f"ADD, OBSERVE, DELETE ({_LIST})"),
    ("EQ_bizStep", f"CBV words in any spelling (shipping, urn:epcglobal:cbv:bizstep:shipping, https://ref.gs1.org/cbv/BizStep-shipping) or URIs ({_LIST})"),
    ("EQ_disposition", f"CBV words in any spelling, or URIs ({_LIST})"),
    ("EQ_persistentDisposition_set", f"dispositions set persistently ({_LIST})"),
    ("EQ_persistentDisposition_unset", f"dispositions unset persistently ({_LIST})"),
    ("EQ_readPoint", f"read point URIs ({_LIST})"),
    ("WD_readPoint", f"read point URIs and every read point below them in the master data captured with documents ({_LIST})"),
    ("EQ_bizLocation", f"business location URIs ({_LIST})"),
    ("WD_bizLocation", f"business location URIs and every business location below them in the master data captured with documents ({_LIST})"),
    ("EQ_transformationID", f"transformation IDs ({_LIST})"),
    ("MATCH_epc", f"EPCs in epcList or childEPCs: EPC URIs, urn:epc:idpat patterns with *, or GS1 Digital Links (matched in every spelling: EPC URI, id.gs1.org Digital Link) ({_LIST})"),
    ("MATCH_parentID", f"parentID, as MATCH_epc reads values ({_LIST})"),
    ("MATCH_inputEPC", f"inputEPCList ({_LIST})"),
    ("MATCH_outputEPC", f"outputEPCList ({_LIST})"),
    ("MATCH_anyEPC", f"any EPC of the event: epcList, childEPCs, parentID, inputs, outputs ({_LIST})"),
    ("MATCH_epcClass", f"epcClass of quantityList or childQuantityList: urn:epc:class:lgtin, idpat patterns, Digital Links; an LGTIN also finds events naming SGTINs of its GTIN in epcList or childEPCs whose ILMD says its lot ({_LIST})"),
    ("MATCH_inputEPCClass", f"epcClass of inputQuantityList ({_LIST})"),
    ("MATCH_outputEPCClass", f"epcClass of outputQuantityList; an LGTIN also finds transformations whose outputs are SGTINs of its GTIN and whose ILMD says its lot ({_LIST})"),
    ("MATCH_anyEPCClass", f"epcClass of any quantity list; an LGTIN also as MATCH_epcClass and MATCH_outputEPCClass ({_LIST})"),
    ("EQ_eventID", f"eventIDs ({_LIST})"),
    ("EXISTS_errorDeclaration", "only events declared in error (no value)"),
    ("EQ_errorReason", f"events declared in error for these reasons: did_not_occur, incorrect_data or their CBV URIs ({_LIST})"),
    ("GE_errorDeclarationTime", "events declared in error at or after this time (also GE_errorDeclaration_Time)"),
    ("LT_errorDeclarationTime", "events declared in error before this time (also LT_errorDeclaration_Time)"),
    ("EXISTS_sensorElementList", "only events with sensor data (no value)"),
    ("EQ_type", f"sensor reports' measurement types: Temperature, gs1:Temperature or https://gs1.org/voc/Temperature, or an extension's URI ({_LIST})"),
    ("EQ_deviceID", f"sensor device URIs, of a sensorMetadata or a sensorReport ({_LIST})"),
    ("EQ_dataProcessingMethod", f"URIs ({_LIST})"),
    ("EQ_microorganism", f"URIs ({_LIST})"),
    ("EQ_chemicalSubstance", f"URIs ({_LIST})"),
    ("EQ_bizRules", f"URIs ({_LIST})"),
    ("EQ_stringValue", f"sensor reports' stringValue ({_LIST})"),
    ("EQ_booleanValue", "sensor reports' booleanValue: true or false"),
    ("EQ_hexBinaryValue", f"sensor reports' hexBinaryValue, in either case ({_LIST})"),
    ("EQ_uriValue", f"sensor reports' uriValue ({_LIST})"),
    ("GE_time", "sensor data at or after this time"),
    ("LT_time", "sensor data before this time"),
    ("GE_startTime", "sensor data whose range starts at or after this time"),
    ("LT_startTime", "sensor data whose range starts before this time"),
    ("GE_endTime", "sensor data whose range ends at or after this time"),
    ("LT_endTime", "sensor data whose range ends before this time"),
    ("GE_percRank", "sensor reports' percRank at least this number (also GT_, LT_, LE_percRank)"),
    ("orderBy", "eventTime or recordTime; without it, eventTime oldest first"),
    ("orderDirection", "ASC or DESC (DESC unless given, when orderBy is)"),
    ("eventCountLimit", "at most this many events in all pages together"),
    ("maxEventCount", "413 QueryTooLargeException when more events than this match"),
    ("perPage", "events per page: 30 unless given, at most 1000"),
    ("nextPageToken", "the page a Link header pointed to"),
]  # fmt: skip
_PATTERNED = (
    "EQ_bizTransaction_<type>, EQ_source_<type> and EQ_destination_<type> (a CBV type word: po, "
    "owning_party, …) take URIs, comma-separated. EQ_, GT_, GE_, LT_, LE_ of value, minValue, "
    "maxValue, meanValue, sDev and percValue, followed by a UN/CEFACT unit code (GE_value_CEL), "
    "take a number: temperatures compare in CEL, FAH or KEL alike, other quantities in their own unit."
)


def _openapi(extra: str = "") -> dict[str, Any]:
    return {
        "parameters": [
            {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
            for name, text in _PARAMETERS
        ],
        "responses": {
            "200": {
                "description": "An EPCISQueryDocument; a Link header with rel=\"next\" while more pages follow. " + extra,
                "content": {
                    JSON_LD: {"schema": {"type": "object"}},
                    "application/json": {"schema": {"type": "object"}},
                    XML: {"schema": {"type": "string"}},
                },
            },
            "400": {"description": "QueryParameterException naming the parameter (problem+json)"},
            "413": {"description": "QueryTooLargeException: more events than maxEventCount"},
        },
    }  # fmt: skip


# --- answers ------------------------------------------------------------------------------


def media_type_of(request: HTTPConnection) -> str | None:
    """The answer's media type by the ``Accept`` header (of a request, or of a WebSocket's
    handshake): JSON-LD unless XML is preferred; ``None`` when neither is acceptable."""
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return "application/json"
    for media in ranked_preferences(accept):
        if media in (JSON_LD, "application/json"):
            return media
        if media in (XML, "text/xml"):
            return XML
        if media in ("*/*", "application/*"):
            return "application/json"
    return None


def _not_acceptable(request: Request) -> JSONResponse:
    return epcis_problem(
        NOT_ACCEPTABLE,
        f"Accept: {request.headers.get('accept')!r}: answers are application/ld+json, "
        "application/json or application/xml",
    )


def _page_response(request: Request, page: QueryPage, media: str) -> Response:
    headers = dict(VERSIONS)
    if page.next_page_token is not None:
        following = request.url.remove_query_params("nextPageToken").include_query_params(
            nextPageToken=page.next_page_token
        )
        headers["Link"] = f'<{following}>; rel="next"'
    if media == XML:
        try:
            body = document_to_xml(page.document)
        except UnwritableDocument as error:
            return epcis_problem(NOT_ACCEPTABLE, f"the answer has no XML form: {error}")
        return Response(body, media_type=XML, headers=headers)
    return Response(
        json.dumps(page.document, ensure_ascii=False, separators=(",", ":")).encode(),
        media_type=media,
        headers=headers,
    )


def _query_page(
    request: Request,
    actor: Actor,
    *,
    uow: UnitOfWork | None = None,
    fixed: dict[str, tuple[str, ...]] | None = None,
    definition: QueryDefinition | None = None,
    query_name: str = epcis_query.SIMPLE_EVENT_QUERY,
) -> Response:
    """A page of events: the query string's parameters (and ``fixed`` ones from the path,
    AND-ed with them), or a named query's ``definition`` with only the page parameters; in
    ``uow``, else in a unit of work of its own (opened here rather than by a dependency, which
    would cost the hot query path two more hops between threads)."""
    media = media_type_of(request)
    if media is None:
        return _not_acceptable(request)

    def page() -> QueryPage:
        parameters, paging = epcis_query.query_string_parameters(request.query_params.multi_items())
        wanted = definition
        extensions = request.headers.get("GS1-Extensions")
        if extensions is not None and wanted is None and CONTEXT not in parameters:
            # the prefixes of extension fields a query string names (EQ_ILMD_ext1:size)
            parameters[CONTEXT] = (extensions_context(extensions),)
        if wanted is None:
            for key, values in (fixed or {}).items():
                if key in parameters:
                    raise QueryParameterException(key, "is given by the path already")
                parameters[key] = values
            wanted = epcis_query.read_query(parameters)
        elif parameters:
            first = sorted(parameters)[0]
            raise QueryParameterException(
                first, "a named query's events take only perPage and nextPageToken"
            )
        if uow is None:
            with _database(request).unit_of_work(read_only=True) as own:
                return _run(own, wanted, paging)
        return _run(uow, wanted, paging)

    def _run(reading: UnitOfWork, wanted: QueryDefinition, paging: dict[str, str]) -> QueryPage:
        return epcis_query.run_query(
            reading,
            wanted,
            actor=actor,
            per_page=epcis_query.read_page_size(paging.get("perPage")),
            page_token=paging.get("nextPageToken"),
            query_name=query_name,
        )

    return _page_response(request, page(), media)


def _database(request: Request) -> Database:
    found: Database = request.app.state.database
    return found


# --- events -------------------------------------------------------------------------------


@router.get(
    "/events",
    openapi_extra=_openapi(),
    description="EPCIS events matching the standard query parameters (AND across parameters, OR "
    "within one). WD_readPoint and WD_bizLocation match a location and every location below "
    "it in the master data (the children of ReadPoint and BusinessLocation vocabulary elements "
    "in captured documents' headers). " + _PATTERNED,
)
def events(request: Request, actor: Caller) -> Response:
    """Query the events."""
    return _query_page(request, actor)


@router.get("/events/{event_id:path}")
def event(event_id: str, request: Request, actor: Caller) -> Response:
    """One event by its eventID (URL-encoded), as an EPCISQueryDocument."""
    media = media_type_of(request)
    if media is None:
        return _not_acceptable(request)
    with _database(request).unit_of_work(read_only=True) as uow:
        page = epcis_query.find_event(uow, event_id, actor=actor)
    return _page_response(request, page, media)


# --- discovery ------------------------------------------------------------------------------

_VOCABULARIES: Final = {
    "eventTypes": "type",
    "bizSteps": "biz_step",
    "bizLocations": "biz_location",
    "readPoints": "read_point",
    "dispositions": "disposition",
}


def collection(members: list[str], headers: dict[str, str] | None = None) -> JSONResponse:
    """A discovery resource's answer: the REST binding's Collection of ``members``."""
    return JSONResponse(
        {"@context": EPCIS_CONTEXT, "type": "Collection", "member": members},
        headers={**VERSIONS, **(headers or {})},
    )


def _vocabulary_route(resource: str, column: str) -> None:
    @router.get(f"/{resource}", name=f"list_{resource}")
    def listed(actor: Caller, uow: Reader) -> JSONResponse:
        return collection(epcis_query.vocabulary(uow, column, actor=actor))

    listed.__doc__ = f"The {resource} of the events this token may see."


for _resource, _column in _VOCABULARIES.items():
    _vocabulary_route(_resource, _column)


def _events_route(resource: str, parameter: str) -> None:
    @router.get(
        f"/{resource}/{{value:path}}/events", name=f"{resource}_events", openapi_extra=_openapi()
    )
    def events_of(value: str, request: Request, actor: Caller) -> Response:
        return _query_page(request, actor, fixed={parameter: (value,)})

    events_of.__doc__ = (
        f"The events with this {resource[:-1]} (URL-encoded; as {parameter}), with any of the "
        "query parameters of /epcis/events."
    )


for _resource, _parameter in epcis_discovery.PARAMETER_OF.items():
    _events_route(_resource, _parameter)


# --- named queries ----------------------------------------------------------------------------


def _query_json(found: Any) -> dict[str, Any]:
    return {"name": found.name, "query": found.query}


async def _json_body(request: Request) -> Any:
    """The body as JSON (None where it is not): parsed off the event loop, so a large or deeply
    nested body holds up no other request."""
    body = await request.body()
    return await anyio.to_thread.run_sync(_parsed_json, body)


def _parsed_json(body: bytes) -> Any:
    try:
        return strict_json(body)
    except ValueError:
        return None


@router.post("/queries", status_code=201)
async def create_query(request: Request, actor: Caller) -> Response:
    """Create a named query ``{"name": …, "query": {…parameters as the query schema has them…}}``:
    201 with its Location; 409 if the name is taken; 400 naming a bad parameter."""
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise InvalidRequest('send {"name": …, "query": {…}}')
    unknown = sorted(set(body) - {"name", "query"})
    if unknown:
        raise InvalidRequest(f"{unknown[0]}: not a field of a named query")
    database = _database(request)

    def create() -> Any:
        with database.unit_of_work() as uow:
            created = epcis_named_queries.create_named_query(
                uow, body.get("name"), body.get("query"), actor=actor
            )
            uow.commit()
        return created

    created = await run_in_threadpool(create)
    location = "/epcis/queries/" + urllib.parse.quote(created.name, safe="")
    return JSONResponse(
        _query_json(created), status_code=201, headers={**VERSIONS, "Location": location}
    )


@router.get("/queries")
def queries(actor: Caller, uow: Reader) -> JSONResponse:
    """The named queries of this token's owner (the brand's for admin and line tokens, else
    its party's), unpaginated."""
    return JSONResponse(
        [_query_json(found) for found in epcis_named_queries.named_queries(uow, actor=actor)],
        headers=VERSIONS,
    )


@router.get("/queries/{name}")
def query(name: str, actor: Caller, uow: Reader) -> JSONResponse:
    """A named query's definition."""
    return JSONResponse(
        _query_json(epcis_named_queries.named_query(uow, name, actor=actor)), headers=VERSIONS
    )


@router.delete("/queries/{name}", status_code=204)
def delete_query(name: str, actor: Caller, uow: Writer) -> Response:
    """Remove a named query and every subscription to it."""
    epcis_named_queries.delete_named_query(uow, name, actor=actor)
    uow.commit()
    return Response(status_code=204, headers=VERSIONS)


@router.get("/queries/{name}/events", openapi_extra=_openapi())
def query_events(name: str, request: Request, actor: Caller, uow: Reader) -> Response:
    """A named query's events, a page at a time (only perPage and nextPageToken here)."""
    found = epcis_named_queries.named_query(uow, name, actor=actor)
    return _query_page(
        request,
        actor,
        uow=uow,
        definition=epcis_named_queries.definition_of(found),
        query_name=found.name,
    )


# --- subscriptions ----------------------------------------------------------------------------


@router.post("/queries/{name}/subscriptions", status_code=201)
async def subscribe(name: str, request: Request, actor: Caller) -> Response:
    """Subscribe a webhook to a named query: ``{"dest", "signatureToken"?, "stream": true}`` or
    ``{"dest", "signatureToken"?, "schedule": {"second"?, "minute"?, "hour"?, "dayOfMonth"?,
    "month"?, "dayOfWeek"?}, "reportIfEmpty"?}`` (schedule in UTC). Events are POSTed to
    ``dest`` as EPCISQueryDocuments, with ``GS1-Signature: sha256=<hex HMAC-SHA256 of the body
    keyed with signatureToken>`` when a token is given; failed deliveries are retried with
    exponential backoff, 8 times before the subscription is suspended. ``dest`` is http or
    https without credentials, on a publicly routable address (or in a network the operator
    allows, ``UNITRACE_WEBHOOK_ALLOWED_NETWORKS``); revoking the token that subscribed
    suspends the subscription."""
    body = await _json_body(request)
    database = _database(request)
    destinations: WebhookDestinations = request.app.state.webhook_destinations

    def create() -> Subscription:
        # the destination's DNS look-up, before the transaction and off the event loop
        checked = epcis_query.read_subscription(body, destinations=destinations)
        with database.unit_of_work() as uow:
            made = epcis_named_queries.subscribe(uow, name, checked, actor=actor)
            uow.commit()
        return made

    created = await run_in_threadpool(create)
    location = f"/epcis/queries/{urllib.parse.quote(name, safe='')}/subscriptions/{created.subscription_id}"
    return JSONResponse(
        epcis_query.subscription_json(created),
        status_code=201,
        headers={**VERSIONS, "Location": location},
    )


@router.get("/queries/{name}/subscriptions")
def subscriptions(name: str, actor: Caller, uow: Reader) -> JSONResponse:
    """The subscriptions to a named query, with their delivery state."""
    found = epcis_named_queries.subscriptions(uow, name, actor=actor)
    return JSONResponse([epcis_query.subscription_json(item) for item in found], headers=VERSIONS)


@router.get("/queries/{name}/subscriptions/{subscription_id}")
def subscription(name: str, subscription_id: str, actor: Caller, uow: Reader) -> JSONResponse:
    found = epcis_named_queries.subscription(uow, name, subscription_id, actor=actor)
    return JSONResponse(epcis_query.subscription_json(found), headers=VERSIONS)


@router.delete("/queries/{name}/subscriptions/{subscription_id}", status_code=204)
def unsubscribe(name: str, subscription_id: str, actor: Caller, uow: Writer) -> Response:
    epcis_named_queries.unsubscribe(uow, name, subscription_id, actor=actor)
    uow.commit()
    return Response(status_code=204, headers=VERSIONS)
