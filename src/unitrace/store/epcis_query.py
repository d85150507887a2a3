"""EPCIS queries as SQL: an :class:`EventQuery` (the standard query parameters, already read
and checked by :mod:`unitrace.services.epcis_query`) becomes one SQLAlchemy Core select over
``epcis_events``, ``event_epcs`` and ``event_values``; and the named queries and webhook
subscriptions of the REST binding, with their delivery state.

How the parameters become conditions (AND across parameters, OR within one):

- times compare in UTC, ``GE_`` inclusive and ``LT_`` exclusive;
- ``WD_readPoint`` / ``WD_bizLocation`` match the locations given and every location below
  them in the master data's hierarchy of read points / business locations, walked inside the
  query (:func:`~unitrace.store.master_data.descendants_of`), so that a named query or a
  subscription sees the hierarchy as it is when it runs;
- a ``MATCH_`` parameter is an :class:`EpcMatch`: exact EPCs (every spelling the service
  derived) and prefixes (from ``urn:epc:idpat`` wildcards), searched under the roles the
  standard gives the parameter in the EPC index and in the canonical Digital Links of EPCs
  captured as Digital Links spelled otherwise (``event_canonical_epcs``); a prefix is a range
  of the index (``prefix <= epc < the prefix's successor``), a seek rather than a scan;
- ``EQ_bizTransaction_<type>``, ``EQ_source_<type>``, ``EQ_destination_<type>``,
  ``EQ_persistentDisposition_set`` / ``_unset`` and ``EQ_transformationID`` are
  :class:`ValueMatch` es on ``event_values``.

Pages are keyset pages: ordered by (eventTime or recordTime, id), a page starts after the last
(time, id) of the page before, so that a page costs the same however deep it is and events
recorded meanwhile neither shift nor repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Select,
    and_,
    case,
    delete,
    false,
    insert,
    or_,
    select,
    true,
    union_all,
    update,
)

from unitrace.store.events import LIST_ROLES
from unitrace.store.held_epcs import HeldEpcs
from unitrace.store.master_data import BUSINESS_LOCATION, READ_POINT, descendants_of
from unitrace.store.party_view import PartyView
from unitrace.store.schema import (
    api_tokens,
    epcis_events,
    epcis_queries,
    epcis_subscriptions,
    event_canonical_epcs,
    event_epcs,
    event_values,
    parties,
)
from unitrace.store.times import utc

#: The index roles each ``MATCH_`` parameter searches (EPCIS 2.0 section 8.2.7.1).
MATCH_ROLES: Mapping[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("quantity", "child_quantity"),
    "MATCH_inputEPCClass": ("input_quantity",),
    "MATCH_outputEPCClass": ("output_quantity",),
    "MATCH_anyEPCClass": ("quantity", "child_quantity", "input_quantity", "output_quantity"),
}

#: The roles of EPC classes (quantity lists): no party's serials, so found for every viewer.
CLASS_ROLES = frozenset(MATCH_ROLES["MATCH_anyEPCClass"])

OrderBy = Literal["eventTime", "recordTime"]


@dataclass(frozen=True, slots=True)
class EpcMatch:
    """EPCs that match one ``MATCH_`` parameter: any of ``exact``, or any EPC that starts with
    one of ``prefixes``, named in one of ``roles``."""

    roles: tuple[str, ...]
    exact: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ValueMatch:
    """Events naming one of ``values`` under ``field`` of ``event_values``, with one of
    ``types`` where given (every spelling of the type)."""

    field: str
    values: frozenset[str]
    types: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class EventQuery:
    """A query's conditions, every value already spelled as stored (CBV words in each of
    their spellings). ``None`` does not restrict; an empty set matches nothing (two
    parameters on one field whose values have nothing in common)."""

    event_types: frozenset[str] | None = None
    event_time_from: dt.datetime | None = None
    event_time_before: dt.datetime | None = None
    record_time_from: dt.datetime | None = None
    record_time_before: dt.datetime | None = None
    actions: frozenset[str] | None = None
    biz_steps: frozenset[str] | None = None
    dispositions: frozenset[str] | None = None
    read_points: frozenset[str] | None = None
    biz_locations: frozenset[str] | None = None
    #: ``WD_``: these locations or any below them in the master data
    read_points_within: frozenset[str] | None = None
    biz_locations_within: frozenset[str] | None = None
    event_ids: frozenset[str] | None = None
    epc_matches: tuple[EpcMatch, ...] = ()
    value_matches: tuple[ValueMatch, ...] = ()
    error_declared: bool = False
    error_declared_from: dt.datetime | None = None
    error_declared_before: dt.datetime | None = None
    order_by: OrderBy = "eventTime"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class EventViewer:
    """Whose view of the events a query gets: every event, or a party's
    (:class:`~unitrace.store.party_view.PartyView`); a restricted viewer without a party sees
    none."""

    everything: bool
    party_id: str | None = None


EVERY_EVENT = EventViewer(everything=True)


@dataclass(frozen=True, slots=True)
class PagePosition:
    """Where a page starts: after the event with this order time and primary key."""

    time: dt.datetime
    pk: int


@dataclass(frozen=True, slots=True)
class FoundEvent:
    """An event a query found: its JSON-LD as an eventList holds it (EPC lists filled from
    the index, ``recordTime`` set), and its place in the query's order."""

    pk: int
    event_id: str
    document: dict[str, Any]
    position: PagePosition
    record_time: dt.datetime
    #: the EPCs of ``document`` (its lists and parentID) its viewer may be shown: None for
    #: every one (the brand's view, or an event of the viewer's own party)
    shown: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class NamedQuery:
    id: int
    name: str
    query: dict[str, Any]
    party_id: str | None
    created_by: str | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    subscription_id: str
    query_id: int
    query_name: str
    query: dict[str, Any]
    dest: str
    signature_token: str | None
    stream: bool
    schedule: dict[str, str] | None
    report_if_empty: bool
    role: str
    party_id: str | None
    created_by: str | None
    created_at: dt.datetime
    initial_record_time: dt.datetime
    watermark: PagePosition
    status: str
    next_attempt_at: dt.datetime
    attempts: int
    last_error: str | None
    last_notified_at: dt.datetime | None
    token_id: int | None = None
    suspended_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CreatorStanding:
    """What is left of a subscription's creator: its token (``token_known``, and when it
    was revoked) and its party (``party_known``)."""

    token_known: bool
    token_revoked_at: dt.datetime | None
    party_known: bool


