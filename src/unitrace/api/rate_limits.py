"""Rate limits for the public routes (scans and the Digital Link resolver), per caller, for the
whole service: every worker admits a request against one store (a file beside a SQLite
database, a table of a PostgreSQL one; :mod:`unitrace.store.caller_limits`), so ``N`` workers
let a caller through no more often than one would. A caller over its limit, or held for
guessing codes, gets 429 with Retry-After.

The caller is its address, hashed (:mod:`unitrace.api.callers`): the ``client`` id a scanning
app sends is logged with the scan but keys no limit, so sending another app's id can neither
lift the sender's limits nor touch that app's, and rotating ids lifts no hold.

When the shared store does not answer within its bound (busy, or PostgreSQL down) the worker
falls back on limits of its own until it answers again: a scan is never held up by its limit
and never goes unlimited, and the limit is per worker for that while. An in-memory database
(one process) uses the worker's own limits alone.
"""

from __future__ import annotations

import logging
import time
from typing import Final

import anyio.to_thread

from unitrace.store.caller_limits import (
    FileBusy,
    FileLimits,
    InProcessLimits,
    LimitsUnavailable,
    PostgresLimits,
    RateLimit,
    limits_file,
)
from unitrace.store.unit_of_work import Database

__all__ = ["CallerLimits", "RateLimit"]

log = logging.getLogger(__name__)

#: Seconds a worker keeps to its own limits after the shared store failed it, before trying
#: the store again (a store that is down is not waited on for every scan).
FALLBACK_FOR: Final = 5.0


class CallerLimits:
    """The public routes' limits, as the routes ask them: :meth:`retry_after` (and count the
    request) and :meth:`hold`."""

    def __init__(self, limit: RateLimit, shared: FileLimits | PostgresLimits | None) -> None:
        self.limit = limit
        self.shared = shared
        self.own = InProcessLimits(limit)
        self._fallback_until = 0.0

    @classmethod
    def for_database(cls, database: Database, limit: RateLimit) -> CallerLimits:
        """The limits every worker of a service on ``database`` shares."""
        url = database.engine.url
        if database.dialect == "postgresql":
            return cls(limit, PostgresLimits(url, limit))
        if url.database in (None, "", ":memory:") or url.database.startswith("file:"):
            return cls(limit, None)
        return cls(limit, FileLimits(limits_file(url.database), limit))

    async def retry_after(self, caller: str) -> int | None:
        """None if ``caller`` may go ahead now (the request is counted), else the whole
        seconds until it may."""
        if self._use_shared():
            try:
                return await self._shared_admit(caller)
            except LimitsUnavailable as error:
                self._fall_back(error)
        return self.own.admit(caller)

    async def hold(self, caller: str, seconds: int) -> None:
        """Refuse ``caller`` for the next ``seconds`` whatever its rate (a caller found guessing
        codes), in every worker."""
        self.own.hold(caller, seconds)
        if self._use_shared():
            try:
                await self._shared_hold(caller, seconds)
            except LimitsUnavailable as error:
                self._fall_back(error)

    def keep_connections(self) -> None:
        """Keep the shared store's connection between requests, until :meth:`close` (a
        running service's lifespan)."""
        if isinstance(self.shared, PostgresLimits):
            self.shared.keep_connection = True

    async def close(self) -> None:
        if isinstance(self.shared, PostgresLimits):
            await self.shared.close()
        elif self.shared is not None:
            self.shared.close()

    async def _shared_admit(self, caller: str) -> int | None:
        shared = self.shared
        if isinstance(shared, PostgresLimits):
            return await shared.admit(caller)
        assert shared is not None
        try:
            # some 25 µs in the file: once on the event loop, cheaper than a thread's round
            # trip; a wait for another worker's turn is a thread's, never the loop's
            return shared.admit(caller, wait=0)
        except FileBusy:
            return await anyio.to_thread.run_sync(lambda: shared.admit(caller))

    async def _shared_hold(self, caller: str, seconds: int) -> None:
        shared = self.shared
        if isinstance(shared, PostgresLimits):
            await shared.hold(caller, seconds)
        elif shared is not None:
            await anyio.to_thread.run_sync(lambda: shared.hold(caller, seconds))

    def _use_shared(self) -> bool:
        return self.shared is not None and time.monotonic() >= self._fallback_until

    def _fall_back(self, error: LimitsUnavailable) -> None:
        self._fallback_until = time.monotonic() + FALLBACK_FOR
        log.warning(
            "the shared rate limits did not answer (%s); this worker keeps its own for %g s",
            error,
            FALLBACK_FOR,
        )
