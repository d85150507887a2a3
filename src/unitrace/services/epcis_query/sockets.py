"""Subscriptions to a named query over a WebSocket, as the REST binding has them: the handshake
``GET /queries/{queryName}/events`` with ``stream=true``, or with a schedule (``second``,
``minute``, ``hour``, ``dayOfMonth``, ``month``, ``dayOfWeek``), and ``reportIfEmpty`` and
``initialRecordTime``; the subscription lasts as long as the socket.

Here: the handshake's parameters read (:class:`SocketRequest`), the subscription opened for a
caller (:func:`open_subscription`: the query must be the caller's owner's, as its events are),
and the events it is sent, read between two looks at the event index
(:mod:`unitrace.store.epcis_query.event_feed`), each with the view of the events the caller
may have, as a query's answers are. Keeping the sockets is the face's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor
from unitrace.services import epcis_named_queries
from unitrace.services.epcis_query.answers import answer_document
from unitrace.services.epcis_query.pages import MAX_PER_PAGE, viewer_of
from unitrace.services.epcis_query.parameters import QueryDefinition
from unitrace.services.epcis_query.subscriptions import (
    SCHEDULE_FIELDS,
    Schedule,
    SubscriptionControlsException,
)
from unitrace.services.epcis_query.values import QueryParameterException, read_positive, read_time
from unitrace.services.tokens import token_id_of
from unitrace.store.epcis_query import EpcisQueries, EventViewer, FoundEvent, PagePosition
from unitrace.store.epcis_query.event_feed import FeedMark, between, take_mark, visible_at
from unitrace.store.epcis_query.standing import existing_queries, live_tokens
from unitrace.store.unit_of_work import UnitOfWork

#: Events in one message unless ``perPage`` asks for fewer (at most :data:`MAX_PER_PAGE`).
PER_MESSAGE: Final = 500
_SWITCHES: Final = ("stream", "reportIfEmpty")
#: The handshake's parameters a socket subscription reads.
SOCKET_PARAMETERS: Final = (
    "stream",
    *SCHEDULE_FIELDS,
    "reportIfEmpty",
    "initialRecordTime",
    "perPage",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SocketRequest:
    """A subscription as the handshake's query string asks for it: ``stream`` or a
    ``schedule`` (UTC), never both; ``reportIfEmpty`` (a scheduled run that finds nothing
    sends an empty document); ``initialRecordTime`` (the first message also has the events
    recorded since then); at most ``per_message`` events a message."""

    stream: bool
    schedule: Schedule | None
    report_if_empty: bool
    initial_record_time: dt.datetime | None
    per_message: int

    @classmethod
    def read(cls, items: Iterable[tuple[str, str]]) -> SocketRequest:
        """The request of the handshake's query parameters ``items``: a
        :class:`QueryParameterException` naming a parameter that cannot be read, a
        :class:`SubscriptionControlsException` for controls that make no subscription.

        >>> SocketRequest.read([("minute", "5"), ("hour", "1")]).schedule.next_after(
        ...     dt.datetime(2026, 3, 1, 1, 5, tzinfo=dt.UTC))
        datetime.datetime(2026, 3, 2, 1, 5, tzinfo=datetime.timezone.utc)
        """
        given: dict[str, str] = {}
        for key, value in items:
            if key not in SOCKET_PARAMETERS:
                raise QueryParameterException(
                    key,
                    "a subscription over a WebSocket takes only " + ", ".join(SOCKET_PARAMETERS),
                )
            if key in given:
                raise QueryParameterException(key, "given more than once")
            given[key] = value
        switches = {key: _switch(key, given[key]) for key in _SWITCHES if key in given}
        stream = switches.get("stream", False)
        fields = {key: given[key] for key in SCHEDULE_FIELDS if key in given}
        if stream and fields:
            raise SubscriptionControlsException(
                f"stream: stream=true and a schedule ({', '.join(fields)}) exclude each other"
            )
        if not stream and not fields:
            raise SubscriptionControlsException(
                "stream: a subscription needs stream=true or a schedule ("
                + ", ".join(SCHEDULE_FIELDS)
                + ")"
            )
        schedule = None
        if fields:
            try:
                schedule = Schedule.read(fields)
                schedule.next_after(dt.datetime.now(dt.UTC))
            except InvalidRequest as error:
                # the fields are the query string's own here, not a schedule object's
                raise SubscriptionControlsException(str(error).removeprefix("schedule.")) from None
        initial = given.get("initialRecordTime")
        per_page = given.get("perPage")
        return cls(
            stream=stream,
            schedule=schedule,
            report_if_empty=switches.get("reportIfEmpty", False),
            initial_record_time=None
            if initial is None
            else read_time("initialRecordTime", initial),
            per_message=PER_MESSAGE
            if per_page is None
            else min(read_positive("perPage", per_page), MAX_PER_PAGE),
        )


def _switch(key: str, value: str) -> bool:
    if value not in ("true", "false"):
        raise QueryParameterException(key, f"{value!r} is neither true nor false")
    return value == "true"


@dataclass(frozen=True, slots=True, kw_only=True)
class SocketSubscription:
    """A subscription opened over a socket: its ``subscriptionID`` (each message carries it),
    the named query (by name and row, so that its deletion is noticed) read for the caller's
    view, the token that opened it, and where its events start (``opened``)."""

    subscription_id: str
    query_name: str
    query_id: int
    definition: QueryDefinition
    viewer: EventViewer
    token_id: int | None
    request: SocketRequest
    opened: FeedMark


def open_subscription(
    uow: UnitOfWork, name: str, request: SocketRequest, *, actor: Actor
) -> SocketSubscription:
    """A subscription of ``actor`` to its owner's query ``name`` (:class:`NotFound` for another
    owner's or an unknown one, :class:`Forbidden` for a token that owns none); its events are
    those that become visible after the look taken here."""
    found = epcis_named_queries.named_query(uow, name, actor=actor)
    definition = epcis_named_queries.definition_of(found)
    # a subscription's events come in the order they were recorded, whatever the query says
    ordered = dataclasses.replace(definition.conditions, order_by="recordTime", descending=False)
    return SocketSubscription(
        subscription_id=str(uuid.uuid4()),
        query_name=found.name,
        query_id=found.id,
        definition=dataclasses.replace(definition, conditions=ordered),
        viewer=viewer_of(actor),
        token_id=token_id_of(actor),
        request=request,
        opened=take_mark(uow.connection),
    )


def look(uow: UnitOfWork) -> FeedMark:
    """A look at the event index now."""
    return take_mark(uow.connection)


def events_between(
    uow: UnitOfWork,
    subscription: SocketSubscription,
    earlier: FeedMark | None,
    later: FeedMark,
    *,
    after: PagePosition | None = None,
    recorded_from: dt.datetime | None = None,
) -> list[FoundEvent]:
    """The subscription's events visible at ``later`` and not at ``earlier`` (every one
    visible at ``later`` without ``earlier``), recorded at ``recorded_from`` or later where
    given, in recordTime order after ``after``: a message's worth at most."""
    connection = uow.connection
    within = (
        visible_at(connection, later) if earlier is None else between(connection, earlier, later)
    )
    conditions = subscription.definition.conditions
    if recorded_from is not None:
        start = conditions.record_time_from
        conditions = dataclasses.replace(
            conditions,
            record_time_from=recorded_from if start is None else max(start, recorded_from),
        )
    return EpcisQueries(connection).events(
        conditions,
        viewer=subscription.viewer,
        after=after,
        limit=subscription.request.per_message,
        within=within,
    )


def message(
    subscription: SocketSubscription, events: Sequence[FoundEvent], *, at: dt.datetime
) -> dict[str, Any]:
    """The EPCISQueryDocument a message carries: the events, each as the caller may see it,
    with the query's name and the subscriptionID."""
    return answer_document(
        events,
        query_name=subscription.query_name,
        created=at,
        subscription_id=subscription.subscription_id,
    )


@dataclass(frozen=True, slots=True)
class Standing:
    """Which of the tokens and queries asked about still stand: tokens neither revoked nor
    gone, queries not deleted."""

    live_tokens: frozenset[int]
    queries: frozenset[int]


def standing(uow: UnitOfWork, token_ids: Iterable[int], query_ids: Iterable[int]) -> Standing:
    """Which of ``token_ids`` and ``query_ids`` still stand (one read of each)."""
    connection = uow.connection
    return Standing(live_tokens(connection, token_ids), existing_queries(connection, query_ids))
