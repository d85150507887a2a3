"""EPCIS named queries and their webhook subscriptions, as their owners keep them: made, listed,
read, run and deleted by the tokens of the party that owns them
(:mod:`unitrace.services.ownership`: the brand's admin and line tokens share one owner, each
distributor's party is one, a verifier owns none).

Names are unique per owner: a name another owner took is free, and a name taken is refused
naming only the caller's own query. A query or subscription of another owner is "not found",
as an unknown one is. Making and ending them leaves a line in the audit trail; a query's
subscriptions go with it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Final

from sqlalchemy.exc import IntegrityError

from unitrace.registry.errors import AlreadyExists, InvalidRequest, NotFound
from unitrace.registry.model import Actor
from unitrace.services.epcis_query import (
    CheckedSubscription,
    QueryDefinition,
    json_parameters,
    read_query,
    read_subscription,
)
from unitrace.services.ownership import Owner, owner_of
from unitrace.services.tokens import token_id_of
from unitrace.services.webhooks import WebhookDestinations
from unitrace.store.epcis_query import EpcisQueries, NamedQuery, NewSubscription, Subscription
from unitrace.store.unit_of_work import UnitOfWork

_QUERY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")
#: What the things kept here are called in a refusal.
NAMED_QUERIES: Final = "named queries"


def create_named_query(
    uow: UnitOfWork, name: Any, query: Any, *, actor: Actor, at: dt.datetime | None = None
) -> NamedQuery:
    """Store a named query for ``actor``'s owner; its definition is checked as a query is."""
    owner = owner_of(actor, NAMED_QUERIES)
    if not isinstance(name, str) or _QUERY_NAME.fullmatch(name) is None:
        raise InvalidRequest(
            "name: 1 to 200 letters, digits, '.', '_', '~' or '-', starting with a letter or digit"
        )
    definition = read_query(json_parameters(query))
    queries = EpcisQueries(uow.connection)
    taken = AlreadyExists(f"name: a query named {name!r} exists already")
    if queries.query_named(name, party_id=owner.party_id) is not None:
        raise taken
    try:
        # a savepoint, so that the unit of work stays usable after the name is found taken
        with uow.connection.begin_nested():
            created = queries.add_query(
                name,
                definition.stored(),
                party_id=owner.party_id,
                created_by=actor.name,
                at=at or dt.datetime.now(dt.UTC),
            )
    except IntegrityError:
        # another request of the same owner stored the name between the look-up and the insert
        raise taken from None
    uow.audit.record(actor.name, "epcis.query.created", _subject(owner, name), {})
    return created


def named_queries(uow: UnitOfWork, *, actor: Actor) -> list[NamedQuery]:
    """The named queries of ``actor``'s owner, by name."""
    owner = owner_of(actor, NAMED_QUERIES)
    return EpcisQueries(uow.connection).named_queries(party_id=owner.party_id)


def named_query(uow: UnitOfWork, name: str, *, actor: Actor) -> NamedQuery:
    """The named query ``name`` of ``actor``'s owner; :class:`NotFound` otherwise."""
    owner = owner_of(actor, NAMED_QUERIES)
    # a text no query may be named (a NUL in it, say) names none, and is not looked up
    valid = isinstance(name, str) and _QUERY_NAME.fullmatch(name) is not None
    found = (
        EpcisQueries(uow.connection).query_named(name, party_id=owner.party_id) if valid else None
    )
    if found is None:
        raise NotFound(f"no query named {name!r} is yours")
    return found


def delete_named_query(uow: UnitOfWork, name: str, *, actor: Actor) -> None:
    """Remove a named query and every subscription to it."""
    found = named_query(uow, name, actor=actor)
    ended = EpcisQueries(uow.connection).remove_query(found.id)
    uow.audit.record(
        actor.name,
        "epcis.query.deleted",
        _subject(Owner(found.party_id), name),
        {"query": found.query, "subscriptions_ended": ended},
    )


