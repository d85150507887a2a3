"""What a client sends never makes a 500: ids out of any table's range, numbers past what a
database column holds, times past the calendar's edge once in UTC. And the failure nobody
foresaw is still problem+json, naming no internals."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import exc as sql_errors

from tests.api.conftest import RESOLVER
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.services import catalog
from unitrace.store.unit_of_work import Database

#: Numbers no id of unitrace reaches: past PostgreSQL's integer, SQLite's 64-bit integer,
#: and digits that are digits only to Unicode.
PROBLEM = "application/problem+json"
OUT_OF_RANGE = ["2147483648", "9223372036854775808", "99999999999999999999999", "²", "٣", "0"]

# (method, path with {id}, expected status, expected problem type)
ROUTES_WITH_IDS = [
    ("GET", "/api/alerts/{id}", 422, "/problems/invalid-request"),
    ("POST", "/api/alerts/{id}", 422, "/problems/invalid-request"),
    ("GET", "/api/serial-requests/{id}", 422, "/problems/invalid-request"),
    ("GET", "/api/serial-requests/{id}/codes", 422, "/problems/invalid-request"),
    ("GET", "/api/serial-requests/{id}/labels.pdf", 422, "/problems/invalid-request"),
    ("GET", "/api/serial-requests/{id}/symbols.zip", 422, "/problems/invalid-request"),
    ("DELETE", "/api/tokens/{id}", 422, "/problems/invalid-request"),
    ("GET", "/epcis/capture/{id}", 404, "epcisException:NoSuchNameException"),
    ("GET", "/epcis/queries/q/subscriptions/{id}", 404, "epcisException:NoSuchNameException"),
    ("DELETE", "/epcis/queries/q/subscriptions/{id}", 404, "epcisException:NoSuchNameException"),
]


def answering_client(database: Database) -> TestClient:
    """A client of the service that answers a fault as the service does (a 500 problem),
    rather than raising it into the test."""
    return TestClient(
        create_app(database, Settings(resolver_base=RESOLVER)), raise_server_exceptions=False
    )


@pytest.mark.parametrize("number", OUT_OF_RANGE)
@pytest.mark.parametrize(("method", "path", "status", "kind"), ROUTES_WITH_IDS)
def test_an_id_out_of_range_is_refused_not_a_fault(
    client: TestClient,
    admin: dict[str, str],
    method: str,
    path: str,
    status: int,
    kind: str,
    number: str,
) -> None:
    body = {"status": "closed", "reason": "x"} if method == "POST" else None
    answer = client.request(method, path.format(id=number), headers=admin, json=body)
    assert (answer.status_code, answer.headers["content-type"], answer.json()["type"]) == (
        status,
        "application/problem+json",
        kind,
    )


# (query, status, the problem's parameter or None for an answer)
QUERIES = [
    ("maxEventCount=18446744073709551616", 200, None),
    ("eventCountLimit=99999999999999999999999", 200, None),
    ("perPage=9223372036854775808", 200, None),
    ("maxEventCount=²", 400, "maxEventCount"),
    ("perPage=٣", 400, "perPage"),
    ("GE_eventTime=9999-12-31T23:59:59-12:00", 400, "GE_eventTime"),
    ("LT_recordTime=0001-01-01T00:00:00%2B14:00", 400, "LT_recordTime"),
]


@pytest.mark.parametrize(("query", "status", "parameter"), QUERIES)
def test_query_numbers_and_times_past_any_range_are_answered(
    client: TestClient, admin: dict[str, str], query: str, status: int, parameter: str | None
) -> None:
    answer = client.get(f"/epcis/events?{query}", headers=admin)
    assert answer.status_code == status, answer.text
    if parameter is not None:
        assert (answer.json()["type"], answer.json()["parameter"]) == (
            "epcisException:QueryParameterException",
            parameter,
        )


@pytest.mark.parametrize(
    ("event_time", "offset"),
    [
        ("9999-12-31T23:59:59-12:00", "-12:00"),
        ("0001-01-01T00:00:00+14:00", "+14:00"),
        ("9999-12-31T23:59:59.9999Z", "+00:00"),
    ],
)
def test_an_event_whose_time_falls_off_the_calendar_in_utc_is_refused(
    client: TestClient, admin: dict[str, str], event_time: str, offset: str
) -> None:
    event = {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "ObjectEvent",
        "eventTime": event_time,
        "eventTimeZoneOffset": offset,
        "action": "OBSERVE",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
    }
    answer = client.post("/epcis/events", json=event, headers=admin)
    assert (answer.status_code, answer.json()["detail"]) == (
        400,
        f'eventTime: "{event_time}" falls outside the years 1 to 9999 in UTC',
    )


#: Faults nobody foresaw: one of unitrace's own, and a database error that is neither a busy
#: lock nor a value refused.
FAULTS = [
    RuntimeError("connection string postgresql://secret@db"),
    sql_errors.ProgrammingError("SELECT secret", {}, Exception("relation secret is missing")),
]


@pytest.mark.parametrize("fault", FAULTS, ids=["unitrace", "database"])
@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/api/products/09506000134352", "/problems/internal-error"),
        ("GET", "/epcis/queries", "epcisException:ImplementationException"),
    ],
)
def test_a_failure_nobody_foresaw_is_a_500_problem_naming_no_internals(
    database: Database,
    token_for: Callable[..., dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    kind: str,
    fault: Exception,
) -> None:
    def fail(*_: object, **__: object) -> None:
        raise fault

    monkeypatch.setattr(catalog, "get_product", fail)
    monkeypatch.setattr("unitrace.services.epcis_named_queries.named_queries", fail)
    client = answering_client(database)
    answer = client.request(method, path, headers=token_for("admin"))
    assert (
        answer.status_code,
        answer.headers["content-type"],
        answer.json()["type"],
        answer.headers.get("x-content-type-options"),
    ) == (500, PROBLEM, kind, "nosniff")
    assert "secret" not in answer.text
    assert "try again" in answer.json()["detail"].lower()


NUL = "a\u0000b"
PRODUCT = {"gtin": "09506000134352", "name": NUL}
INVALID, NO_SUCH_NAME = "/problems/invalid-request", "epcisException:NoSuchNameException"
# (method, path, body, answer on PostgreSQL, answer on SQLite) as (status, problem type)
NUL_TEXTS = [
    ("POST", "/api/products", PRODUCT, (422, INVALID), (201, None)),
    (
        "POST",
        "/api/tokens",
        {"role": "distributor", "party": NUL},
        (422, INVALID),
        (404, "/problems/not-found"),
    ),
    ("GET", "/epcis/queries/a%00b", None, (404, NO_SUCH_NAME), (404, NO_SUCH_NAME)),
    ("GET", "/epcis/queries/q/subscriptions/a%00b", None, (404, NO_SUCH_NAME), (404, NO_SUCH_NAME)),
]


@pytest.mark.parametrize(("method", "path", "body", "postgresql", "sqlite"), NUL_TEXTS)
def test_a_nul_character_is_bad_input_not_a_fault(
    database: Database,
    admin: dict[str, str],
    method: str,
    path: str,
    body: dict[str, str] | None,
    postgresql: tuple[int, str | None],
    sqlite: tuple[int, str | None],
) -> None:
    """PostgreSQL's text holds no NUL: the refusal is the sender's, never a 500, and changes
    nothing. SQLite stores the text as sent."""
    client = answering_client(database)
    answer = client.request(method, path, headers=admin, json=body)
    status, kind = postgresql if database.dialect == "postgresql" else sqlite
    assert answer.status_code == status, answer.text
    if kind is not None:
        assert (answer.headers["content-type"], answer.json()["type"]) == (PROBLEM, kind)
    products = client.get("/api/products", headers=admin).json()
    assert [p["name"] for p in products] == ([] if status != 201 else [NUL])


def nested_event(depth: int) -> dict[str, object]:
    """An event whose extension field nests objects ``depth`` levels deep."""
    inner: object = 1
    for _ in range(depth):
        inner = {"ex:a": inner}
    return {
        "@context": [
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            {"ex": "https://ex.example/"},
        ],
        "type": "ObjectEvent",
        "eventTime": "2020-01-01T00:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
        "ex:deep": inner,
    }


TOO_DEEP = "document: objects and lists nest deeper than 64 levels"


# (depth, status, what the refusal says): past a few hundred levels the JSON parser refuses
@pytest.mark.parametrize(
    ("depth", "status", "detail"),
    [
        (20, 201, None),
        (63, 201, None),
        (64, 400, TOO_DEEP),
        (600, 400, "document: not JSON (recursion limit exceeded"),
    ],
)
def test_a_document_nested_past_reason_is_refused_before_anything_walks_it(
    client: TestClient, admin: dict[str, str], depth: int, status: int, detail: str | None
) -> None:
    """The event is one level, and its extension ``depth`` more: 65 is past the 64 an EPCIS
    document may nest. Deeper still, code walking the document once ran out of stack (a
    500, and capture jobs failing on the repository's side)."""
    answer = client.post("/epcis/events", json=nested_event(depth), headers=admin)
    assert answer.status_code == status, answer.text
    if status == 400:
        assert detail is not None
        assert answer.json()["detail"].startswith(detail)
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2020-01-01T00:00:00Z",
            "epcisBody": {"eventList": [nested_event(depth)]},
        }
        captured = client.post("/epcis/capture", json=document, headers=admin)
        assert (captured.status_code, captured.json()["type"]) == (
            400,
            "epcisException:ValidationException",
        )


