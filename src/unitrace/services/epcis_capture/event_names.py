"""The names of a capture's events that come without an eventID: their CBV 2.0 event hash,
computed in this process, or for a large document in a pool of worker processes where the
operator gives the capture some (:func:`use_hash_workers`).

In this process is the default. The hash reads each distinct identifier and time of a process
once (:mod:`unitrace.epcis.hashing.canonical`), after which a 10,000-event document of
repeating EPCs hashes in some 0.4 s of one core. Handing its events to worker processes costs
about as much again: pickling 10,000 events and unpickling them in a worker took 0.25 to
0.55 s, and a worker starts from a fresh interpreter. Measured on two cores shared with other
work, two workers made ``unitrace epcis capture`` of that document slower on SQLite (the
in-process capture 1.27 times as fast, median of three rounds) and no faster on PostgreSQL
(0.99), and a pool forked with the events in its memory (nothing pickled) was no faster up
to 50,000 events (``bench/bench_epcis_capture_12.py --hash-workers 2``). A machine with cores
to spare may give the command line's captures workers; the HTTP service hashes in its own
process, its cores already shared by its service workers, so that no request starts
processes.

The pool is one per process, started at the first capture that uses it and shut down when the
process ends. A worker that dies or hangs never stops the capture: its events are hashed in
this process instead and the pool is started anew for the next capture; an event the hash
refuses gives the same error, naming it, wherever it was hashed.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as PoolTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Final

from unitrace.epcis.hashing.batch import Unnamed, hash_events
from unitrace.epcis.model import InvalidEvent

__all__ = ["POOL_FROM", "event_names", "use_hash_workers"]

logger = logging.getLogger(__name__)

#: The fewest events without an eventID a document hands to the pool; fewer are hashed here
#: whatever the workers, as starting and feeding them costs more than it saves.
POOL_FROM: Final = 5_000
#: Events per piece of work a worker takes: enough that a piece outweighs its hand-over.
CHUNK: Final = 2_500
#: How long the pool may take, at most, before its events are hashed here after all: far
#: longer than the work takes, so that only a worker that hangs meets it.
_BASE_WAIT: Final = 30.0
_WAIT_PER_EVENT: Final = 0.002

_lock = threading.Lock()
_workers = 0
_pool: ProcessPoolExecutor | None = None


def use_hash_workers(workers: int) -> None:
    """Hash large documents in ``workers`` worker processes (0 or 1: in this process)."""
    global _workers
    with _lock:
        _workers = max(workers, 0)
        _drop_pool()


def event_names(events: Sequence[Unnamed]) -> list[str | InvalidEvent]:
    """The hash of each of ``events`` (index in the document, event, namespaces), or the
    error that refuses it, in the order given."""
    if _workers < 2 or len(events) < POOL_FROM:
        return hash_events(events)
    pooled = _in_pool(events)
    return pooled if pooled is not None else hash_events(events)


def _in_pool(events: Sequence[Unnamed]) -> list[str | InvalidEvent] | None:
    """The names from the pool, or None where it failed (a worker killed or hanging)."""
    with _lock:
        pool = _started_pool()
    futures: list[Future[list[str | InvalidEvent]]] = []
    # one wait for the whole document, not one for each piece of it
    deadline = time.monotonic() + _BASE_WAIT + _WAIT_PER_EVENT * len(events)
    try:
        futures = [
            pool.submit(hash_events, events[start : start + CHUNK])
            for start in range(0, len(events), CHUNK)
        ]
        return [
            name
            for future in futures
            for name in future.result(timeout=max(deadline - time.monotonic(), 0.0))
        ]
    except (BrokenProcessPool, PoolTimeout, OSError, RuntimeError) as failure:
        # RuntimeError: the pool was shut down meanwhile (by use_hash_workers, or the
        # interpreter ending), so that it takes no more work
        logger.warning(
            "hashing %d events in worker processes failed (%s): hashing them here",
            len(events),
            type(failure).__name__,
        )
        for future in futures:
            future.cancel()
        with _lock:
            if _pool is pool:
                _drop_pool()
        return None


def _started_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # forkserver: a worker starts from a clean process, whatever threads (a progress bar,
        # a server's) this one runs, and imports only the hash
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["unitrace.epcis.hashing.batch"])
        _pool = ProcessPoolExecutor(_workers, mp_context=context)
    return _pool


def _drop_pool() -> None:
    global _pool
    if _pool is not None:
        pool, _pool = _pool, None
        # a hanging worker is not waited for: its processes are ended (by the executor where
        # it can, Python 3.14 on; before, through its table of processes, which the executor
        # does not publish, and which may be gone with a pool broken already)
        kill = getattr(pool, "kill_workers", None)
        if kill is not None:
            kill()
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


@atexit.register
def _shut_down() -> None:
    with _lock:
        _drop_pool()
