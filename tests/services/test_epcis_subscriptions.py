"""Named queries and webhook subscriptions as use cases: a query name taken by two requests at
once, a destination refused when subscribing and again when delivering, a subscription ending
with its creator's access, and deliveries holding only what the creator may see."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from tests.epcis_known_events import FIRST_RECORDED, KnownSet, known_set, name_of
from tests.epcis_known_events import known as known_events
from unitrace.registry.errors import AlreadyExists, Conflict, NotFound
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog, epcis_named_queries
from unitrace.services.epcis_query import answers
from unitrace.services.epcis_query import delivery as deliveries
from unitrace.services.epcis_query.delivery import DeliveryPolicy, SubscriptionDelivery
from unitrace.services.epcis_query.subscriptions import SubscriptionControlsException
from unitrace.services.tokens import (
    authenticate,
    create_token,
    live_token_id,
    revoke_token,
    token_id_of,
)
from unitrace.services.webhooks import DestinationRefused, WebhookDestinations, WebhookTarget
from unitrace.store.epcis_query import EpcisQueries
from unitrace.store.schema import api_tokens, epcis_queries, epcis_subscriptions, parties
from unitrace.store.unit_of_work import Database

__all__ = ["known_events", "known_set"]  # fixtures

ADMIN = Actor("test-setup", Role.ADMIN)
PUBLIC = "93.184.215.14"
HOOK = "https://hooks.partner.example/epcis"
QUICK = DeliveryPolicy(poll=0.0, settle=0.0, backoff=0.0, max_attempts=3)
#: After every known event was recorded.
LATER = FIRST_RECORDED + dt.timedelta(days=1)


class StandInDns:
    """DNS as the test says it answers now: ``answers[host]``."""

    def __init__(self, **answers: list[str]) -> None:
        self.answers = {host.replace("_", "."): found for host, found in answers.items()}

    def __call__(self, host: str, port: int) -> Sequence[str]:
        if host not in self.answers:
            raise DestinationRefused(f"{host} does not resolve")
        return self.answers[host]


class Subscriber:
    """Stands in for the HTTP POST: records each target and document, answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[tuple[WebhookTarget, dict[str, Any]]] = []

    def __call__(self, target: WebhookTarget, body: bytes, headers: Mapping[str, str]) -> int:
        self.posts.append((target, json.loads(body)))
        return self.status

    def event_names(self) -> list[list[str]]:
        return [
            [
                name_of(event["eventID"])
                for event in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            ]
            for _, document in self.posts
        ]


def token_actor(database: Database, role: str, party: str | None = None) -> Actor:
    """The actor a new token of ``role`` authenticates as (named ``token:<id>``)."""
    with database.unit_of_work() as uow:
        token = create_token(uow, role=role, party=party, actor=ADMIN)
        actor = authenticate(uow, token)
        uow.commit()
    assert actor is not None
    return actor


def make_query(database: Database, name: str, actor: Actor, query: dict[str, Any]) -> None:
    with database.unit_of_work() as uow:
        epcis_named_queries.create_named_query(uow, name, query, actor=actor)
        uow.commit()


def make_subscription(
    database: Database,
    name: str,
    actor: Actor,
    dns: StandInDns,
    *,
    dest: str = HOOK,
    since: dt.datetime = FIRST_RECORDED - dt.timedelta(days=1),
) -> str:
    with database.unit_of_work() as uow:
        made = epcis_named_queries.subscribe(
            uow,
            name,
            {"dest": dest, "stream": True, "initialRecordTime": since.isoformat()},
            actor=actor,
            destinations=WebhookDestinations(resolve=dns),
            at=LATER,
        )
        uow.commit()
    return made.subscription_id


def subscription_json(
    database: Database, name: str, subscription_id: str, owner: Actor = ADMIN
) -> dict[str, Any]:
    """A subscription as its query's owner (``owner``'s party) reads it."""
    with database.unit_of_work(read_only=True) as uow:
        found = epcis_named_queries.subscription(uow, name, subscription_id, actor=owner)
    return answers.subscription_json(found)