LONE = '"a\\ud800b"'  # half a surrogate pair, as JSON may spell it
EPCIS_CONTEXT = '["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]'
LONE_EVENT = (
    '{"@context": ' + EPCIS_CONTEXT + ', "type": "ObjectEvent", "action": "OBSERVE",'
    ' "eventTime": "2020-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",'
    ' "epcList": [' + LONE + "]}"
)
# (method, path, JSON body as sent, status, problem type)
LONE_SURROGATES = [
    ("POST", "/api/tokens", '{"role": "verifier", "label": ' + LONE + "}", 422, INVALID),
    (
        "POST",
        "/api/parties",
        '{"id": "p1", "role": "distributor", "name": ' + LONE + "}",
        422,
        INVALID,
    ),
    ("POST", "/api/commissions", '{"gtin": "09506000134352", "lot": ' + LONE + "}", 422, INVALID),
    ("POST", "/api/scans", '{"code": ' + LONE + "}", 422, INVALID),
    ("POST", "/epcis/events", LONE_EVENT, 400, "epcisException:ValidationException"),
    (
        "POST",
        "/epcis/capture",
        '{"@context": ' + EPCIS_CONTEXT + ', "type": "EPCISDocument", "schemaVersion": "2.0",'
        ' "creationDate": "2020-01-01T00:00:00Z", "epcisBody": {"eventList": ['
        + LONE_EVENT
        + "]}}",
        400,
        "epcisException:ValidationException",
    ),
    ("POST", "/epcis/queries", '{"name": "q", "query": {"EQ_bizStep": [' + LONE + "]}}", 400, None),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "kind"), LONE_SURROGATES)
def test_text_that_is_not_valid_unicode_is_bad_input_and_leaves_nothing_behind(
    database: Database,
    admin: dict[str, str],
    method: str,
    path: str,
    body: str,
    status: int,
    kind: str | None,
) -> None:
    """Python's JSON parser takes half a surrogate pair, which no database and no UTF-8
    answer can hold: it failed requests with a 500, and a capture job naming it failed every
    later listing of the jobs."""
    client = answering_client(database)
    headers = {**admin, "Content-Type": "application/json"}
    answer = client.request(method, path, content=body.encode(), headers=headers)
    assert answer.status_code == status, answer.text
    if kind is not None:
        assert answer.json()["type"] == kind
    jobs = client.get("/epcis/capture", headers=admin)
    assert (jobs.status_code, jobs.json()) == (200, {"captureJobs": []})
    assert [t["label"] for t in client.get("/api/tokens", headers=admin).json()] == [None]
