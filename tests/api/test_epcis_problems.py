"""Errors on the EPCIS routes, as the official REST binding (OpenAPI) has them: every refusal of
every ``/epcis`` route answered with a status the OpenAPI lists for that operation, an
``epcisException:…`` type it allows for that status, and an RFC 7807 body valid against its
``RFC7807ProblemResponseBody`` schema whose detail names what to fix; ``/api`` routes keep
unitrace's own problems."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import RESOLVER
from unitrace.api.app import create_app
from unitrace.api.epcis_problems import epcis_problem_for
from unitrace.config import Settings
from unitrace.epcis import EPCIS_CONTEXT
from unitrace.gs1 import InvalidCode
from unitrace.registry.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    Refused,
    TransitionRefused,
)
from unitrace.services.epcis_capture import jobs, limits
from unitrace.services.epcis_query import QueryParameterException, QueryTooLargeException
from unitrace.store.unit_of_work import Database

OPENAPI = Path("epcis") / "rest-bindings" / "openapi.yaml"
PROBLEM_JSON = "application/problem+json"
#: A public address, so that no name needs resolving before a subscription is checked further.
HOOK = "https://93.184.215.14/hook"


# --- what the OpenAPI allows -------------------------------------------------------------------


@cache
def openapi(conformance: Path) -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    loaded: dict[str, Any] = yaml.safe_load((conformance / OPENAPI).read_text())
    return loaded


def _resolved(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return response


def _types(response: dict[str, Any]) -> set[str]:
    # the JSON media type's schema (400SubscriptionIssues files its under application/json)
    contents = response.get("content", {})
    schema = next(
        (
            contents[media]["schema"]
            for media in (PROBLEM_JSON, "application/json")
            if media in contents
        ),
        {},
    )
    return {
        value
        for part in schema.get("allOf", [])
        for value in part.get("properties", {}).get("type", {}).get("enum", [])
    }


def allowed_types(conformance: Path, template: str, method: str, status: int) -> set[str]:
    """The problem types the OpenAPI allows ``method template`` to answer with ``status``.
    Where that operation leaves the status out (GET /events lists no 400 nor 413, though its
    own parameters are refused with them; POST …/subscriptions no 400), the types any
    operation gives it; none for a status no operation lists (405)."""
    document = openapi(conformance)

    def given(operations: list[Any]) -> set[str]:
        return {
            kind
            for operation in operations
            if isinstance(operation, dict) and str(status) in operation.get("responses", {})
            for kind in _types(_resolved(document, operation["responses"][str(status)]))
        }

    path = document["paths"][template]
    return given([path.get(method.lower())]) or given(
        [operation for item in document["paths"].values() for operation in item.values()]
    )


def assert_problem(conformance: Path, answer: Any, template: str, method: str) -> dict[str, Any]:
    """``answer`` is an RFC 7807 problem the OpenAPI allows for ``method template``."""
    assert answer.headers["content-type"] == PROBLEM_JSON, answer.text
    assert answer.headers["GS1-EPCIS-Version"] == "2.0.0"
    problem: dict[str, Any] = answer.json()
    schema = openapi(conformance)["components"]["schemas"]["RFC7807ProblemResponseBody"]
    jsonschema.validate(problem, schema, format_checker=jsonschema.FormatChecker())
    assert problem["status"] == answer.status_code
    allowed = allowed_types(conformance, template, method, answer.status_code)
    assert problem["type"] in allowed or (not allowed and problem["type"].startswith("epcisEx"))
    assert problem["detail"]
    return problem


# --- the requests ------------------------------------------------------------------------------

EVENT = {
    "@context": EPCIS_CONTEXT,
    "type": "ObjectEvent",
    "eventID": "urn:uuid:6e1f3d0b-0000-4000-8000-0000000000e1",
    "eventTime": "2026-03-02T09:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "OBSERVE",
    "bizStep": "shipping",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
}
SECOND_EVENT = {**EVENT, "eventID": "urn:uuid:6e1f3d0b-0000-4000-8000-0000000000e2"}


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-02T09:00:00Z",
        "epcisBody": {"eventList": [dict(event) for event in events]},
    }


@dataclass(frozen=True)
class Bad:
    """A bad request, the OpenAPI operation it is sent to, and what it must be answered."""

    method: str
    url: str
    template: str
    status: int
    exception: str
    detail: str = ""
    token: str | None = "admin"
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: capture limits lowered for the request (names in unitrace.services.epcis_capture.limits)
    limits: dict[str, int] = field(default_factory=dict)


BAD = {
    # --- POST /epcis/capture
    "capture without a token": Bad(
        "POST", "/epcis/capture", "/capture", 401, "SecurityException", "Authorization", None,
        json=document(EVENT),
    ),
    "capture with an unknown token": Bad(
        "POST", "/epcis/capture", "/capture", 401, "SecurityException", "unknown or revoked",
        "bogus", json=document(EVENT),
    ),
    "capture by a verifier": Bad(
        "POST", "/epcis/capture", "/capture", 403, "SecurityException", "verifier token",
        "verifier", json=document(EVENT),
    ),
    "capture of a document without events": Bad(
        "POST", "/epcis/capture", "/capture", 400, "ValidationException", "epcisBody.eventList",
        json={"type": "EPCISDocument"},
    ),
    "capture of a JSON array": Bad(
        "POST", "/epcis/capture", "/capture", 400, "ValidationException", "a JSON object", json=[]
    ),
    "capture of broken JSON": Bad(
        "POST", "/epcis/capture", "/capture", 400, "ValidationException", "not JSON",
        content=b'{"type": ', headers={"Content-Type": "application/ld+json"},
    ),
    "capture of broken XML": Bad(
        "POST", "/epcis/capture", "/capture", 400, "ValidationException", "document: ",
        content=b"<epcis:EPCISDocument", headers={"Content-Type": "application/xml"},
    ),
    "capture with an unknown error behaviour": Bad(
        "POST", "/epcis/capture", "/capture", 400, "ValidationException",
        "neither rollback nor proceed", json=document(EVENT),
        headers={"GS1-Capture-Error-Behaviour": "maybe"},
    ),
    "capture of CSV": Bad(
        "POST", "/epcis/capture", "/capture", 415, "UnsupportedMediaTypeException",
        "Content-Type: 'text/csv'", content=b"a,b", headers={"Content-Type": "text/csv"},
    ),
    "capture of too many events": Bad(
        "POST", "/epcis/capture", "/capture", 413, "CaptureLimitExceededException",
        "2 events, over the capture limit of 1", json=document(EVENT, SECOND_EVENT),
        limits={"CAPTURE_LIMIT": 1},
    ),
    "capture of too many bytes": Bad(
        "POST", "/epcis/capture", "/capture", 413, "CaptureLimitExceededException",
        "capture file size limit", json=document(EVENT), limits={"CAPTURE_FILE_SIZE_LIMIT": 64},
    ),
    # --- GET /epcis/capture, /epcis/capture/{captureID}
    "capture jobs without a token": Bad(
        "GET", "/epcis/capture", "/capture", 401, "SecurityException", "Authorization", None
    ),
    "a capture job never started": Bad(
        "GET", "/epcis/capture/999", "/capture/{captureID}", 404, "NoSuchNameException",
        "captureID: no capture job 999",
    ),
    "a capture job named by no number": Bad(
        "GET", "/epcis/capture/latest", "/capture/{captureID}", 404, "NoSuchNameException",
        "no capture job latest",
    ),
    # --- POST /epcis/events
    "an event with a misspelt bizStep": Bad(
        "POST", "/epcis/events", "/events", 400, "ValidationException", "bizStep",
        json={**EVENT, "eventID": "urn:uuid:6e1f3d0b-0000-4000-8000-0000000000e9",
              "bizStep": "shiping"},
    ),
    "an event captured already": Bad(
        "POST", "/epcis/events", "/events", 409, "ResourceAlreadyExistsException",
        "captured already", json=EVENT,
    ),
    "an event by a verifier": Bad(
        "POST", "/epcis/events", "/events", 403, "SecurityException", "verifier token",
        "verifier", json=EVENT,
    ),
    "an event as plain text": Bad(
        "POST", "/epcis/events", "/events", 415, "UnsupportedMediaTypeException",
        "Content-Type", content=b"{}", headers={"Content-Type": "text/plain"},
    ),
    "an event of too many bytes": Bad(
        "POST", "/epcis/events", "/events", 413, "CaptureLimitExceededException",
        "capture file size limit", json=EVENT, limits={"CAPTURE_FILE_SIZE_LIMIT": 64},
    ),
    # --- GET /epcis/events and one event
    "events without a token": Bad(
        "GET", "/epcis/events", "/events", 401, "SecurityException", "Authorization", None
    ),
    "events with an unreadable parameter": Bad(
        "GET", "/epcis/events?perPage=many", "/events", 400, "QueryParameterException",
        "perPage: ",
    ),
    "events of an unknown parameter": Bad(
        "GET", "/epcis/events?EQ_nonsense=1", "/events", 400, "QueryParameterException",
        "EQ_nonsense: ",
    ),
    "more events than maxEventCount": Bad(
        "GET", "/epcis/events?maxEventCount=1", "/events", 413, "QueryTooLargeException",
        "maxEventCount",
    ),
    "events as CSV": Bad(
        "GET", "/epcis/events", "/events", 406, "NotAcceptableException", "Accept: 'text/csv'",
        headers={"Accept": "text/csv"},
    ),
    "an event never captured": Bad(
        "GET", "/epcis/events/urn:uuid:nowhere", "/events/{eventID}", 404,
        "NoSuchNameException", "urn:uuid:nowhere",
    ),
    "an event as CSV": Bad(
        "GET", f"/epcis/events/{EVENT['eventID']}", "/events/{eventID}", 406,
        "NotAcceptableException", "Accept", headers={"Accept": "text/csv"},
    ),
    # --- discovery
    "event types without a token": Bad(
        "GET", "/epcis/eventTypes", "/eventTypes", 401, "SecurityException", "Authorization",
        None,
    ),
    "an event type's events with a bad bizStep": Bad(
        "GET", "/epcis/eventTypes/ObjectEvent/events?EQ_bizStep=flying",
        "/eventTypes/{eventType}/events", 400, "QueryParameterException", "EQ_bizStep: ",
    ),
    "an event type's events naming the type twice": Bad(
        "GET", "/epcis/eventTypes/ObjectEvent/events?eventType=ObjectEvent",
        "/eventTypes/{eventType}/events", 400, "QueryParameterException", "eventType: ",
    ),
    "an EPC's events as CSV": Bad(
        "GET", "/epcis/epcs/urn:epc:id:sgtin:0614141.107346.2018/events", "/epcs/{epc}/events",
        406, "NotAcceptableException", "Accept", headers={"Accept": "text/csv"},
    ),
    "bizSteps by a revoked token": Bad(
        "GET", "/epcis/bizSteps", "/bizSteps", 401, "SecurityException", "unknown or revoked",
        "bogus",
    ),
    # --- named queries
    "a named query that is no object": Bad(
        "POST", "/epcis/queries", "/queries", 400, "ValidationException", "send {", json=[]
    ),
    "a named query with a bad name": Bad(
        "POST", "/epcis/queries", "/queries", 400, "ValidationException", "name: ",
        json={"name": "bad name!", "query": {}},
    ),
    "a named query with a stray field": Bad(
        "POST", "/epcis/queries", "/queries", 400, "ValidationException", "owner: ",
        json={"name": "q2", "query": {}, "owner": "me"},
    ),
    "a named query with a bad parameter": Bad(
        "POST", "/epcis/queries", "/queries", 400, "QueryParameterException", "EQ_bizStep: ",
        json={"name": "q2", "query": {"EQ_bizStep": ["flying"]}},
    ),
    "a named query's name taken": Bad(
        "POST", "/epcis/queries", "/queries", 409, "ResourceAlreadyExistsException", "name: ",
        json={"name": "q1", "query": {}},
    ),
    "named queries without a token": Bad(
        "GET", "/epcis/queries", "/queries", 401, "SecurityException", "Authorization", None
    ),
    "an unknown named query": Bad(
        "GET", "/epcis/queries/nope", "/queries/{queryName}", 404, "NoSuchNameException",
        "no query named 'nope'",
    ),
    "deleting an unknown named query": Bad(
        "DELETE", "/epcis/queries/nope", "/queries/{queryName}", 404, "NoSuchNameException",
        "nope",
    ),
    "an unknown named query's events": Bad(
        "GET", "/epcis/queries/nope/events", "/queries/{queryName}/events", 404,
        "NoSuchNameException", "nope",
    ),
    "a named query's events with a parameter": Bad(
        "GET", "/epcis/queries/q1/events?EQ_bizStep=shipping", "/queries/{queryName}/events",
        400, "ValidationException", "EQ_bizStep: ",
    ),
    # --- subscriptions
    "subscribing to an unknown query": Bad(
        "POST", "/epcis/queries/nope/subscriptions", "/queries/{queryName}/subscriptions", 404,
        "NoSuchNameException", "nope", json={"dest": HOOK, "stream": True},
    ),
    "subscribing with no body": Bad(
        "POST", "/epcis/queries/q1/subscriptions", "/queries/{queryName}/subscriptions", 400,
        "SubscriptionControlsException", "JSON object", content=b"",
        headers={"Content-Type": "application/json"},
    ),
    "subscribing a destination that is no URL": Bad(
        "POST", "/epcis/queries/q1/subscriptions", "/queries/{queryName}/subscriptions", 400,
        "SubscriptionControlsException", "dest: ", json={"dest": "ftp://x", "stream": True},
    ),
    "subscribing on a schedule that never comes": Bad(
        "POST", "/epcis/queries/q1/subscriptions", "/queries/{queryName}/subscriptions", 400,
        "SubscriptionControlsException", "schedule",
        json={"dest": HOOK, "schedule": {"dayOfMonth": "31", "month": "2"}},
    ),
    "an unknown subscription": Bad(
        "GET", "/epcis/queries/q1/subscriptions/nope",
        "/queries/{queryName}/subscriptions/{subscriptionID}", 404, "NoSuchNameException", "nope",
    ),
    "ending an unknown subscription": Bad(
        "DELETE", "/epcis/queries/q1/subscriptions/nope",
        "/queries/{queryName}/subscriptions/{subscriptionID}", 404, "NoSuchNameException", "nope",
    ),
    # --- what the binding has no resource or method for
    "an unknown EPCIS resource": Bad(
        "GET", "/epcis/nowhere", "/events", 404, "NoSuchNameException",
        "/epcis/nowhere: no EPCIS resource here",
    ),
    "a method a resource does not take": Bad(
        "PUT", "/epcis/capture", "/capture", 405, "ImplementationException",
        "PUT /epcis/capture: not a method of this resource; it takes ", json={},
    ),
}  # fmt: skip


@pytest.fixture
def world(database: Database, token_for: Callable[..., dict[str, str]]) -> World:
    """The service with one event captured and one named query (``q1``) made."""
    client = TestClient(create_app(database, Settings(resolver_base=RESOLVER)))
    tokens = {
        "admin": token_for("admin"),
        "verifier": token_for("verifier"),
        "bogus": {"Authorization": "Bearer not-a-token"},
    }
    admin = tokens["admin"]
    assert client.post("/epcis/events", json=EVENT, headers=admin).status_code == 201
    assert client.post("/epcis/events", json=SECOND_EVENT, headers=admin).status_code == 201
    body = {"name": "q1", "query": {"eventType": ["ObjectEvent"]}}
    assert client.post("/epcis/queries", json=body, headers=admin).status_code == 201
    return World(client, tokens)


@dataclass(frozen=True)
class World:
    client: TestClient
    tokens: dict[str, dict[str, str]]


@pytest.mark.conformance
@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_every_epcis_refusal_is_the_openapis_problem(
    conformance: Path, world: World, monkeypatch: pytest.MonkeyPatch, bad: Bad
) -> None:
    for name, value in bad.limits.items():
        monkeypatch.setattr(limits, name, value)
    headers = {**(world.tokens[bad.token] if bad.token else {}), **bad.headers}
    answer = world.client.request(
        bad.method, bad.url, headers=headers, json=bad.json, content=bad.content
    )
    assert (answer.status_code, answer.json().get("type")) == (
        bad.status,
        f"epcisException:{bad.exception}",
    ), answer.text
    problem = assert_problem(conformance, answer, bad.template, bad.method)
    assert bad.detail in problem["detail"]
    if bad.status == 401:
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    if bad.status == 405:
        assert "PUT" not in answer.headers["Allow"]


def test_a_refused_capture_leaves_no_job_and_no_event(world: World) -> None:
    admin = world.tokens["admin"]
    for bad in BAD.values():
        if bad.method == "POST" and bad.url == "/epcis/capture" and not bad.limits:
            world.client.post(
                "/epcis/capture",
                headers={**(world.tokens[bad.token] if bad.token else {}), **bad.headers},
                json=bad.json,
                content=bad.content,
            )
    assert world.client.get("/epcis/capture", headers=admin).json()["captureJobs"] == []
    events = world.client.get("/epcis/events", headers=admin).json()
    assert len(events["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2


def test_a_body_over_the_limit_is_refused_without_reading_it_all(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent in chunks with no Content-Length, a body is read only up to the limit."""
    monkeypatch.setattr(limits, "CAPTURE_FILE_SIZE_LIMIT", 10)

    def chunks() -> Iterator[bytes]:
        for _ in range(1000):
            yield b"x" * 8

    answer = world.client.post(
        "/epcis/capture",
        content=chunks(),
        headers={**world.tokens["admin"], "Content-Type": "application/ld+json"},
    )
    assert answer.status_code == 413
    assert answer.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert "GS1-EPCIS-Capture-File-Size-Limit" in answer.headers
    assert "content-length" not in {name.lower() for name in answer.request.headers}