def delivery(database: Database, dns: StandInDns, subscriber: Subscriber) -> SubscriptionDelivery:
    return SubscriptionDelivery(
        database,
        policy=QUICK,
        destinations=WebhookDestinations(resolve=dns),
        post=subscriber,
        clock=lambda: LATER,
    )


@pytest.fixture
def known(known_events: KnownSet) -> KnownSet:
    """The known events without the queries and subscriptions of the tests before."""
    with known_events.database.unit_of_work() as uow:
        uow.connection.execute(delete(epcis_subscriptions))
        uow.connection.execute(delete(epcis_queries))
        uow.commit()
    return known_events


def subscription_count(database: Database) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return int(
            uow.connection.execute(
                select(func.count()).select_from(epcis_subscriptions)
            ).scalar_one()
        )


# --- a query name taken twice at once -----------------------------------------------------


@pytest.mark.parametrize(
    ("second_actor", "second_owner"),
    [
        (Actor("line-1", Role.LINE, "plant"), None),  # the brand again: one query, one conflict
        (Actor("dist", Role.DISTRIBUTOR, "dist-x"), "dist-x"),  # another owner: two queries
    ],
)
def test_two_simultaneous_creations_of_one_name_give_one_query_and_one_conflict(
    database: Database, second_actor: Actor, second_owner: str | None
) -> None:
    """The first request has stored the name but not committed when the second looks: on
    PostgreSQL the second finds the name free, and its insert waits on the unique index until
    the first commits; on SQLite the second waits for the writer lock and finds the name taken.
    Either way: a Conflict, never a database error. A name is one owner's: another owner
    making it at the same time makes its own."""
    stored = threading.Event()
    outcomes: dict[str, object] = {}

    def first() -> None:
        with database.unit_of_work() as uow:
            epcis_named_queries.create_named_query(
                uow, "inbound", {"eventType": ["ObjectEvent"]}, actor=ADMIN
            )
            stored.set()
            # hold the transaction open while the second request runs into the name
            time.sleep(0.5)
            uow.commit()
        outcomes["first"] = "created"

    def second() -> None:
        stored.wait(5)
        try:
            with database.unit_of_work() as uow:
                epcis_named_queries.create_named_query(
                    uow, "inbound", {"eventType": ["AggregationEvent"]}, actor=second_actor
                )
                uow.commit()
            outcomes["second"] = "created"
        except Exception as error:
            outcomes["second"] = error

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcomes["first"] == "created"
    stored_queries = [(None, "inbound", {"eventType": ["ObjectEvent"]})]
    if second_owner is None:
        refused = outcomes["second"]
        assert isinstance(refused, AlreadyExists), refused
        assert str(refused) == "name: a query named 'inbound' exists already"
    else:
        assert outcomes["second"] == "created"
        stored_queries.append((second_owner, "inbound", {"eventType": ["AggregationEvent"]}))
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(epcis_queries.c.party_id, epcis_queries.c.name, epcis_queries.c.query).order_by(
                epcis_queries.c.id
            )
        ).all()
    assert [(row.party_id, row.name, row.query) for row in rows] == stored_queries


