"""The looks at the event index a WebSocket subscription reads between: over any interleaving of
transactions that begin, capture events, commit or roll back, and looks taken at any moment,
the events between each look and the next are every committed event once and no other; a look
taken later covers every earlier one. Then the same on the database itself, through the SQL
conditions, with transactions committing in the other order."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.api.test_epcis_query import object_event
from unitrace.store.epcis_query.event_feed import (
    BEGINNING,
    FeedMark,
    any_between,
    between,
    take_mark,
)
from unitrace.store.events import EventRepository, StoredEvent
from unitrace.store.schema import epcis_events
from unitrace.store.unit_of_work import Database


@dataclass
class Simulated:
    """PostgreSQL's transaction ids, as far as the looks see them: ids given out in order as
    transactions begin, and a snapshot's running ones."""

    next_xid: int = 1
    running: set[int] = field(default_factory=set)
    committed: dict[int, list[str]] = field(default_factory=dict)
    pending: dict[int, list[str]] = field(default_factory=dict)

    def mark(self) -> FeedMark:
        return FeedMark(self.next_xid, frozenset(self.running))

    def between(self, earlier: FeedMark, later: FeedMark) -> list[str]:
        return [
            event
            for xid, events in self.committed.items()
            if later.visible(xid) and not earlier.visible(xid)
            for event in events
        ]


#: One step: begin a transaction; capture in the n-th running one; end the n-th running one
#: (commit or roll back); take a look.
STEPS = st.lists(
    st.one_of(
        st.just(("begin", 0)),
        st.tuples(st.just("capture"), st.integers(0, 5)),
        st.tuples(st.sampled_from(["commit", "rollback"]), st.integers(0, 5)),
        st.just(("look", 0)),
    ),
    max_size=60,
)


@given(STEPS)
@settings(max_examples=300, deadline=None)
def test_the_windows_between_looks_hold_each_committed_event_once(
    steps: list[tuple[str, int]],
) -> None:
    world = Simulated()
    looks = [BEGINNING]
    captured = 0
    for action, which in steps:
        open_ = sorted(world.running)
        if action == "begin":
            world.running.add(world.next_xid)
            world.pending[world.next_xid] = []
            world.next_xid += 1
        elif action == "capture" and open_:
            captured += 1
            world.pending[open_[which % len(open_)]].append(f"e{captured}")
        elif action in ("commit", "rollback") and open_:
            xid = open_[which % len(open_)]
            world.running.discard(xid)
            events = world.pending.pop(xid)
            if action == "commit":
                world.committed[xid] = events
        elif action == "look":
            looks.append(world.mark())
    for xid in sorted(world.running):  # every transaction ends, then a last look
        world.running.discard(xid)
        world.committed[xid] = world.pending.pop(xid)
    looks.append(world.mark())
    sent = [
        event
        for earlier, later in itertools.pairwise(looks)
        for event in world.between(earlier, later)
    ]
    every = [event for events in world.committed.values() for event in events]
    assert sorted(sent) == sorted(every)
    assert len(sent) == len(set(sent))
    assert all(later.covers(earlier) for earlier, later in itertools.pairwise(looks))


def _pks(database: Database, earlier: FeedMark, later: FeedMark) -> list[int]:
    with database.unit_of_work(read_only=True) as uow:
        connection = uow.connection
        rows = connection.execute(
            select(epcis_events.c.id).where(between(connection, earlier, later))
        ).scalars()
        return sorted(rows)


def _capture(database: Database, identifier: str) -> None:
    with database.unit_of_work() as uow:
        EventRepository(uow.connection).add_documents([StoredEvent(object_event(identifier))])
        uow.commit()


def test_the_database_reads_between_looks_exactly(database: Database) -> None:
    """Events before the first look are not between it and the next; each captured after it is
    between exactly one pair of the looks that follow, whether the transaction that captured
    it committed before or after another that began later (PostgreSQL: SQLite's writers take
    turns, so there the transactions commit in turn)."""
    _capture(database, "urn:uuid:00000000-0000-4000-8000-000000000001")
    with database.unit_of_work(read_only=True) as uow:
        first = take_mark(uow.connection)
    looks = [first]
    with database.unit_of_work() as early:
        EventRepository(early.connection).add_documents(
            [StoredEvent(object_event("urn:uuid:00000000-0000-4000-8000-000000000002"))]
        )
        if database.dialect == "postgresql":
            # a later transaction commits first
            _capture(database, "urn:uuid:00000000-0000-4000-8000-000000000003")
            with database.unit_of_work(read_only=True) as uow:
                looks.append(take_mark(uow.connection))
                assert any_between(uow.connection, first, looks[-1])
        early.commit()
    if database.dialect != "postgresql":
        _capture(database, "urn:uuid:00000000-0000-4000-8000-000000000003")
    with database.unit_of_work(read_only=True) as uow:
        looks.append(take_mark(uow.connection))
        assert not any_between(uow.connection, looks[-1], looks[-1])
    windows = [_pks(database, earlier, later) for earlier, later in itertools.pairwise(looks)]
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(select(epcis_events.c.event_id, epcis_events.c.id))
        pks = {row.event_id: row.id for row in rows}
    before, *later = (pks[f"urn:uuid:00000000-0000-4000-8000-00000000000{n}"] for n in (1, 2, 3))
    assert sorted(pk for window in windows for pk in window) == sorted(later)
    if database.dialect == "postgresql":
        # the later transaction's event in the first window, the earlier's in the second
        assert windows == [[later[1]], [later[0]]]
    assert _pks(database, BEGINNING, looks[-1]) == sorted([before, *later])
    assert looks[-1].covers(looks[0])
    assert not looks[0].covers(looks[-1])
