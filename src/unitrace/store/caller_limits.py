"""The public routes' rate limits and guessing holds, per caller: a token bucket (``burst``
requests at once, then ``per_minute``) and a time until which the caller is refused whatever
its rate.

Three stores keep them:

- :class:`InProcessLimits`, in the worker's memory: for an in-memory database (one process),
  and as every worker's fallback when the shared store does not answer in time;
- :class:`FileLimits`, for a SQLite database: a small SQLite file beside it
  (``unitrace.db-limits``, WAL, unsynced: a limit lost in a crash costs nothing) that every
  worker on the machine shares; one statement per admission, some 25 µs, away from the
  database's own writers;
- :class:`PostgresLimits`, for PostgreSQL: the unlogged ``caller_limits`` table, one UPSERT per
  admission on a connection of the worker's own, never waiting on the event loop.

A shared store that is busy or down must not hold up a scan: each wait is bounded
(:data:`FILE_WAIT`, :data:`POSTGRES_WAIT`) and past it :class:`LimitsUnavailable` is raised,
for the caller to fall back on the worker's own limits.

The bucket is computed by the store in the statement that counts the request, so two workers
admitting the same caller at once never both take its last token.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any, Final

from sqlalchemy import URL

#: Seconds an admission waits for the file store's write lock (other workers hold it some
#: 25 µs at a time, longer when the machine deschedules them) before falling back; the face
#: tries once on the event loop and waits, if it must, in a thread.
FILE_WAIT: Final = 0.25
#: Seconds an admission waits for PostgreSQL (a round trip, or a connection) before falling
#: back to the worker's own limits.
POSTGRES_WAIT: Final = 0.1
#: Seconds between two sweeps of the callers whose bucket is full again.
SWEEP_EVERY: Final = 60.0
#: What the side file of a SQLite database is called: the database's path and this.
FILE_SUFFIX: Final = "-limits"


@dataclass(frozen=True, slots=True)
class RateLimit:
    #: requests a caller may make per minute, sustained
    per_minute: int = 120
    #: requests a caller may make at once before the rate applies
    burst: int = 30

    def __post_init__(self) -> None:
        if self.per_minute < 1 or self.burst < 1:
            raise ValueError("rate limit: per_minute and burst must be at least 1")

    @property
    def per_second(self) -> float:
        return self.per_minute / 60

    def retry_after(self, tokens: float) -> int:
        """Whole seconds until a bucket holding ``tokens`` has one again."""
        return max(1, math.ceil((1 - tokens) / self.per_second))


class LimitsUnavailable(Exception):
    """The shared limit store did not answer within its bound."""


class FileBusy(LimitsUnavailable):
    """Another worker (or thread) held the limits file for longer than the wait allowed."""


class InProcessLimits:
    """Token buckets and holds per caller in this process, the least recently seen forgotten
    beyond ``callers``.

    >>> limits = InProcessLimits(RateLimit(per_minute=60, burst=2), clock=lambda: 0.0)
    >>> [limits.admit("a") for _ in range(3)]
    [None, None, 1]
    >>> limits.hold("b", 600)
    >>> limits.admit("b"), limits.admit("c")
    (600, None)
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        callers: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self._callers = callers
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._holds: OrderedDict[str, float] = OrderedDict()
        self._lock = Lock()

    def admit(self, caller: str) -> int | None:
        """None if ``caller`` may go ahead now (and counts the request), else the whole seconds
        until it may."""
        now = self._clock()
        with self._lock:
            until = self._holds.get(caller)
            if until is not None:
                if until > now:
                    return max(1, math.ceil(until - now))
                del self._holds[caller]
            tokens, then = self._buckets.pop(caller, (float(self.limit.burst), now))
            tokens = min(float(self.limit.burst), tokens + (now - then) * self.limit.per_second)
            answer = None if tokens >= 1 else self.limit.retry_after(tokens)
            self._buckets[caller] = (tokens - 1 if answer is None else tokens, now)
            while len(self._buckets) > self._callers:
                self._buckets.popitem(last=False)
        return answer

    def hold(self, caller: str, seconds: int) -> None:
        """Refuse ``caller`` for the next ``seconds`` whatever its rate."""
        with self._lock:
            until = max(self._holds.pop(caller, 0.0), self._clock() + seconds)
            self._holds[caller] = until
            while len(self._holds) > self._callers:
                self._holds.popitem(last=False)


# --- the shared stores ----------------------------------------------------------------------

