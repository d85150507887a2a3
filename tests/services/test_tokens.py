"""Tokens as the services keep them: listed without their secret, their last use judged due
from the read that authenticates them and recorded at most once per few minutes, and the
demo's admin token replaced rather than added to."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from unitrace.registry.model import Actor, Role
from unitrace.services import catalog, tokens
from unitrace.services.demo import DEMO_TOKEN_LABEL, demo_token
from unitrace.services.tokens import (
    TokenUses,
    authenticate,
    bearer,
    create_token,
    list_tokens,
    live_token_id,
    record_use,
    revoke_token,
)
from unitrace.store.unit_of_work import Database

SYSTEM = Actor("test-setup", Role.ADMIN)
T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def made(database: Database, role: str, party: str | None = None, label: str | None = None) -> str:
    with database.unit_of_work() as uow:
        token = create_token(uow, role=role, party=party, label=label, actor=SYSTEM)
        uow.commit()
    return token


def due(database: Database, token: str, at: dt.datetime) -> dt.datetime | None:
    with database.unit_of_work(read_only=True) as uow:
        found = bearer(uow, token, at=at)
    assert found is not None
    return found.use_to_record


def test_a_use_is_due_when_none_is_recorded_within_the_precision(database: Database) -> None:
    token = made(database, "verifier")
    token_id = live_token_id_of(database, token)
    assert due(database, token, T0) == T0  # never used
    record_use(database, token_id, T0)
    later = [T0 + dt.timedelta(seconds=s) for s in (1, 60, 299, 300, 301)]
    assert [due(database, token, at) for at in later] == [None, None, None, later[3], later[4]]


def test_a_use_found_due_by_two_requests_at_once_is_recorded_once(database: Database) -> None:
    token = made(database, "verifier")
    token_id = live_token_id_of(database, token)
    record_use(database, token_id, T0)
    # a second worker found the same use due a moment before the first wrote it
    record_use(database, token_id, T0 + dt.timedelta(seconds=2))
    record_use(database, token_id, T0 + dt.timedelta(minutes=5))
    with database.unit_of_work(read_only=True) as uow:
        (listed,) = list_tokens(uow)
    assert listed.last_used_at == T0 + dt.timedelta(minutes=5)


def test_tokens_are_listed_with_who_they_are_for_and_never_their_secret(database: Database) -> None:
    with database.unit_of_work() as uow:
        catalog.register_party(uow, id="dist-a", name="A", role="distributor", actor=SYSTEM)
        uow.commit()
    made(database, "admin", label="ops")
    kept = made(database, "distributor", party="dist-a")
    gone = made(database, "line", label="line 2")
    with database.unit_of_work() as uow:
        revoke_token(uow, live_token_id(uow, gone), actor=SYSTEM, at=T0)
        uow.commit()
    record_use(database, live_token_id_of(database, kept), T0)
    with database.unit_of_work(read_only=True) as uow:
        listed = list_tokens(uow)
    assert [(t.id, t.role, t.party, t.label, t.last_used_at, t.revoked_at) for t in listed] == [
        (1, "admin", None, "ops", None, None),
        (2, "distributor", "dist-a", None, T0, None),
        (3, "line", None, "line 2", None, T0),
    ]
    assert all(t.created_at.tzinfo == dt.UTC for t in listed)
    assert not any(kept in repr(t) or gone in repr(t) for t in listed)


def test_the_demo_replaces_its_own_admin_token_and_leaves_every_other_alone(
    database: Database,
) -> None:
    first_admin = made(database, "admin", label="first admin")
    mine = made(database, "admin", label=DEMO_TOKEN_LABEL.upper())  # not the demo's: case
    verifier = made(database, "verifier", label=DEMO_TOKEN_LABEL)  # not an admin token
    printed = []
    for _ in range(3):
        with database.unit_of_work() as uow:
            printed.append(demo_token(uow, actor=SYSTEM))
            uow.commit()
    assert [p.revoked for p in printed] == [(), (4,), (5,)]
    with database.unit_of_work(read_only=True) as uow:
        live = [t.id for t in list_tokens(uow) if t.revoked_at is None]
        alive = [
            authenticate(uow, token) is not None
            for token in (first_admin, mine, verifier, *(p.token for p in printed))
        ]
    assert live == [1, 2, 3, 6]
    assert alive == [True, True, True, False, False, True]


def live_token_id_of(database: Database, token: str) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return live_token_id(uow, token)


def test_token_uses_are_written_off_the_callers_thread_once_per_token_waiting(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[tuple[int, str]] = []
    first_write = threading.Event()
    release = threading.Event()

    def writing(_: Database, token_id: int, at: dt.datetime) -> None:
        writes.append((token_id, threading.current_thread().name))
        first_write.set()
        assert release.wait(5)

    monkeypatch.setattr(tokens, "record_use", writing)
    uses = TokenUses(database)
    uses.IDLE = 0.05
    uses.record(1, T0)
    assert first_write.wait(5)
    for _ in range(5):  # a burst while the first write waits for the lock
        uses.record(1, T0)
        uses.record(2, T0)
    release.set()
    uses.settle()
    assert writes == [(1, "token-uses"), (2, "token-uses")]
    time.sleep(0.2)  # the writer, idle, has ended; a later use starts another
    uses.record(1, T0)
    uses.settle()
    assert writes[2:] == [(1, "token-uses")]


def test_a_use_that_fails_to_be_written_leaves_the_writer_for_the_next(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[int] = []

    def writing(_: Database, token_id: int, at: dt.datetime) -> None:
        if not writes:
            writes.append(-token_id)
            raise RuntimeError("the database is busy")
        writes.append(token_id)

    monkeypatch.setattr(tokens, "record_use", writing)
    uses = TokenUses(database)
    uses.record(1, T0)
    uses.settle()
    uses.record(1, T0)
    uses.settle()
    assert writes == [-1, 1]
