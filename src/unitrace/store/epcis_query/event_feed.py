"""Which events became visible between two looks at the event index, exactly: none missed, none
twice, whatever order the capturing transactions commit in.

A look is a :class:`FeedMark`. On PostgreSQL it is a snapshot of the transactions: ``xmax``,
the first transaction id not yet given out when it was taken, and ``running``, the ids below it
still running then. An event is visible at a mark when the transaction that inserted it
(``epcis_events.capture_xact``, a column default) is below ``xmax`` and not ``running``: that
transaction had ended, so its events were all there and no more of them could come. An event
of a transaction running at the first mark, or begun after it, and ended by the second, is
between them. Events are never between two marks twice, and none is skipped for a transaction
that took its id (or its recordTime) early and committed late; nor does a long transaction
left open hold the others back: only its own events wait for it.

On SQLite, whose writers take turns on one lock, an event's id is given out under that lock and
the events of a transaction are committed before the next writer gives out any: ids are the
commit order, and a mark is the largest id committed (as ``xmax``, one past it). Events are
never deleted, so an id below a mark is never given out again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, false, func, not_, or_, select, text

from unitrace.store.schema import epcis_events


@dataclass(frozen=True, slots=True)
class FeedMark:
    """One look at the event index (see the module): the events visible then are those whose
    order number is below ``xmax`` and not among ``running``."""

    xmax: int
    running: frozenset[int] = frozenset()

    def visible(self, order: int) -> bool:
        """Whether an event of order number ``order`` is visible at this mark.

        >>> mark = FeedMark(10, frozenset({7}))
        >>> [n for n in range(5, 12) if mark.visible(n)]
        [5, 6, 8, 9]
        """
        return order < self.xmax and order not in self.running

    def covers(self, other: FeedMark) -> bool:
        """Whether every event visible at ``other`` is visible at this mark: this look is
        not older than that one (two looks taken one after the other always compare so).

        >>> FeedMark(10, frozenset({7})).covers(FeedMark(9, frozenset({7, 8})))
        True
        >>> FeedMark(10, frozenset({7})).covers(FeedMark(9))
        False
        """
        return other.xmax <= self.xmax and not any(other.visible(xid) for xid in self.running)


#: The mark before every event: nothing is visible at it.
BEGINNING = FeedMark(0)


def _order(connection: Connection) -> ColumnElement[int]:
    """The number that orders the events' capture on ``connection``'s database: the
    capturing transaction's id on PostgreSQL (none for an event stored before it was kept:
    such an event is visible at every mark but the first, and between none), the event's id
    on SQLite. Compared as it is, so that its index serves."""
    if connection.dialect.name == "postgresql":
        return epcis_events.c.capture_xact
    return epcis_events.c.id


def take_mark(connection: Connection) -> FeedMark:
    """A mark now: what ``connection`` can see at once it is taken, and all it ever will of
    the transactions that had ended by then."""
    if connection.dialect.name == "postgresql":
        # "xmin:xmax:xip,xip,…" of the statement's own snapshot
        snapshot = connection.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()
        _, xmax, running = str(snapshot).split(":")
        return FeedMark(int(xmax), frozenset(int(xid) for xid in running.split(",") if xid))
    last = connection.execute(select(func.max(epcis_events.c.id))).scalar_one()
    return FeedMark(0 if last is None else int(last) + 1)


def _visible_at(order: ColumnElement[int], mark: FeedMark) -> ColumnElement[bool]:
    if mark.xmax <= 0:
        return false()
    below = order < mark.xmax
    if not mark.running:
        return below
    return and_(below, not_(order.in_(sorted(mark.running))))


def between(connection: Connection, earlier: FeedMark, later: FeedMark) -> ColumnElement[bool]:
    """The events visible at ``later`` that were not at ``earlier``."""
    if earlier.xmax <= 0:
        return visible_at(connection, later)
    order = _order(connection)
    visible_later = _visible_at(order, later)
    not_before = order >= earlier.xmax
    if earlier.running:
        not_before = or_(not_before, order.in_(sorted(earlier.running)))
    return and_(not_before, visible_later)


def visible_at(connection: Connection, mark: FeedMark) -> ColumnElement[bool]:
    """The events visible at ``mark``."""
    order = _order(connection)
    visible = _visible_at(order, mark)
    if connection.dialect.name == "postgresql" and mark.xmax > 0:
        return or_(visible, order.is_(None))
    return visible


def any_between(connection: Connection, earlier: FeedMark, later: FeedMark) -> bool:
    """Whether any event became visible between the two marks (one row read by an index)."""
    found = connection.execute(
        select(epcis_events.c.id).where(between(connection, earlier, later)).limit(1)
    ).first()
    return found is not None