def definition_of(query: NamedQuery) -> QueryDefinition:
    return read_query(json_parameters(query.query))


def subscribe(
    uow: UnitOfWork,
    name: str,
    body: Any,
    *,
    actor: Actor,
    destinations: WebhookDestinations | None = None,
    at: dt.datetime | None = None,
) -> Subscription:
    """Subscribe ``body.dest`` to the named query: events recorded from ``initialRecordTime``
    (else from now) on are delivered, with ``actor``'s view of the events, for as long as
    ``actor``'s token lives. ``body`` may come as
    :func:`~unitrace.services.epcis_query.read_subscription` checked it; otherwise it is
    checked here against ``destinations`` (public addresses only unless given). A refused
    subscription is a :class:`~unitrace.services.epcis_query.SubscriptionControlsException`
    and stores nothing."""
    now = at or dt.datetime.now(dt.UTC)
    query = named_query(uow, name, actor=actor)
    checked = (
        body
        if isinstance(body, CheckedSubscription)
        else read_subscription(body, destinations=destinations or WebhookDestinations(), at=now)
    )
    request = checked.request
    first = now if request.schedule is None else request.schedule.next_after(now)
    queries = EpcisQueries(uow.connection)
    try:
        with uow.connection.begin_nested():
            made = queries.add_subscription(
                query,
                NewSubscription(
                    subscription_id=str(uuid.uuid4()),
                    dest=request.dest,
                    signature_token=request.signature_token,
                    stream=request.stream,
                    schedule=request.schedule_fields,
                    report_if_empty=request.report_if_empty,
                    role=actor.role.value,
                    party_id=actor.party_id,
                    created_by=actor.name,
                    token_id=token_id_of(actor),
                    created_at=now,
                    initial_record_time=request.initial_record_time or now,
                    first_attempt_at=first,
                ),
            )
    except IntegrityError:
        if queries.query_named(name, party_id=query.party_id) is None:
            # the query was deleted between the look-up and the insert (its foreign key)
            raise NotFound(f"no query named {name!r} is yours: it was just deleted") from None
        raise
    uow.audit.record(
        actor.name,
        "epcis.subscription.created",
        _subscription_subject(made.subscription_id),
        {"query": _subject(Owner(query.party_id), name), "dest": made.dest},
    )
    return made


def subscriptions(uow: UnitOfWork, name: str, *, actor: Actor) -> list[Subscription]:
    query = named_query(uow, name, actor=actor)
    return EpcisQueries(uow.connection).subscriptions_of(query.id)


def subscription(uow: UnitOfWork, name: str, subscription_id: str, *, actor: Actor) -> Subscription:
    query = named_query(uow, name, actor=actor)
    return _subscription_to(uow, query, subscription_id)


def unsubscribe(uow: UnitOfWork, name: str, subscription_id: str, *, actor: Actor) -> None:
    query = named_query(uow, name, actor=actor)
    found = _subscription_to(uow, query, subscription_id)
    EpcisQueries(uow.connection).remove_subscription(found.id)
    uow.audit.record(
        actor.name,
        "epcis.subscription.ended",
        _subscription_subject(found.subscription_id),
        {"query": _subject(Owner(query.party_id), name), "dest": found.dest},
    )


def _subscription_to(uow: UnitOfWork, query: NamedQuery, subscription_id: str) -> Subscription:
    found = EpcisQueries(uow.connection).subscription(subscription_id)
    if found is None or found.query_id != query.id:
        raise NotFound(f"no subscription {subscription_id!r} to query {query.name!r}")
    return found


def _subject(owner: Owner, name: str) -> str:
    """How the audit trail names a query: its owner and name (neither holds a ``:`` that
    could run them together)."""
    return f"epcis-query:{owner.label}:{name}"


def _subscription_subject(subscription_id: str) -> str:
    return f"epcis-subscription:{subscription_id}"
