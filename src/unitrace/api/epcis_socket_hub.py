"""The WebSocket subscriptions a worker holds, and the one look at the event index they share.

Events are captured by any worker of the service, in transactions of their own, so a socket
cannot be told of them in memory: the hub looks at the event index every
:attr:`SocketLimits.poll` seconds (:mod:`unitrace.store.epcis_query.event_feed`: a snapshot of
the running transactions on PostgreSQL, the last id on SQLite) and, when events became visible
since its last look, wakes the sockets, each of which reads its own query's events between its
own last look and the hub's. A worker with no socket open does not look. A look costs one
statement and, when it found something new, one more; each socket's read then runs on a few
threads of the hub's own (:attr:`SocketLimits.queries_at_once`), never taking the threads the
HTTP routes run on.

Every :attr:`SocketLimits.standing_every` seconds the hub also asks whether the tokens that
opened its sockets and the queries they follow still stand, and ends the sockets of a revoked
token or a deleted query. It holds at most :attr:`SocketLimits.per_token` sockets of one token
and :attr:`SocketLimits.per_worker` in all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

import anyio
import anyio.to_thread

from unitrace.services.epcis_query import sockets
from unitrace.store.epcis_query.event_feed import FeedMark, any_between, take_mark
from unitrace.store.unit_of_work import Database

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The close codes a socket is ended with (RFC 6455's 4000-4999 are the application's own: here
#: 4000 + the HTTP status that would say the same).
TOKEN_REVOKED: Final = 4401
QUERY_DELETED: Final = 4404
TOO_SLOW: Final = 4408
GOING_AWAY: Final = 1001
FAILED: Final = 1011


@dataclass(frozen=True, slots=True)
class SocketLimits:
    """How the hub is paced and bounded (see the module)."""

    poll: float = 0.1
    standing_every: float = 1.0
    per_token: int = 8
    per_worker: int = 500
    queries_at_once: int = 4
    #: seconds a message may take to be taken by the client before the socket is ended
    send_within: float = 30.0
    #: the longest pause between looks while the database does not answer (the pause doubles
    #: from :attr:`poll` at each failed look)
    retry_within: float = 2.0


class TooManySockets(Exception):
    """A socket the hub will not hold: its token's, or the worker's, are all taken."""


@dataclass(eq=False)
class HeldSocket:
    """A socket the hub holds: what it leans on, and how it is told to look again or end."""

    token_id: int | None
    query_id: int
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    code: int = 1000
    reason: str = ""

    def end(self, code: int, reason: str) -> None:
        if not self.ended.is_set():
            self.code, self.reason = code, reason
            self.ended.set()
            self.wake.set()


class SocketHub:
    """The sockets of one worker (see the module); made with the application, started by the
    first socket held, idle again when the last is released."""

    def __init__(self, database: Database, limits: SocketLimits | None = None) -> None:
        self.database = database
        self.limits = limits or SocketLimits()
        #: the hub's last look at the event index, and how many looks found something new
        self.mark: FeedMark | None = None
        self.version = 0
        self._sockets: set[HeldSocket] = set()
        self._task: asyncio.Task[None] | None = None
        self._reads: anyio.CapacityLimiter | None = None

    @property
    def held(self) -> int:
        return len(self._sockets)

    def hold(self, token_id: int | None, query_id: int) -> HeldSocket:
        """Hold a socket of ``token_id`` following query ``query_id``;
        :class:`TooManySockets` when the limits are reached."""
        if len(self._sockets) >= self.limits.per_worker:
            raise TooManySockets(
                f"this worker holds {self.limits.per_worker} subscriptions already, as many as "
                "it takes; try again later"
            )
        of_token = sum(1 for held in self._sockets if held.token_id == token_id)
        if of_token >= self.limits.per_token:
            raise TooManySockets(
                f"this token has {of_token} subscriptions open over WebSockets here, as many "
                "as one token may; close one first"
            )
        held = HeldSocket(token_id, query_id)
        # a look taken while the socket was opening may have found its first events already
        held.wake.set()
        self._sockets.add(held)
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            # (a new loop: a test client runs each socket on an event loop of its own)
            self._reads = None
            self._task = loop.create_task(self._run(), name="epcis-sockets")
        return held

    def release(self, held: HeldSocket) -> None:
        self._sockets.discard(held)

    async def in_thread(self, function: Callable[..., T], *arguments: object) -> T:
        """``function(*arguments)`` on one of the hub's threads."""
        if self._reads is None:
            self._reads = anyio.CapacityLimiter(self.limits.queries_at_once)
        return await anyio.to_thread.run_sync(function, *arguments, limiter=self._reads)

    async def close(self) -> None:
        """End every socket (the worker stops)."""
        for held in list(self._sockets):
            held.end(GOING_AWAY, "the service is stopping")
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with anyio.CancelScope(shield=True), anyio.move_on_after(2):
                await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        last_standing = 0.0
        loop = asyncio.get_running_loop()
        failures = 0
        while self._sockets:
            try:
                await self._look()
                if loop.time() - last_standing >= self.limits.standing_every:
                    last_standing = loop.time()
                    await self._check_standing()
            except Exception as error:  # a database hiccup must not end the sockets
                # tried again, ever less often, and told once with its trace: a database
                # away for minutes is neither asked ten times a second nor logged so
                failures += 1
                if failures == 1:
                    log.exception("the WebSocket subscriptions' look at the event index failed")
                else:
                    log.warning("the event index still does not answer (%s)", error)
            else:
                if failures:
                    log.warning("the event index answers again after %d failed looks", failures)
                failures = 0
            pause = self.limits.poll * 2 ** min(failures, 16)
            await asyncio.sleep(min(pause, max(self.limits.poll, self.limits.retry_within)))
        self.mark = None

    async def _look(self) -> None:
        earlier = self.mark
        later, found = await self.in_thread(self._new_mark, earlier)
        self.mark = later
        if found:
            self.version += 1
            for held in self._sockets:
                held.wake.set()

    def _new_mark(self, earlier: FeedMark | None) -> tuple[FeedMark, bool]:
        with self.database.unit_of_work(read_only=True) as uow:
            later = take_mark(uow.connection)
            found = earlier is None or any_between(uow.connection, earlier, later)
        return later, found

    async def _check_standing(self) -> None:
        held = list(self._sockets)
        tokens = {socket.token_id for socket in held if socket.token_id is not None}
        queries = {socket.query_id for socket in held}
        found = await self.in_thread(self._standing, tokens, queries)
        for socket in held:
            if socket.token_id is not None and socket.token_id not in found.live_tokens:
                socket.end(TOKEN_REVOKED, "the token that opened this subscription was revoked")
            elif socket.query_id not in found.queries:
                socket.end(QUERY_DELETED, "the named query was deleted")

    def _standing(self, tokens: set[int], queries: set[int]) -> sockets.Standing:
        with self.database.unit_of_work(read_only=True) as uow:
            return sockets.standing(uow, tokens, queries)