#: The admission, in one statement: a caller held is refused and its bucket left alone; else
#: the bucket is refilled for the time since it was last seen and a token taken if there is
#: one. Written for both databases; ``{least}``/``{greatest}`` are their names for min/max.
_ADMIT = """
INSERT INTO caller_limits (caller, tokens, at, held_until, admitted)
VALUES (:caller, :burst - 1, :now, 0, TRUE)
ON CONFLICT (caller) DO UPDATE SET
    admitted = caller_limits.held_until <= :now AND {refilled} >= 1,
    tokens = CASE
        WHEN caller_limits.held_until > :now THEN caller_limits.tokens
        WHEN {refilled} >= 1 THEN {refilled} - 1
        ELSE {refilled}
    END,
    at = CASE WHEN caller_limits.held_until > :now THEN caller_limits.at ELSE :now END
RETURNING admitted, tokens, held_until
"""
_REFILLED = "{least}(:burst, caller_limits.tokens + {greatest}(0, :now - caller_limits.at) * :rate)"
_HOLD = """
INSERT INTO caller_limits (caller, tokens, at, held_until, admitted)
VALUES (:caller, :burst, :now, :until, FALSE)
ON CONFLICT (caller) DO UPDATE SET
    held_until = {greatest}(caller_limits.held_until, :until)
"""
#: Callers whose bucket is full again and who are not held are as if never seen.
_SWEEP = "DELETE FROM caller_limits WHERE held_until < :now AND at < :full_since"
_TABLE = """
CREATE TABLE IF NOT EXISTS caller_limits (
    caller VARCHAR(24) NOT NULL PRIMARY KEY,
    tokens FLOAT NOT NULL,
    at FLOAT NOT NULL,
    held_until FLOAT NOT NULL,
    admitted BOOLEAN NOT NULL
) WITHOUT ROWID
"""


def _statement(template: str, least: str, greatest: str) -> str:
    refilled = _REFILLED.format(least=least, greatest=greatest)
    return template.format(refilled=refilled, least=least, greatest=greatest)


def _answer(limit: RateLimit, row: Any, now: float) -> int | None:
    admitted, tokens, held_until = row
    if admitted:
        return None
    if held_until > now:
        return max(1, math.ceil(float(held_until) - now))
    return limit.retry_after(float(tokens))


@dataclass(frozen=True, slots=True)
class _Parameters:
    limit: RateLimit

    def admit(self, caller: str, now: float) -> dict[str, Any]:
        return {
            "caller": caller,
            "burst": float(self.limit.burst),
            "now": now,
            "rate": self.limit.per_second,
        }

    def hold(self, caller: str, now: float, seconds: int) -> dict[str, Any]:
        return {
            "caller": caller,
            "burst": float(self.limit.burst),
            "now": now,
            "until": now + seconds,
        }

    def sweep(self, now: float) -> dict[str, Any]:
        return {"now": now, "full_since": now - self.limit.burst / self.limit.per_second}


def limits_file(database_path: str) -> Path:
    """The file beside a SQLite database where its service keeps the callers' limits."""
    return Path(database_path + FILE_SUFFIX)


class FileLimits:
    """The callers' limits in a SQLite file every worker on the machine opens; see the module.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> limits = FileLimits(limits_file(folder + "/unitrace.db"), RateLimit(60, 2))
    >>> [limits.admit("a") for _ in range(3)]
    [None, None, 1]
    >>> FileLimits(limits_file(folder + "/unitrace.db"), RateLimit(60, 2)).admit("a")
    1
    """

    def __init__(
        self, path: Path, limit: RateLimit, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = path
        self.limit = limit
        self._parameters = _Parameters(limit)
        self._clock = clock
        self._connection: sqlite3.Connection | None = None
        self._lock = Lock()
        self._swept = 0.0
        self._admit = _statement(_ADMIT, "min", "max")
        self._hold = _statement(_HOLD, "min", "max")

    def admit(self, caller: str, *, wait: float = FILE_WAIT) -> int | None:
        """As :meth:`InProcessLimits.admit`; :class:`FileBusy` if another worker holds the
        file for longer than ``wait`` seconds (0: try once, never sleep)."""
        now = self._clock()
        row = self._run(self._admit, self._parameters.admit(caller, now), wait=wait, sweep=now)
        return _answer(self.limit, row, now)

    def hold(self, caller: str, seconds: int, *, wait: float = FILE_WAIT) -> None:
        now = self._clock()
        self._run(self._hold, self._parameters.hold(caller, now, seconds), wait=wait)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _run(
        self, sql: str, parameters: Mapping[str, Any], *, wait: float, sweep: float = 0.0
    ) -> Any:
        deadline = time.monotonic() + wait
        taken = self._lock.acquire(timeout=wait) if wait > 0 else self._lock.acquire(False)
        if not taken:
            raise FileBusy(f"{self.path}: busy in this worker")
        pause = 0.0001
        try:
            while True:
                try:
                    connection = self._connected()
                    row = connection.execute(sql, parameters).fetchone()
                    if sweep - self._swept > SWEEP_EVERY:
                        self._swept = sweep
                        self._sweep(connection, sweep)
                    return row
                except sqlite3.OperationalError as error:
                    # another worker holds the write lock: try again a moment later, within
                    # the bound (SQLite's own busy handler would sleep a whole millisecond)
                    busy = "locked" in str(error) or "busy" in str(error)
                    if not busy:
                        raise LimitsUnavailable(f"{self.path}: {error}") from error
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise FileBusy(f"{self.path}: {error} for {wait:g} s") from error
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, 0.002)
                except sqlite3.Error as error:
                    raise LimitsUnavailable(f"{self.path}: {error}") from error
        finally:
            self._lock.release()

    def _sweep(self, connection: sqlite3.Connection, now: float) -> None:
        """Forget callers long quiet. The admission before it is already counted, so a file
        busy now only puts the sweep off to the next one: trying both again would count the
        caller twice."""
        try:
            connection.execute(_SWEEP, self._parameters.sweep(now))
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise

    def _connected(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=0
            )
            try:
                for pragma in ("journal_mode = WAL", "synchronous = OFF", "busy_timeout = 0"):
                    connection.execute(f"PRAGMA {pragma}")
                connection.execute(_TABLE)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection


