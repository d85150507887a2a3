"""Opening the database: SQLite (embedded default, WAL) or PostgreSQL through psycopg 3.

``UNITRACE_DATABASE_URL`` names it; the default is ``sqlite:///unitrace.db`` in the working
directory (the folder ``make run`` starts from).

Every wait for a lock is bounded. A writer waits at most its unit of work's ``lock_wait``
(:data:`DEFAULT_LOCK_WAIT` unless it asks for another) for SQLite's write lock, and a statement
on PostgreSQL at most that long for a row or table lock (``lock_timeout``); a connection from
the pool is waited for as long. Past it the work is not done and :class:`DatabaseBusy` says
so, which the HTTP faces answer with 503 and ``Retry-After``: a request never hangs behind
another's long transaction.
"""

from __future__ import annotations

import fcntl
import math
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sql_errors
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///unitrace.db"
#: Seconds a unit of work waits for a lock (and for a pooled connection) before giving up.
DEFAULT_LOCK_WAIT: Final = 10.0
#: How often a writer of another process is looked for once SQLite's write lock is taken
#: there: the first checks come quickly (most transactions are short), later ones less so.
_POLL_FIRST, _POLL_MOST = 0.0005, 0.002
#: Seconds a process that has just let the writer lock go gives another process waiting for
#: it, before it takes the lock again: more than a waiter's longest pause between looks.
GIVE_WAY: Final = 0.005


class DatabaseBusy(Exception):
    """The lock a unit of work needed was held by others longer than it may wait: nothing
    was done, and the same work may be tried again in a moment."""

    def __init__(self, message: str, *, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _psycopg() -> ModuleType | None:
    """psycopg, where it is in use. An error of PostgreSQL's is only raised once its dialect
    has imported the driver; a command on SQLite never imports it (some 0.07 s of each)."""
    return sys.modules.get("psycopg")


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a lock or connection not had in time, as the
    databases and the pool report it: work to try again, not a fault."""
    psycopg = _psycopg()
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DatabaseBusy | sql_errors.TimeoutError):
            return True
        # a lock not had, a server out of reach, restarting or out of connections: each
        # answers again soon (a value past the server's limits is the sender's, not these)
        if (
            psycopg is not None
            and isinstance(seen, psycopg.OperationalError)
            and not isinstance(seen, psycopg.errors.ProgramLimitExceeded)
        ):
            return True
        if isinstance(seen, sqlite3.OperationalError) and "locked" in str(seen):
            return True
        original = getattr(seen, "orig", None)
        seen = original if isinstance(original, BaseException) else seen.__cause__
    return False


def is_deadlock(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is PostgreSQL undoing a transaction to break a
    deadlock: busy too (:func:`is_busy`), but work that may go through at once in smaller
    parts."""
    psycopg = _psycopg()
    if psycopg is None:
        return False
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, psycopg.errors.DeadlockDetected):
            return True
        original = getattr(seen, "orig", None)
        seen = original if isinstance(original, BaseException) else seen.__cause__
    return False


def refused_value(error: BaseException) -> str | None:
    """What the database found wrong with a value it was given, if ``error`` (or what caused
    it) is such a refusal: the sender's fault, to be answered as bad input, not as a fault.
    PostgreSQL's text holds no NUL character, and its numbers and some texts have limits;
    SQLite stores what they refuse. Any other data error (a division by zero, a date it
    cannot read) is unitrace's own fault, logged and answered as one."""
    psycopg = _psycopg()
    if psycopg is None:
        return None
    seen: BaseException | None = error
    while seen is not None:
        if type(seen) is psycopg.DataError and "NUL" in str(seen):  # the driver's own check
            return "text may not contain the NUL character (U+0000)"
        if isinstance(seen, psycopg.errors.NumericValueOutOfRange):
            return "a value is out of the range the database holds"
        if isinstance(
            seen,
            psycopg.errors.StringDataRightTruncation | psycopg.errors.ProgramLimitExceeded,
        ):
            return "a value is too large for the database to keep (a text too long, say)"
        if isinstance(
            seen,
            psycopg.errors.CharacterNotInRepertoire | psycopg.errors.UntranslatableCharacter,
        ):
            return "text must be valid Unicode"
        original = getattr(seen, "orig", None)
        seen = original if isinstance(original, BaseException) else seen.__cause__
    return None