def test_an_unforeseen_failure_is_an_implementation_exception_naming_no_internals(
    conformance: Path, database: Database, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("connection string postgresql://secret@db")

    monkeypatch.setattr(jobs, "list_capture_jobs", broken)
    client = TestClient(
        create_app(database, Settings(resolver_base=RESOLVER)), raise_server_exceptions=False
    )
    answer = client.get("/epcis/capture", headers=admin)
    assert answer.status_code == 500
    problem = assert_problem(conformance, answer, "/capture", "GET")
    assert problem["type"] == "epcisException:ImplementationException"
    assert "secret" not in answer.text


def test_api_routes_keep_unitraces_own_problems(client: TestClient, admin: dict[str, str]) -> None:
    invalid = client.post("/api/products", json={"gtin": "1"}, headers=admin)
    assert invalid.status_code == 422
    assert invalid.json()["type"] == "/problems/invalid-request"
    unknown = client.get("/api/units/09506000134352/NOPE", headers=admin)
    assert (unknown.status_code, unknown.json()["type"]) == (404, "/problems/not-found")
    assert client.get("/api/alerts").json()["type"] == "/problems/unauthorized"


# --- every kind of refusal, on every kind of EPCIS route -----------------------------------------

CAPTURE = ("POST", "/epcis/capture")
EVENTS = ("POST", "/epcis/events")
QUERY = ("GET", "/epcis/events")
NAMED = ("POST", "/epcis/queries")
SUBSCRIBE = ("POST", "/epcis/queries/q1/subscriptions")
SUBSCRIPTION = ("DELETE", "/epcis/queries/q1/subscriptions/s1")
QUERY_OF = ("GET", "/epcis/queries/q1")
QUERY_EVENTS = ("GET", "/epcis/queries/q1/events")
TRANSITION = TransitionRefused("(01)09506000134352(21)S1", "destroyed", "destroyed is terminal")

MAPPED = [
    (InvalidRequest("x: bad"), CAPTURE, 400, "ValidationException"),
    (InvalidRequest("x: bad"), EVENTS, 400, "ValidationException"),
    (InvalidRequest("x: bad"), NAMED, 400, "ValidationException"),
    (InvalidRequest("x: bad"), SUBSCRIBE, 400, "SubscriptionControlsException"),
    (InvalidRequest("x: bad"), SUBSCRIPTION, 400, "SubscriptionControlsException"),
    (InvalidCode("(01): bad"), EVENTS, 400, "ValidationException"),
    (Refused("x: refused"), QUERY, 400, "ValidationException"),
    (QueryParameterException("perPage", "bad"), QUERY, 400, "QueryParameterException"),
    (QueryParameterException("query", "bad"), NAMED, 400, "QueryParameterException"),
    (QueryParameterException("perPage", "bad"), QUERY_EVENTS, 400, "ValidationException"),
    (QueryTooLargeException("maxEventCount: 3"), QUERY, 413, "QueryTooLargeException"),
    (TRANSITION, EVENTS, 400, "ValidationException"),
    (TRANSITION, CAPTURE, 400, "ValidationException"),
    (NotFound("party: p9 is not registered"), EVENTS, 400, "ValidationException"),
    (NotFound("party: p9 is not registered"), CAPTURE, 400, "ValidationException"),
    (NotFound("no query named 'q1'"), QUERY_OF, 404, "NoSuchNameException"),
    (NotFound("no query named 'q1'"), SUBSCRIBE, 404, "NoSuchNameException"),
    (NotFound("no subscription 's1'"), SUBSCRIPTION, 404, "NoSuchNameException"),
    (
        AlreadyExists("eventID: e1 is captured already"),
        EVENTS,
        409,
        "ResourceAlreadyExistsException",
    ),
    (Conflict("unit S1 is packed in C1 already"), EVENTS, 400, "ValidationException"),
    (Conflict("name: q1 exists already"), NAMED, 409, "ResourceAlreadyExistsException"),
    (Forbidden("role verifier: may not"), CAPTURE, 403, "SecurityException"),
    (Forbidden("not in the custody of d1"), EVENTS, 403, "SecurityException"),
    (RuntimeError("unforeseen"), QUERY, 500, "ImplementationException"),
]


@pytest.mark.parametrize(
    ("error", "route", "status", "exception"),
    MAPPED,
    ids=[f"{type(e).__name__}-{m} {p}" for e, (m, p), _, _ in MAPPED],
)
def test_each_refusal_maps_to_the_openapis_status_and_type(
    conformance: Path, error: Exception, route: tuple[str, str], status: int, exception: str
) -> None:
    method, path = route
    kind = epcis_problem_for(error, method=method, path=path)
    assert (kind.status, kind.type) == (status, f"epcisException:{exception}")
    template = _template(path)
    assert kind.type in allowed_types(conformance, template, method, status)


def _template(path: str) -> str:
    return {
        "/epcis/capture": "/capture",
        "/epcis/events": "/events",
        "/epcis/queries": "/queries",
        "/epcis/queries/q1": "/queries/{queryName}",
        "/epcis/queries/q1/events": "/queries/{queryName}/events",
        "/epcis/queries/q1/subscriptions": "/queries/{queryName}/subscriptions",
        "/epcis/queries/q1/subscriptions/s1": "/queries/{queryName}/subscriptions/{subscriptionID}",
    }[path]


def test_a_capture_jobs_errors_are_the_openapis_problems(conformance: Path, world: World) -> None:
    """The problems a refused capture job lists are RFC 7807 bodies the OpenAPI's capture job
    schema allows (an event without an eventID is named by index alone)."""
    broken = {**EVENT, "eventID": "urn:uuid:6e1f3d0b-0000-4000-8000-0000000000f1"}
    broken["bizStep"] = "shiping"
    unnamed = copy.deepcopy(broken)
    del unnamed["eventID"]
    admin = world.tokens["admin"]
    sent = world.client.post("/epcis/capture", json=document(broken, unnamed), headers=admin)
    assert sent.status_code == 202, sent.text
    location = sent.headers["Location"]
    job = world.client.get(location, headers=admin).json()
    while job["running"]:
        job = world.client.get(location, headers=admin).json()
    schema = openapi(conformance)["components"]["schemas"]["RFC7807ProblemResponseBody"]
    assert len(job["errors"]) == 2
    for error in job["errors"]:
        assert error["type"] == "epcisException:ValidationException"
        assert "bizStep" in error["detail"]
        # an event without an eventID has no instance to name (see the test below)
        named = {key: value for key, value in error.items() if value is not None}
        jsonschema.validate(named, schema, format_checker=jsonschema.FormatChecker())


def test_a_capture_jobs_errors_leave_out_an_instance_they_cannot_name(world: World) -> None:
    """The OpenAPI's RFC7807ProblemResponseBody wants ``instance`` a URI or no member: an event
    without an eventID has none to give."""
    unnamed = {key: value for key, value in EVENT.items() if key != "eventID"}
    unnamed["bizStep"] = "shiping"
    admin = world.tokens["admin"]
    location = world.client.post("/epcis/capture", json=document(unnamed), headers=admin).headers[
        "Location"
    ]
    job = world.client.get(location, headers=admin).json()
    while job["running"]:
        job = world.client.get(location, headers=admin).json()
    assert job["errors"]
    assert all(error.get("instance", "") is not None for error in job["errors"])
