"""Named queries and their subscriptions belong to their owner: the brand (its admin and line
tokens alike) or a distributor's party. Names are unique per owner, so that two owners may
each have a query "x" and a name taken never tells of another owner's query; a verifier
token owns none and reaches none; deleting a query or a subscription is audited."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import SYSTEM
from unitrace.api.app import create_app
from unitrace.config import Settings
from unitrace.services.catalog import register_party
from unitrace.store.unit_of_work import Database

#: A public address, so that subscribing needs no name resolved.
HOOK = "https://93.184.215.14/hook"
#: Who asks: the brand's tokens (one bound to the brand's own plant), two tokens of one
#: distributor, another distributor, and verifiers with and without a party.
CALLERS: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "line": ("line", None),
    "line@plant": ("line", "plant"),
    "dist-a": ("distributor", "dist-a"),
    "dist-a/2": ("distributor", "dist-a"),
    "dist-b": ("distributor", "dist-b"),
    "verifier": ("verifier", None),
    "verifier@dist-a": ("verifier", "dist-a"),
}


@pytest.fixture
def tokens(
    database: Database, token_for: Callable[..., dict[str, str]]
) -> dict[str, dict[str, str]]:
    with database.unit_of_work() as uow:
        register_party(uow, id="plant", name="Plant", role="manufacturer", actor=SYSTEM)
        for party in ("dist-a", "dist-b"):
            register_party(uow, id=party, name=party, role="distributor", actor=SYSTEM)
        uow.commit()
    return {caller: token_for(role, party) for caller, (role, party) in CALLERS.items()}


@pytest.fixture
def client(database: Database) -> TestClient:
    return TestClient(create_app(database, Settings()))


def create(client: TestClient, token: dict[str, str], name: str, query: dict[str, Any]) -> Any:
    return client.post("/epcis/queries", json={"name": name, "query": query}, headers=token)


def test_two_owners_may_each_have_a_query_of_one_name(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    definitions = {
        "admin": {"eventType": ["ObjectEvent"]},
        "dist-a": {"EQ_bizStep": ["receiving"]},
        "dist-b": {"EQ_bizStep": ["shipping"]},
    }
    for caller, definition in definitions.items():
        made = create(client, tokens[caller], "x", definition)
        assert made.status_code == 201, (caller, made.text)
    # each owner reads and lists its own "x"; the brand's tokens share the brand's
    expected = {
        "admin": definitions["admin"],
        "line": definitions["admin"],
        "line@plant": definitions["admin"],
        "dist-a": definitions["dist-a"],
        "dist-a/2": definitions["dist-a"],
        "dist-b": definitions["dist-b"],
    }
    for caller, definition in expected.items():
        assert client.get("/epcis/queries/x", headers=tokens[caller]).json() == {
            "name": "x",
            "query": definition,
        }, caller
        listed = client.get("/epcis/queries", headers=tokens[caller]).json()
        assert listed == [{"name": "x", "query": definition}], caller


@pytest.mark.parametrize(
    ("first", "second", "second_status"),
    [
        ("admin", "line", 409),  # the brand is one owner
        ("line@plant", "admin", 409),  # whatever party a brand's token is bound to
        ("dist-a", "dist-a/2", 409),  # a party is one owner
        ("dist-a", "dist-b", 201),
        ("dist-a", "admin", 201),
        ("admin", "dist-b", 201),
    ],
)
def test_a_name_is_taken_only_for_its_owner(
    client: TestClient,
    tokens: dict[str, dict[str, str]],
    first: str,
    second: str,
    second_status: int,
) -> None:
    assert (
        create(client, tokens[first], "shared", {"eventType": ["ObjectEvent"]}).status_code == 201
    )
    answer = create(client, tokens[second], "shared", {"eventType": ["AggregationEvent"]})
    assert answer.status_code == second_status, answer.text
    if second_status == 409:
        assert answer.json()["detail"] == "name: a query named 'shared' exists already"


#: What a verifier token tries on named queries, with or without a party.
VERIFIER_REQUESTS = [
    ("GET", "/epcis/queries", None),
    ("POST", "/epcis/queries", {"name": "mine", "query": {}}),
    ("GET", "/epcis/queries/brand-q", None),
    ("GET", "/epcis/queries/brand-q/events", None),
    ("DELETE", "/epcis/queries/brand-q", None),
    ("GET", "/epcis/queries/dist-a-q", None),
    ("GET", "/epcis/queries/dist-a-q/events", None),
    ("GET", "/epcis/queries/dist-a-q/subscriptions", None),
    ("POST", "/epcis/queries/dist-a-q/subscriptions", {"dest": HOOK, "stream": True}),
    ("DELETE", "/epcis/queries/dist-a-q", None),
]


@pytest.mark.parametrize("verifier", ["verifier", "verifier@dist-a"])
@pytest.mark.parametrize(("method", "path", "body"), VERIFIER_REQUESTS)
def test_a_verifier_neither_lists_reads_runs_makes_nor_deletes_queries(
    client: TestClient,
    tokens: dict[str, dict[str, str]],
    verifier: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    assert create(client, tokens["admin"], "brand-q", {}).status_code == 201
    assert create(client, tokens["dist-a"], "dist-a-q", {}).status_code == 201
    answer = client.request(method, path, json=body, headers=tokens[verifier])
    assert answer.status_code == 403, answer.text
    assert answer.json()["type"] == "epcisException:SecurityException"
    for owner, name in (("admin", "brand-q"), ("dist-a", "dist-a-q")):
        assert [q["name"] for q in client.get("/epcis/queries", headers=tokens[owner]).json()] == [
            name
        ]


def test_another_owners_query_and_subscription_are_not_found(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    assert create(client, tokens["dist-a"], "feed", {}).status_code == 201
    made = client.post(
        "/epcis/queries/feed/subscriptions", json={"dest": HOOK, "stream": True},
        headers=tokens["dist-a"],
    )  # fmt: skip
    assert made.status_code == 201, made.text
    subscription = f"/epcis/queries/feed/subscriptions/{made.json()['subscriptionID']}"
    for caller in ("dist-b", "admin", "line"):
        for method, path in (
            ("GET", "/epcis/queries/feed"),
            ("GET", "/epcis/queries/feed/events"),
            ("GET", "/epcis/queries/feed/subscriptions"),
            ("GET", subscription),
            ("DELETE", subscription),
            ("DELETE", "/epcis/queries/feed"),
        ):
            answer = client.request(method, path, headers=tokens[caller])
            assert (caller, method, path, answer.status_code) == (caller, method, path, 404)
    # the other token of the party reads both
    assert client.get(subscription, headers=tokens["dist-a/2"]).status_code == 200


def audit_lines(database: Database, subject: str) -> list[tuple[str, str, dict[str, Any]]]:
    with database.unit_of_work(read_only=True) as uow:
        return [(line.actor, line.action, line.details) for line in uow.audit.of(subject)]


def actor_of(database: Database, token: dict[str, str]) -> str:
    from unitrace.services.tokens import authenticate

    with database.unit_of_work(read_only=True) as uow:
        actor = authenticate(uow, token["Authorization"].removeprefix("Bearer "))
    assert actor is not None
    return actor.name


def test_deleting_a_query_and_ending_a_subscription_are_audited(
    client: TestClient, database: Database, tokens: dict[str, dict[str, str]]
) -> None:
    a, a2 = tokens["dist-a"], tokens["dist-a/2"]
    assert create(client, a, "feed", {"EQ_bizStep": ["receiving"]}).status_code == 201
    ids = [
        client.post(
            "/epcis/queries/feed/subscriptions", json={"dest": HOOK, "stream": True}, headers=a
        ).json()["subscriptionID"]
        for _ in range(3)
    ]
    ended = client.delete(f"/epcis/queries/feed/subscriptions/{ids[0]}", headers=a2)
    assert ended.status_code == 204
    assert client.delete("/epcis/queries/feed", headers=a2).status_code == 204
    by_a, by_a2 = actor_of(database, a), actor_of(database, a2)
    assert audit_lines(database, "epcis-query:party:dist-a:feed") == [
        (by_a, "epcis.query.created", {}),
        (
            by_a2,
            "epcis.query.deleted",
            {"query": {"EQ_bizStep": ["receiving"]}, "subscriptions_ended": sorted(ids[1:])},
        ),
    ]
    query = {"query": "epcis-query:party:dist-a:feed", "dest": HOOK}
    assert audit_lines(database, f"epcis-subscription:{ids[0]}") == [
        (by_a, "epcis.subscription.created", query),
        (by_a2, "epcis.subscription.ended", query),
    ]
    # the brand's query of the same name is another subject
    assert create(client, tokens["line"], "feed", {}).status_code == 201
    assert client.delete("/epcis/queries/feed", headers=tokens["admin"]).status_code == 204
    assert [action for _, action, _ in audit_lines(database, "epcis-query:brand:feed")] == [
        "epcis.query.created",
        "epcis.query.deleted",
    ]


def test_a_query_name_with_url_characters_is_its_owners_alone(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    name = "recalls.2026~v1"
    for caller in ("dist-a", "dist-b"):
        made = create(client, tokens[caller], name, {})
        assert made.status_code == 201
        assert made.headers["location"] == "/epcis/queries/" + urllib.parse.quote(name, safe="")
    assert client.delete(f"/epcis/queries/{name}", headers=tokens["dist-a"]).status_code == 204
    assert client.get(f"/epcis/queries/{name}", headers=tokens["dist-b"]).status_code == 200