def __getattr__(name: str) -> tuple[type[Exception], ...]:
    if name == "BUSY_ERROR_TYPES":
        # made when the HTTP faces ask for it, so that psycopg is imported only then
        import psycopg

        #: The exceptions a lock or connection not had in time arrives as (:func:`is_busy`
        #: tells which of them are): the faces answer them as "busy, try again" rather
        #: than as a fault.
        return (
            DatabaseBusy,
            sql_errors.DBAPIError,
            sql_errors.TimeoutError,
            psycopg.Error,
            sqlite3.Error,
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def database_url(environment: Mapping[str, str] | None = None) -> str:
    env = os.environ if environment is None else environment
    return env.get("UNITRACE_DATABASE_URL") or DEFAULT_DATABASE_URL


def open_database(url: str, *, lock_wait: float = DEFAULT_LOCK_WAIT) -> Engine:
    """An engine for ``url``, with SQLite tuned for a serialization workload: WAL so that
    readers (verification) never wait for the writer, foreign keys enforced, and a large page
    cache for bulk inserts of millions of units. Locks are waited for ``lock_wait`` seconds
    at most (a unit of work may ask for another bound)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        # an in-memory database lives in one connection, which no pool timeout applies to
        # a connection is cheap; one per thread that may want it (the server's threads, the
        # capture, the scans and the deliveries), so that writers queued for the lock do not
        # leave a reader without one
        pooling = (
            {} if in_memory else {"pool_timeout": lock_wait, "pool_size": 20, "max_overflow": 44}
        )
        engine = create_engine(url, connect_args={"timeout": lock_wait}, **pooling)

        def tune(connection: Any, record: Any) -> None:
            _tune_sqlite(connection, record, busy_ms=round(lock_wait * 1000))

        def begin(connection: Any) -> None:
            _begin_immediate(connection, lock_wait=lock_wait)

        event.listen(engine, "connect", tune)
        event.listen(engine, "begin", begin)
        # released when the connection goes back to the pool, after its commit or rollback
        # (the "commit" event comes before the commit itself: released there, the next
        # writer would find SQLite's lock still taken and sleep in its busy handler); the
        # unit of work releases it at once after its own commit or rollback
        event.listen(engine, "checkin", _release_writer)
        event.listen(engine, "close", _close_writer_lock)
        return engine
    # beside any options the URL gives (a search_path, say), which connect_args would replace
    given = parsed.query.get("options")
    given = " ".join(given) if isinstance(given, tuple) else given
    options = f"{given + ' ' if given else ''}-c lock_timeout={round(lock_wait * 1000)}"
    # a server that does not answer, or a connection gone quiet, is found out in seconds
    connecting = {
        "options": options,
        "connect_timeout": max(2, math.ceil(lock_wait)),
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    return create_engine(url, pool_pre_ping=True, pool_timeout=lock_wait, connect_args=connecting)


def _tune_sqlite(connection: Any, record: Any, *, busy_ms: int) -> None:
    # let SQLAlchemy, not the driver, decide where transactions begin
    connection.isolation_level = None
    cursor = connection.cursor()
    for pragma in (
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "foreign_keys = ON",
        "cache_size = -262144",  # 256 MiB
        "temp_store = MEMORY",
        f"busy_timeout = {busy_ms}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"]
    cursor.close()
    if files and files[0]:
        record.info[WRITER_LOCK] = os.open(files[0] + "-writer", os.O_RDWR | os.O_CREAT, 0o644)
        record.info[WRITER_WAITING] = os.open(
            files[0] + "-writer-waiting", os.O_RDWR | os.O_CREAT, 0o644
        )
        record.info[WRITER_QUEUE] = _process_queue(files[0])


@dataclass(slots=True)
class _WriterQueue:
    """The threads of this process queue on ``lock`` before taking a database file's writer
    lock: the thread holding it is woken the moment it is free, and waits can be bounded,
    which the advisory lock between processes cannot be. ``give_way_until``: this process
    let the lock go while another waited, and leaves it to that one until then."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    give_way_until: float = 0.0


_QUEUES: dict[str, _WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def _process_queue(path: str) -> _WriterQueue:
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(os.path.realpath(path), _WriterQueue())


def _begin_immediate(connection: Any, *, lock_wait: float) -> None:
    # A writing transaction takes the write lock at its start, so that two writers queue up
    # instead of one failing half-way with "database is locked"; readers (verification) start
    # a plain deferred transaction and, in WAL mode, never wait.
    #
    # Writers of a database file first queue on a lock of their own: the threads of this
    # process on a lock that wakes the next one the moment it is free, then the processes on
    # an advisory lock of the file, looked for at short intervals; SQLite's own busy handler
    # would poll with sleeps of up to 100 ms, which is what a verification's p99 sees under
    # load. Either wait ends at the unit of work's bound, with DatabaseBusy.
    if connection.info.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    info = connection.connection.info
    lock = info.get(WRITER_LOCK)
    if lock is not None:
        wait = connection.info.get(LOCK_WAIT) or lock_wait
        _take_writer_lock(info, lock, deadline=time.monotonic() + wait, wait=wait)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _unlock(info)
        raise


def _take_writer_lock(info: dict[str, Any], lock: int, *, deadline: float, wait: float) -> None:
    # Between processes the lock is taken in turns: a process waiting for it says so (a
    # shared lock on the "-writer-waiting" file), and one letting it go while another
    # waits gives that one GIVE_WAY seconds to take it before it takes it again. Without
    # that, a process with writes queued took it back at once, each time, and the other
    # looked for it in vain: its scans waited half a second and more.
    queue: _WriterQueue = info[WRITER_QUEUE]
    if not queue.lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise DatabaseBusy(_busy_message(wait))
    waiting: int = info[WRITER_WAITING]
    try:
        until = min(queue.give_way_until, deadline)
        while time.monotonic() < until and _others_waiting(waiting):
            time.sleep(0.0002)
        queue.give_way_until = 0.0
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _wait_in_line(lock, waiting, deadline=deadline, wait=wait)
    except BaseException:
        queue.lock.release()
        raise
    info[WRITER_HELD] = True


def _wait_in_line(lock: int, waiting: int, *, deadline: float, wait: float) -> None:
    """Take the writer lock another process holds, looking for it at short intervals, saying
    meanwhile that this process waits."""
    marked = False
    pause = _POLL_FIRST
    try:
        while True:
            if not marked:
                try:
                    fcntl.flock(waiting, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    marked = True
                except BlockingIOError:  # the holder looking for waiters this instant
                    pass
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DatabaseBusy(_busy_message(wait)) from None
                time.sleep(min(pause, left))
                pause = min(pause * 2, _POLL_MOST)
    finally:
        if marked:
            fcntl.flock(waiting, fcntl.LOCK_UN)


def _others_waiting(waiting: int) -> bool:
    """Whether another process says it waits for the writer lock."""
    try:
        fcntl.flock(waiting, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(waiting, fcntl.LOCK_UN)
    return False


def _busy_message(wait: float) -> str:
    return (
        f"the database is busy with other writes (waited {wait:g} s for its write lock); "
        "nothing was changed: try again in a moment"
    )


def release_writer(connection: Any) -> None:
    """Let the next writer go once a transaction of ``connection`` has ended (committed or
    rolled back), without waiting for the connection to go back to the pool."""
    record = getattr(connection, "connection", None)
    info = getattr(record, "info", None)
    if isinstance(info, dict):
        _unlock(info)


def _release_writer(_connection: Any, record: Any) -> None:
    _unlock(record.info)


def _unlock(info: dict[str, Any]) -> None:
    # a connection's info is its pool record's: the same dict at checkout and at checkin
    if info.pop(WRITER_HELD, False):
        fcntl.flock(info[WRITER_LOCK], fcntl.LOCK_UN)
        queue: _WriterQueue = info[WRITER_QUEUE]
        if _others_waiting(info[WRITER_WAITING]):
            queue.give_way_until = time.monotonic() + GIVE_WAY
        queue.lock.release()


def _close_writer_lock(_connection: Any, record: Any) -> None:
    _unlock(record.info)
    for key in (WRITER_LOCK, WRITER_WAITING):
        descriptor = record.info.pop(key, None)
        if descriptor is not None:
            os.close(descriptor)


#: ``Connection.info`` key marking a connection whose transactions only read.
READ_ONLY = "unitrace.read_only"
#: ``Connection.info`` key: seconds this connection's writer waits for the write lock, where
#: its unit of work asks for another bound than the engine's.
LOCK_WAIT = "unitrace.lock_wait"
#: The writer lock's file descriptor, in a pooled connection's ``info``.
WRITER_LOCK = "unitrace.writer_lock"
#: The descriptor of the file whose shared lock says a process waits for the writer lock.
WRITER_WAITING = "unitrace.writer_waiting"
#: The process's queue for that database file's writer lock, in a pooled connection's ``info``.
WRITER_QUEUE = "unitrace.writer_queue"
#: Pooled connection ``info`` key: this connection holds the writer lock.
WRITER_HELD = "unitrace.writer_held"
