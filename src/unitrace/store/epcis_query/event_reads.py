"""The events a query finds, read from the event index for one viewer: the one select a query
runs (its conditions from :mod:`unitrace.store.epcis_query.conditions`, narrowed to the
viewer's view of the events and to a page), each found event's EPC lists filled from the
index and the EPCs its viewer may be shown; the distinct values and EPCs the visible events
name, for the discovery resources.

Pages are keyset pages: ordered by (eventTime or recordTime, id), a page starts after the last
(time, id) of the page before, so that a page costs the same however deep it is and events
recorded meanwhile neither shift nor repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, false, or_, select

from unitrace.store.epcis_query.conditions import MATCH_ROLES, EventQuery, conditions_of
from unitrace.store.events import LIST_ROLES
from unitrace.store.held_epcs import HeldEpcs
from unitrace.store.party_view import PartyView
from unitrace.store.schema import epcis_events, event_epcs
from unitrace.store.times import utc


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


@dataclass(frozen=True, slots=True, kw_only=True)
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


class EventReads:
    """The events queries find, on one connection (a unit of work's)."""

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

    def select_events(
        self,
        query: EventQuery,
        *,
        viewer: EventViewer,
        after: PagePosition | None = None,
        limit: int | None = None,
        within: ColumnElement[bool] | None = None,
    ) -> Select[Any]:
        """The one select a query runs: the events ``query`` matches that ``viewer`` may see,
        in the query's order, after ``after``; among those ``within`` holds for, where given
        (a subscription's events captured since it last looked)."""
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
        ).where(*conditions_of(query, self._held_by(viewer)))
        if not viewer.everything:
            statement = statement.where(self._visible(viewer))
        if within is not None:
            statement = statement.where(within)
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
        within: ColumnElement[bool] | None = None,
    ) -> list[FoundEvent]:
        rows = self.connection.execute(
            self.select_events(query, viewer=viewer, after=after, limit=limit, within=within)
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