@dataclass(frozen=True, slots=True)
class NewSubscription:
    subscription_id: str
    dest: str
    signature_token: str | None
    stream: bool
    schedule: dict[str, str] | None
    report_if_empty: bool
    role: str
    party_id: str | None
    created_by: str | None
    created_at: dt.datetime
    initial_record_time: dt.datetime
    first_attempt_at: dt.datetime
    token_id: int | None = None


class EpcisQueries:
    """The EPCIS query side's reads and writes, on one connection (a unit of work's)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._views: dict[str, PartyView] = {}

    def _view(self, viewer: EventViewer) -> PartyView | None:
        """``viewer``'s party's view, where its view is a party's (one per party and unit of
        work: what the party holds is counted and asked of once)."""
        if viewer.everything or viewer.party_id is None:
            return None
        if viewer.party_id not in self._views:
            self._views[viewer.party_id] = PartyView(self.connection, viewer.party_id)
        return self._views[viewer.party_id]

    def _visible(self, viewer: EventViewer) -> ColumnElement[bool]:
        """The events ``viewer``, whose view is not every event, may see: its party's view,
        or none for a view of no party."""
        view = self._view(viewer)
        return false() if view is None else view.events()

    # --- events ------------------------------------------------------------------------

    def select_events(
        self,
        query: EventQuery,
        *,
        viewer: EventViewer,
        after: PagePosition | None = None,
        limit: int | None = None,
    ) -> Select[Any]:
        """The one select a query runs: the events ``query`` matches that ``viewer`` may see,
        in the query's order, after ``after``."""
        order_column = (
            epcis_events.c.record_time
            if query.order_by == "recordTime"
            else epcis_events.c.event_time
        )
        statement = select(
            epcis_events.c.id,
            epcis_events.c.event_id,
            epcis_events.c.document,
            epcis_events.c.record_time,
            epcis_events.c.party_id,
            order_column.label("order_time"),
        ).where(*_conditions(query, self._held_by(viewer)))
        if not viewer.everything:
            statement = statement.where(self._visible(viewer))
        if after is not None:
            later = (
                (order_column < after.time, epcis_events.c.id < after.pk)
                if query.descending
                else (order_column > after.time, epcis_events.c.id > after.pk)
            )
            statement = statement.where(or_(later[0], and_(order_column == after.time, later[1])))
        if query.descending:
            statement = statement.order_by(order_column.desc(), epcis_events.c.id.desc())
        else:
            statement = statement.order_by(order_column, epcis_events.c.id)
        if limit is not None:
            statement = statement.limit(limit)
        return statement

    def events(
        self,
        query: EventQuery,
        *,
        viewer: EventViewer,
        after: PagePosition | None = None,
        limit: int | None = None,
    ) -> list[FoundEvent]:
        rows = self.connection.execute(
            self.select_events(query, viewer=viewer, after=after, limit=limit)
        ).all()
        epc_lists = self._epc_lists([row.id for row in rows])
        documents: dict[int, dict[str, Any]] = {}
        for row in rows:
            document: dict[str, Any] = dict(row.document)
            for key, role in LIST_ROLES.items():
                if key in document:
                    document[key] = epc_lists.get((row.id, role), [])
            documents[row.id] = document
        shown = self._shown(viewer, rows, documents)
        found = []
        for row in rows:
            document = documents[row.id]
            recorded = utc(row.record_time)
            document["recordTime"] = recorded.isoformat(timespec="milliseconds")
            found.append(
                FoundEvent(
                    pk=row.id,
                    event_id=row.event_id,
                    document=document,
                    position=PagePosition(utc(row.order_time), row.id),
                    record_time=recorded,
                    shown=shown.get(row.id),
                )
            )
        return found

    def _held_by(self, viewer: EventViewer) -> HeldEpcs | None:
        """What ``viewer``'s party holds and held, where its view is a party's."""
        view = self._view(viewer)
        return None if view is None else view.held

    def _shown(
        self, viewer: EventViewer, rows: Sequence[Any], documents: Mapping[int, dict[str, Any]]
    ) -> dict[int, frozenset[str]]:
        """The EPCs ``viewer`` may be shown of each event it sees but is not the party of (of
        its own events, every EPC): those its party holds or held."""
        view = self._view(viewer)
        if view is None:
            return {}
        listed: dict[int, set[str]] = {}
        for row in rows:
            if row.party_id == view.party_id:
                continue
            document = documents[row.id]
            named = listed[row.id] = set()
            for key in LIST_ROLES:
                named.update(document.get(key) or ())
            if isinstance(document.get("parentID"), str):
                named.add(document["parentID"])
        return view.held.among(listed)

    def _epc_lists(self, pks: Sequence[int]) -> dict[tuple[int, str], list[str]]:
        """The EPC lists of the events ``pks``, by (event, role), in EPC order (EPCIS gives
        them none), in one read instead of one per event and list."""
        lists: dict[tuple[int, str], list[str]] = {}
        if not pks:
            return lists
        rows = self.connection.execute(
            select(event_epcs.c.event_pk, event_epcs.c.role, event_epcs.c.epc)
            .where(
                event_epcs.c.event_pk.in_(pks),
                event_epcs.c.role.in_(sorted(LIST_ROLES.values())),
            )
            .order_by(event_epcs.c.event_pk, event_epcs.c.role, event_epcs.c.epc)
        )
        for pk, role, epc in rows:
            lists.setdefault((pk, role), []).append(epc)
        return lists

    def vocabulary(self, column: str, *, viewer: EventViewer) -> list[str]:
        """The distinct values of one indexed column (``type``, ``biz_step``,
        ``disposition``, ``read_point``, ``biz_location``) among the visible events."""
        chosen = epcis_events.c[column]
        statement = select(chosen).where(chosen.is_not(None)).distinct().order_by(chosen)
        if not viewer.everything:
            statement = statement.where(self._visible(viewer))
        return [str(value) for value in self.connection.execute(statement).scalars()]

    def known_epcs(self, *, viewer: EventViewer, after: str | None, limit: int) -> list[str]:
        """The EPCs (instances, not classes) the visible events name, each as an event
        wrote it, in code order from just after ``after``: a page of ``GET /epcis/epcs``.
        Those are the EPCs ``MATCH_anyEPC`` finds events of."""
        named = event_epcs.c.epc
        statement = (
            select(named)
            .where(event_epcs.c.role.in_(MATCH_ROLES["MATCH_anyEPC"]))
            .distinct()
            .order_by(named)
            .limit(limit)
        )
        if after is not None:
            statement = statement.where(named > after)
        view = self._view(viewer)
        if view is not None:
            # an EPC the party holds or held, named by an event it may see
            statement = statement.where(view.names_seen(event_epcs), view.held.covers(named))
        elif not viewer.everything:
            statement = statement.where(false())
        return [str(epc) for epc in self.connection.execute(statement).scalars()]

    def latest_record(self) -> PagePosition | None:
        """The (recordTime, id) of the event recorded last: where a new subscription starts."""
        row = self.connection.execute(
            select(epcis_events.c.record_time, epcis_events.c.id)
            .order_by(epcis_events.c.record_time.desc(), epcis_events.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else PagePosition(utc(row.record_time), row.id)

    # --- named queries -----------------------------------------------------------------

    def add_query(
        self,
        name: str,
        query: Mapping[str, Any],
        *,
        party_id: str | None,
        created_by: str | None,
        at: dt.datetime,
    ) -> NamedQuery:
        pk = self.connection.execute(
            insert(epcis_queries).returning(epcis_queries.c.id),
            {
                "name": name,
                "query": dict(query),
                "party_id": party_id,
                "created_by": created_by,
                "created_at": at,
            },
        ).scalar_one()
        return NamedQuery(pk, name, dict(query), party_id, created_by, at)

    def query_named(self, name: str, *, party_id: str | None) -> NamedQuery | None:
        """The query ``name`` of the owner ``party_id`` (None: the brand's)."""
        row = self.connection.execute(
            select(epcis_queries).where(
                epcis_queries.c.name == name, _same_party(epcis_queries.c.party_id, party_id)
            )
        ).first()
        return None if row is None else _named_query(row)

    def named_queries(self, *, party_id: str | None) -> list[NamedQuery]:
        """The queries of the owner ``party_id`` (None: the brand's), by name."""
        statement = (
            select(epcis_queries)
            .where(_same_party(epcis_queries.c.party_id, party_id))
            .order_by(epcis_queries.c.name)
        )
        return [_named_query(row) for row in self.connection.execute(statement)]

    def remove_query(self, query_id: int) -> list[str]:
        """The query and its subscriptions (the REST binding: deleting a query unsubscribes
        every subscriber); the subscriptionIDs it had."""
        ended = self.connection.execute(
            delete(epcis_subscriptions)
            .where(epcis_subscriptions.c.query_id == query_id)
            .returning(epcis_subscriptions.c.subscription_id)
        ).scalars()
        subscription_ids = sorted(ended)
        self.connection.execute(delete(epcis_queries).where(epcis_queries.c.id == query_id))
        return subscription_ids

    # --- subscriptions -----------------------------------------------------------------

    def add_subscription(self, query: NamedQuery, new: NewSubscription) -> Subscription:
        watermark = self.latest_record_before(new.initial_record_time)
        values = {
            "subscription_id": new.subscription_id,
            "query_id": query.id,
            "dest": new.dest,
            "signature_token": new.signature_token,
            "stream": new.stream,
            "schedule": new.schedule,
            "report_if_empty": new.report_if_empty,
            "role": new.role,
            "party_id": new.party_id,
            "created_by": new.created_by,
            "token_id": new.token_id,
            "created_at": new.created_at,
            "initial_record_time": new.initial_record_time,
            "watermark_time": watermark.time,
            "watermark_pk": watermark.pk,
            "status": "active",
            "next_attempt_at": new.first_attempt_at,
            "attempts": 0,
        }
        self.connection.execute(insert(epcis_subscriptions), values)
        found = self.subscription(new.subscription_id)
        assert found is not None
        return found

    def latest_record_before(self, at: dt.datetime) -> PagePosition:
        """The watermark of a subscription that wants the events recorded from ``at`` on."""
        row = self.connection.execute(
            select(epcis_events.c.record_time, epcis_events.c.id)
            .where(epcis_events.c.record_time < at)
            .order_by(epcis_events.c.record_time.desc(), epcis_events.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return PagePosition(utc(at) - dt.timedelta(microseconds=1), 0)
        return PagePosition(utc(row.record_time), row.id)

    def _subscriptions(self) -> Select[Any]:
        return select(
            epcis_subscriptions,
            epcis_queries.c.name.label("query_name"),
            epcis_queries.c.query.label("query_definition"),
        ).join(epcis_queries, epcis_queries.c.id == epcis_subscriptions.c.query_id)

    def subscription(self, subscription_id: str) -> Subscription | None:
        row = self.connection.execute(
            self._subscriptions().where(epcis_subscriptions.c.subscription_id == subscription_id)
        ).first()
        return None if row is None else _subscription(row)

    def subscriptions_of(self, query_id: int) -> list[Subscription]:
        rows = self.connection.execute(
            self._subscriptions()
            .where(epcis_subscriptions.c.query_id == query_id)
            .order_by(epcis_subscriptions.c.id)
        )
        return [_subscription(row) for row in rows]

    def remove_subscription(self, pk: int) -> None:
        self.connection.execute(delete(epcis_subscriptions).where(epcis_subscriptions.c.id == pk))

    def due_subscriptions(self, at: dt.datetime) -> list[Subscription]:
        rows = self.connection.execute(
            self._subscriptions()
            .where(
                epcis_subscriptions.c.status != "suspended",
                epcis_subscriptions.c.next_attempt_at <= at,
            )
            .order_by(epcis_subscriptions.c.next_attempt_at)
        )
        return [_subscription(row) for row in rows]

    def claim(self, pk: int, *, at: dt.datetime, until: dt.datetime) -> bool:
        """Whether this worker won the subscription for a delivery (until ``until``): one
        conditional update, so that two workers never both win it."""
        claimed = self.connection.execute(
            update(epcis_subscriptions)
            .where(
                epcis_subscriptions.c.id == pk,
                or_(
                    epcis_subscriptions.c.leased_until.is_(None),
                    epcis_subscriptions.c.leased_until <= at,
                ),
            )
            .values(leased_until=until)
        )
        return claimed.rowcount == 1

    def delivered(
        self,
        pk: int,
        *,
        watermark: PagePosition,
        at: dt.datetime,
        next_attempt_at: dt.datetime,
        notified: bool,
    ) -> None:
        changes: dict[str, Any] = {
            "watermark_time": watermark.time,
            "watermark_pk": watermark.pk,
            # a subscription suspended meanwhile (its token revoked) stays suspended
            "status": case((_suspended(), "suspended"), else_="active"),
            "attempts": 0,
            "last_error": None,
            "next_attempt_at": next_attempt_at,
            "leased_until": None,
        }
        if notified:
            changes["last_notified_at"] = at
        self.connection.execute(
            update(epcis_subscriptions).where(epcis_subscriptions.c.id == pk).values(changes)
        )

    def failed(
        self,
        pk: int,
        *,
        error: str,
        attempts: int,
        status: str,
        next_attempt_at: dt.datetime,
        suspended_reason: str | None = None,
    ) -> None:
        self.connection.execute(
            update(epcis_subscriptions)
            .where(epcis_subscriptions.c.id == pk)
            .values(
                status=case((_suspended(), "suspended"), else_=status),
                attempts=attempts,
                last_error=error[:2000],
                next_attempt_at=next_attempt_at,
                leased_until=None,
                suspended_reason=case(
                    (_suspended(), epcis_subscriptions.c.suspended_reason),
                    else_=suspended_reason,
                ),
            )
        )

    def suspend(self, pk: int, *, reason: str) -> None:
        """Deliver the subscription no more, for ``reason``."""
        self.connection.execute(
            update(epcis_subscriptions)
            .where(epcis_subscriptions.c.id == pk)
            .values(status="suspended", suspended_reason=reason, leased_until=None)
        )

    def suspend_created_by(self, token_id: int, *, reason: str) -> int:
        """Suspend every subscription the token ``token_id`` made; how many there were."""
        suspended = self.connection.execute(
            update(epcis_subscriptions)
            .where(
                epcis_subscriptions.c.token_id == token_id,
                epcis_subscriptions.c.status != "suspended",
            )
            .values(status="suspended", suspended_reason=reason)
        )
        return int(suspended.rowcount)

    def creator_standing(self, found: Subscription) -> CreatorStanding:
        """Whether the token and the party that made ``found`` still exist (a subscription
        made without a token or a party has nothing to lose)."""
        token_known, revoked_at = True, None
        if found.token_id is not None:
            row = self.connection.execute(
                select(api_tokens.c.revoked_at).where(api_tokens.c.id == found.token_id)
            ).first()
            token_known = row is not None
            if row is not None and row.revoked_at is not None:
                revoked_at = utc(row.revoked_at)
        party_known = found.party_id is None or (
            self.connection.execute(
                select(parties.c.id).where(parties.c.id == found.party_id)
            ).first()
            is not None
        )
        return CreatorStanding(token_known, revoked_at, party_known)


def _conditions(query: EventQuery, held: HeldEpcs | None = None) -> list[ColumnElement[bool]]:
    """The conditions of ``query``; with ``held``, a ``MATCH_`` parameter on EPCs (not
    classes) finds only the EPCs the viewer's party holds or held."""
    events = epcis_events.c
    conditions: list[ColumnElement[bool]] = []
    for column, values in (
        (events.type, query.event_types),
        (events.action, query.actions),
        (events.biz_step, query.biz_steps),
        (events.disposition, query.dispositions),
        (events.read_point, query.read_points),
        (events.biz_location, query.biz_locations),
        (events.event_id, query.event_ids),
    ):
        if values is not None:
            conditions.append(column.in_(sorted(values)))
    for column, vocabulary_type, roots in (
        (events.read_point, READ_POINT, query.read_points_within),
        (events.biz_location, BUSINESS_LOCATION, query.biz_locations_within),
    ):
        if roots is not None:
            conditions.append(
                or_(column.in_(sorted(roots)), column.in_(descendants_of(vocabulary_type, roots)))
            )
    for column, start, end in (
        (events.event_time, query.event_time_from, query.event_time_before),
        (events.record_time, query.record_time_from, query.record_time_before),
        (events.error_declaration_time, query.error_declared_from, query.error_declared_before),
    ):
        if start is not None:
            conditions.append(column >= utc(start))
        if end is not None:
            conditions.append(column < utc(end))
    if query.error_declared:
        conditions.append(events.error_declaration_time.is_not(None))
    for match in query.epc_matches:
        instances = not set(match.roles) & CLASS_ROLES
        conditions.append(events.id.in_(_epc_match(match, held if instances else None)))
    for wanted in query.value_matches:
        conditions.append(events.id.in_(_value_match(wanted)))
    return conditions


def _epc_match(match: EpcMatch, held: HeldEpcs | None) -> CompoundSelect[Any]:
    """The events naming an EPC ``match`` matches (one ``held`` covers, where given): one
    select per exact list and per prefix, in each index, so that every one is a seek of the
    EPC index on both databases (an OR of them is not always planned so)."""
    named: list[Select[Any]] = []
    # the EPCs asked for that the party holds or held are found at once; those a pattern
    # covers, row by row
    exact = match.exact if held is None else held.held_of(match.exact)
    for index in (event_epcs, event_canonical_epcs):
        epc = index.c.epc
        found = select(index.c.event_pk).where(index.c.role.in_(match.roles))
        if exact:
            named.append(found.where(epc.in_(sorted(exact))))
        if held is not None and match.prefixes:
            found = found.where(held.covers(epc))
        # a range rather than LIKE or substr: LIKE ignores case on SQLite (serials do not),
        # and neither is a seek of the index on both databases; the range is, in byte order
        for prefix in sorted(match.prefixes):
            named.append(found.where(epc >= prefix, epc < prefix_successor(prefix)))
    if not named:
        named.append(select(event_epcs.c.event_pk).where(false()))
    return union_all(*named)


def prefix_successor(prefix: str) -> str:
    """The first text after every text that starts with ``prefix``, in code point order (the
    byte order of UTF-8): ``prefix <= text < prefix_successor(prefix)`` is ``text`` starting
    with ``prefix``.

    >>> prefix_successor("urn:epc:id:sgtin:9506000.013435.")
    'urn:epc:id:sgtin:9506000.013435/'
    """
    kept = prefix.rstrip(chr(0x10FFFF))
    if not kept:
        raise ValueError("an empty prefix is every text, not a range")
    # a surrogate is no character a database stores: step over them
    following = ord(kept[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:
        following = 0xE000
    return kept[:-1] + chr(following)


def _value_match(wanted: ValueMatch) -> Select[Any]:
    values = event_values.c
    type_condition = true() if wanted.types is None else values.type.in_(sorted(wanted.types))
    return select(values.event_pk).where(
        values.field == wanted.field, values.value.in_(sorted(wanted.values)), type_condition
    )


def _suspended() -> ColumnElement[bool]:
    return epcis_subscriptions.c.status == "suspended"


def _same_party(column: ColumnElement[Any], party_id: str | None) -> ColumnElement[bool]:
    return column.is_(None) if party_id is None else column == party_id


def _named_query(row: Any) -> NamedQuery:
    return NamedQuery(
        id=row.id,
        name=row.name,
        query=dict(row.query),
        party_id=row.party_id,
        created_by=row.created_by,
        created_at=utc(row.created_at),
    )


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id,
        subscription_id=row.subscription_id,
        query_id=row.query_id,
        query_name=row.query_name,
        query=dict(row.query_definition),
        dest=row.dest,
        signature_token=row.signature_token,
        stream=bool(row.stream),
        schedule=None if row.schedule is None else dict(row.schedule),
        report_if_empty=bool(row.report_if_empty),
        role=row.role,
        party_id=row.party_id,
        created_by=row.created_by,
        created_at=utc(row.created_at),
        initial_record_time=utc(row.initial_record_time),
        watermark=PagePosition(utc(row.watermark_time), row.watermark_pk),
        status=row.status,
        next_attempt_at=utc(row.next_attempt_at),
        attempts=row.attempts,
        last_error=row.last_error,
        last_notified_at=None if row.last_notified_at is None else utc(row.last_notified_at),
        token_id=row.token_id,
        suspended_reason=row.suspended_reason,
    )