class PostgresLimits:
    """The callers' limits in PostgreSQL's ``caller_limits`` table, on an asynchronous
    connection of this worker's own (no thread, no pool: a statement at a time)."""

    def __init__(
        self, url: URL, limit: RateLimit, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit
        self._conninfo, self._options = _libpq(url)
        self._parameters = _Parameters(limit)
        self._clock = clock
        self._connection: Any = None
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: Whether the connection is kept between statements: by a running service, which
        #: closes it when it stops; otherwise (an application with no lifespan, as a test's
        #: client is) each statement's connection ends with it, since nothing would end it
        self.keep_connection = False
        self._swept = 0.0
        self._admit = _pyformat(_statement(_ADMIT, "least", "greatest"))
        self._hold = _pyformat(_statement(_HOLD, "least", "greatest"))
        self._sweep = _pyformat(_SWEEP)

    async def admit(self, caller: str) -> int | None:
        now = self._clock()
        row = await self._run(self._admit, self._parameters.admit(caller, now), sweep=now)
        return _answer(self.limit, row, now)

    async def hold(self, caller: str, seconds: int) -> None:
        now = self._clock()
        await self._run(self._hold, self._parameters.hold(caller, now, seconds))

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()

    def _end_connection(self) -> None:
        """End this worker's connection at once (libpq's own close, which waits for nothing):
        one cut off mid-statement is in doubt, and one of another event loop cannot be
        awaited in this one."""
        connection, self._connection = self._connection, None
        if connection is not None:
            # a broken connection's close has nothing to tell
            with contextlib.suppress(Exception):
                connection.pgconn.finish()

    async def _run(self, sql: str, parameters: Mapping[str, Any], *, sweep: float = 0.0) -> Any:
        import psycopg

        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            # a connection and a lock belong to the event loop they were made in: another
            # loop (a caller that runs each request in a loop of its own) starts afresh, and
            # the old connection is ended now, not left open until it is collected
            self._end_connection()
            self._lock, self._loop = asyncio.Lock(), loop
        try:
            async with asyncio.timeout(POSTGRES_WAIT):
                async with self._lock:
                    if self._connection is None or self._connection.closed:
                        self._connection = await psycopg.AsyncConnection.connect(
                            self._conninfo, autocommit=True, options=self._options
                        )
                    cursor = await self._connection.execute(sql, parameters)
                    row = await cursor.fetchone() if cursor.description else None
                    if sweep - self._swept > SWEEP_EVERY:
                        self._swept = sweep
                        await self._connection.execute(self._sweep, self._parameters.sweep(sweep))
                    if not self.keep_connection:
                        self._end_connection()
                    return row
        except (TimeoutError, psycopg.Error, OSError) as error:
            # a statement cut off leaves the connection in doubt: the next one starts afresh
            self._end_connection()
            raise LimitsUnavailable(f"PostgreSQL: {type(error).__name__}: {error}") from error


def _pyformat(sql: str) -> str:
    """``:name`` parameters as psycopg writes them."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


def _libpq(url: URL) -> tuple[str, str]:
    """A libpq connection string for ``url``, and its ``options`` with a statement bound."""
    given = url.query.get("options")
    given = " ".join(given) if isinstance(given, tuple) else given
    bound = f"-c statement_timeout={round(POSTGRES_WAIT * 1000)}"
    plain = url.set(drivername="postgresql").difference_update_query(["options"])
    return plain.render_as_string(hide_password=False), f"{given + ' ' if given else ''}{bound}"