def test_a_name_stored_between_the_look_up_and_the_insert_is_a_conflict(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unique index decides, whatever the look-up saw; the unit of work stays usable."""
    make_query(database, "inbound", ADMIN, {})
    monkeypatch.setattr(EpcisQueries, "query_named", lambda self, name, party_id: None)
    with database.unit_of_work() as uow:
        with pytest.raises(Conflict, match="a query named 'inbound' exists already"):
            epcis_named_queries.create_named_query(uow, "inbound", {}, actor=ADMIN)
        epcis_named_queries.create_named_query(uow, "outbound", {}, actor=ADMIN)
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        names = uow.connection.execute(select(epcis_queries.c.name).order_by(epcis_queries.c.name))
        assert list(names.scalars()) == ["inbound", "outbound"]


def test_subscribing_to_a_query_deleted_meanwhile_is_not_found(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_query(database, "inbound", ADMIN, {})
    with database.unit_of_work(read_only=True) as uow:
        stale = epcis_named_queries.named_query(uow, "inbound", actor=ADMIN)
    with database.unit_of_work() as uow:
        epcis_named_queries.delete_named_query(uow, "inbound", actor=ADMIN)
        uow.commit()
    monkeypatch.setattr(epcis_named_queries, "named_query", lambda uow, name, actor: stale)
    with pytest.raises(NotFound, match="it was just deleted"):
        make_subscription(database, "inbound", ADMIN, StandInDns(hooks_partner_example=[PUBLIC]))
    assert subscription_count(database) == 0


# --- destinations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dest", "dns", "detail"),
    [
        ("http://127.0.0.1:5432/", {}, "dest: 127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", {}, "dest: 169.254.169.254 is a link-local address"),
        ("http://10.0.0.1/hook", {}, "dest: 10.0.0.1 is a private address"),
        ("https://hooks.partner.example/", {"hooks_partner_example": ["10.9.9.9"]}, "dest: hooks.partner.example resolves to an address that is not publicly routable"),
        ("https://hooks.partner.example/", {}, "dest: hooks.partner.example does not resolve"),
        ("ftp://hooks.partner.example/", {}, "dest: ftp scheme: only http:// and https://"),
        ("https://me:pw@hooks.partner.example/", {}, "dest: credentials in the URL are refused; use signatureToken"),
    ],
)  # fmt: skip
def test_a_refused_destination_is_a_subscription_controls_exception_and_stores_nothing(
    database: Database, dest: str, dns: dict[str, list[str]], detail: str
) -> None:
    make_query(database, "inbound", ADMIN, {})
    with pytest.raises(SubscriptionControlsException) as refused:
        make_subscription(database, "inbound", ADMIN, StandInDns(**dns), dest=dest)
    assert str(refused.value) == detail
    assert subscription_count(database) == 0


def test_a_destination_that_resolves_elsewhere_by_delivery_time_is_not_posted_to(
    known: KnownSet,
) -> None:
    database = known.database
    make_query(database, "dns-swap", ADMIN, {"eventType": ["ObjectEvent"]})
    dns = StandInDns(hooks_partner_example=[PUBLIC])
    subscription_id = make_subscription(database, "dns-swap", ADMIN, dns)
    dns.answers["hooks.partner.example"] = ["127.0.0.1"]
    subscriber = Subscriber()
    assert delivery(database, dns, subscriber).deliver_due() == 1  # one attempt, refused
    assert subscriber.posts == []
    state = subscription_json(database, "dns-swap", subscription_id)
    assert state["deliveryStatus"] == "failing"
    assert state["failedAttempts"] == 1
    assert state["lastError"] == (
        f"{HOOK}: destination refused: hooks.partner.example resolves to an address that is "
        "not publicly routable"
    )
    # once the name points outside again, the events go to the address checked then
    dns.answers["hooks.partner.example"] = [PUBLIC]
    assert delivery(database, dns, subscriber).deliver_due() == 1
    ((target, _),) = subscriber.posts
    assert (target.host, target.address) == ("hooks.partner.example", PUBLIC)
    assert subscription_json(database, "dns-swap", subscription_id)["deliveryStatus"] == "active"


# --- a subscription ends with its creator's access -----------------------------------------


def test_revoking_the_token_suspends_its_subscriptions_with_the_reason(known: KnownSet) -> None:
    database = known.database
    dns = StandInDns(hooks_partner_example=[PUBLIC])
    distributor = token_actor(database, "distributor", "dist-1")
    other = token_actor(database, "distributor", "dist-1")
    make_query(database, "revoked-feed", distributor, {"eventType": ["ObjectEvent"]})
    revoked = make_subscription(database, "revoked-feed", distributor, dns)
    kept = make_subscription(database, "revoked-feed", other, dns)
    token_id = token_id_of(distributor)
    assert token_id is not None
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    with database.unit_of_work() as uow:
        revoke_token(uow, token_id, actor=ADMIN, at=at)
        uow.commit()
    state = subscription_json(database, "revoked-feed", revoked, other)
    assert (state["deliveryStatus"], state["suspendedReason"]) == (
        "suspended",
        f"the token that made it (token:{token_id}) was revoked at 2026-03-01T12:00:00Z",
    )
    assert "suspendedReason" not in subscription_json(database, "revoked-feed", kept, other)
    subscriber = Subscriber()
    assert delivery(database, dns, subscriber).deliver_due() == 1
    assert [
        document["epcisBody"]["queryResults"]["subscriptionID"] for _, document in subscriber.posts
    ] == [kept]
    with database.unit_of_work(read_only=True) as uow:
        (line,) = uow.audit.of(f"token:{token_id}")[-1:]
    assert (line.action, line.details) == ("token.revoked", {"subscriptions_suspended": 1})


def test_a_token_revoked_behind_the_services_back_is_caught_at_delivery(known: KnownSet) -> None:
    database = known.database
    dns = StandInDns(hooks_partner_example=[PUBLIC])
    distributor = token_actor(database, "distributor", "dist-1")
    make_query(database, "quietly-revoked", distributor, {"eventType": ["ObjectEvent"]})
    subscription_id = make_subscription(database, "quietly-revoked", distributor, dns)
    at = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
    with database.unit_of_work() as uow:
        uow.connection.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id_of(distributor))
            .values(revoked_at=at)
        )
        uow.commit()
    subscriber = Subscriber()
    assert delivery(database, dns, subscriber).deliver_due() == 0
    assert subscriber.posts == []
    state = subscription_json(database, "quietly-revoked", subscription_id, distributor)
    assert state["deliveryStatus"] == "suspended"
    assert state["suspendedReason"] == (
        f"the token that made it ({distributor.name}) was revoked at 2026-03-02T08:30:00Z"
    )
    # suspended for good: never due again
    assert delivery(database, dns, subscriber).deliver_due() == 0


def test_a_subscription_whose_party_is_gone_is_suspended(database: Database) -> None:
    dns = StandInDns(hooks_partner_example=[PUBLIC])
    with database.unit_of_work() as uow:
        catalog.register_party(uow, id="dist-gone", name="Gone", role="distributor", actor=ADMIN)
        uow.commit()
    # a partner feed set up by the brand for the party, without a token of its own
    feed = Actor("partner-feed", Role.DISTRIBUTOR, "dist-gone")
    make_query(database, "gone-feed", feed, {})
    subscription_id = make_subscription(database, "gone-feed", feed, dns)
    with database.unit_of_work() as uow:
        uow.connection.execute(delete(parties).where(parties.c.id == "dist-gone"))
        uow.commit()
    assert delivery(database, dns, Subscriber()).deliver_due() == 0
    state = subscription_json(database, "gone-feed", subscription_id, feed)
    assert (state["deliveryStatus"], state["suspendedReason"]) == (
        "suspended",
        "its party 'dist-gone', whose view of the events it had, no longer exists",
    )


def test_a_revocation_during_a_delivery_is_not_undone_by_its_outcome(known: KnownSet) -> None:
    database = known.database
    dns = StandInDns(hooks_partner_example=[PUBLIC])
    distributor = token_actor(database, "distributor", "dist-1")
    make_query(database, "revoked-mid-way", distributor, {"eventType": ["ObjectEvent"]})
    subscription_id = make_subscription(database, "revoked-mid-way", distributor, dns)
    token_id = token_id_of(distributor)
    assert token_id is not None

    class RevokedWhilePosting(Subscriber):
        def __call__(self, target: WebhookTarget, body: bytes, headers: Mapping[str, str]) -> int:
            with database.unit_of_work() as uow:
                revoke_token(uow, token_id, actor=ADMIN)
                uow.commit()
            return super().__call__(target, body, headers)

    assert delivery(database, dns, RevokedWhilePosting()).deliver_due() == 1
    state = subscription_json(database, "revoked-mid-way", subscription_id, distributor)
    assert state["deliveryStatus"] == "suspended"
    assert state["suspendedReason"].startswith(
        f"the token that made it (token:{token_id}) was revoked"
    )


@pytest.mark.parametrize(
    ("actor", "token_id"),
    [
        (Actor("token:17", Role.ADMIN), 17),
        (Actor("token:17", Role.DISTRIBUTOR, "dist-1"), 17),
        (Actor("cli", Role.ADMIN), None),
        (Actor("token:", Role.ADMIN), None),
        (Actor("token:x1", Role.ADMIN), None),
        (Actor("tokens:17", Role.ADMIN), None),
    ],
)
def test_the_token_of_an_actor(actor: Actor, token_id: int | None) -> None:
    assert token_id_of(actor) == token_id


def test_an_unknown_or_revoked_token_cannot_be_revoked(database: Database) -> None:
    actor = token_actor(database, "verifier")
    token_id = token_id_of(actor)
    assert token_id is not None
    with database.unit_of_work() as uow:
        revoke_token(uow, token_id, actor=ADMIN)
        uow.commit()
    for unknown in (token_id, token_id + 1000):
        with (
            database.unit_of_work() as uow,
            pytest.raises(NotFound, match=f"token: {unknown} is not a live token"),
        ):
            revoke_token(uow, unknown, actor=ADMIN)
    with database.unit_of_work() as uow, pytest.raises(NotFound, match="not a live token"):
        live_token_id(uow, "ut_forged")


# --- what the creator may see ---------------------------------------------------------------

# (caller, the events each delivery POST holds, in record order)
VIEWS: list[tuple[str, list[list[str]]]] = [
    ("dist-1", [["E01", "E02", "E03", "E04", "E07", "E15", "E17"]]),
    ("dist-2", [["E02", "E05", "E12"]]),
    ("dist-3", []),  # nothing in its view: nothing is sent
]


@pytest.mark.parametrize(("party", "posts"), VIEWS)
def test_a_distributors_subscription_delivers_only_its_view(
    known: KnownSet, party: str, posts: list[list[str]]
) -> None:
    database = known.database
    dns = StandInDns(hooks_partner_example=[PUBLIC])
    distributor = token_actor(database, "distributor", party)
    make_query(database, f"everything-{party}", distributor, {})
    make_subscription(database, f"everything-{party}", distributor, dns)
    subscriber = Subscriber()
    delivery(database, dns, subscriber).deliver_due()
    assert subscriber.event_names() == posts


def test_one_subscriptions_fault_does_not_hold_up_the_others(
    known: KnownSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = known.database
    make_query(database, "broken", ADMIN, {"eventType": ["ObjectEvent"]})
    make_query(database, "sound", ADMIN, {"eventType": ["ObjectEvent"]})
    dns = StandInDns(hooks_partner_example=[PUBLIC])
    broken = make_subscription(database, "broken", ADMIN, dns)
    sound = make_subscription(database, "sound", ADMIN, dns)
    definition = deliveries.definition_of_subscription

    def faulty(found: Any) -> Any:
        if found.subscription_id == broken:
            raise ValueError("a stored definition unitrace cannot read")
        return definition(found)

    monkeypatch.setattr(deliveries, "definition_of_subscription", faulty)
    subscriber = Subscriber()
    assert delivery(database, dns, subscriber).deliver_due() == 1
    assert len(subscriber.posts) == 1
    assert subscription_json(database, "sound", sound)["deliveryStatus"] == "active"
