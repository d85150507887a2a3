"""Scan intake: verifications in batches, one transaction and one commit per batch.

Under load, scans arrive faster than one transaction each can take them: every transaction
pays for taking the database's write lock, writing the log's pages and committing (on
PostgreSQL, a flush to disk). The intake queues scans; a writer thread takes all that are
waiting (up to :attr:`ScanIntake.batch_limit`), verifies them in arrival order inside one
unit of work, commits once, and only then answers each of them. So

- no answer is sent before its scan is stored (a crash loses only unanswered scans);
- each scan's detectors see every scan before it, those of the same batch included, since
  they run in the same transaction; scans of other processes are seen once committed, and on
  SQLite batches of different processes take the write lock in turn;
- when the load is light a batch is a single scan, answered as soon as it is verified.

On SQLite, whose one write lock the writers of every process take in turn, the standing of
the units a batch names (products, units, custodians, holds: what scans never change) is read
before the batch takes the lock, in a read-only transaction begun once its scans have all
arrived (:class:`~unitrace.services.verification.unit_state.UnitStates`); the lock is held
for the scans' own reads (earlier scans, open alerts) and writes. On PostgreSQL the batch
reads them first thing in its own transaction: there is no one lock to spare, and a
transaction more is round trips more. Either way the batch's units are read in one query.

A scan :func:`~unitrace.services.verification.verify` refuses (a place code that does not
exist) is refused before it writes anything, so the rest of its batch goes on. Any other
failure rolls the batch back and its scans are verified again one transaction each, so that
one bad scan cannot cost the others their answers; but a database too busy to take the batch
in time (:class:`~unitrace.store.database.DatabaseBusy`) answers the whole batch so at once.
A batch PostgreSQL undid to break a deadlock (two batches scanning the same units in other
orders lock their alerts in other orders) is verified again one scan at a time, as a failed
one is, and a scan alone undid so is tried again (:data:`DEADLOCK_RETRIES` times at most).
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Final

from unitrace.registry.errors import Refused
from unitrace.services.verification import ScanRequest, VerificationResult, verify
from unitrace.services.verification.unit_state import UnitStates
from unitrace.store.database import is_busy, is_deadlock
from unitrace.store.unit_of_work import Database

#: Scans verified in one transaction at most: enough to share a commit among many, few enough
#: that the first of them is not kept waiting for the last.
BATCH_LIMIT: Final = 64
#: Times a scan verified alone is tried again after PostgreSQL undid it to break a deadlock.
DEADLOCK_RETRIES: Final = 3


@dataclass(frozen=True, slots=True)
class _Queued:
    request: ScanRequest
    answer: Future[VerificationResult]


class ScanIntake:
    """Verifies submitted scans in batches on ``writers`` threads of its own (one is right for
    SQLite, whose writers take turns anyway; PostgreSQL can use more). The threads start with
    the first scan; :meth:`close` stops them once the queue is empty."""

    def __init__(
        self,
        database: Database,
        *,
        writers: int = 1,
        batch_limit: int = BATCH_LIMIT,
        read_ahead: bool | None = None,
    ) -> None:
        if writers < 1 or batch_limit < 1:
            raise ValueError("scan intake: writers and batch_limit must be at least 1")
        self.database = database
        #: whether the units' standing is read before the write transaction (SQLite's)
        self.read_ahead = database.dialect == "sqlite" if read_ahead is None else read_ahead
        self.writers = writers
        self.batch_limit = batch_limit
        self._queue: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, request: ScanRequest) -> Future[VerificationResult]:
        """Queue ``request``; the future gives its result once its scan is committed, or the
        :class:`~unitrace.registry.errors.Refused` that refused it."""
        answer: Future[VerificationResult] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("scan intake: closed")
            if not self._threads:
                self._start()
            self._queue.put(_Queued(request, answer))
        return answer

    def close(self, *, wait: float | None = None) -> None:
        """Verify what is queued, then stop the writer threads; waits ``wait`` seconds at
        most (what is still queued then is not verified, nor answered)."""
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)
        deadline = None if wait is None else time.monotonic() + wait
        for thread in threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    def _start(self) -> None:
        for number in range(self.writers):
            thread = threading.Thread(
                target=self._write, args=(number,), name=f"scan-intake-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _write(self, number: int) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            # a scan whose caller gave up (a cancelled request cancels its future) is
            # dropped; the others cannot be cancelled from here on, so that answering them
            # never raises InvalidStateError, which would leave the batch unanswered and
            # end this thread
            batch = [first] if first.answer.set_running_or_notify_cancel() else []
            stop = False
            while len(batch) < self.batch_limit:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                if more.answer.set_running_or_notify_cancel():
                    batch.append(more)
            if batch:
                self._verify(batch)
            if stop:
                return

    def _verify(self, batch: list[_Queued], *, retries: int = DEADLOCK_RETRIES) -> None:
        outcomes: list[VerificationResult | Refused] = []
        states = UnitStates()
        try:
            if self.read_ahead:
                with self.database.unit_of_work(read_only=True) as reader:
                    states.read_ahead(reader, (queued.request.code for queued in batch))
            with self.database.unit_of_work() as uow:
                if self.read_ahead:
                    states = states.still_standing(uow)
                else:
                    # read in the writing transaction itself: nothing to check it against
                    codes = (queued.request.code for queued in batch)
                    states.read_ahead(uow, codes, marked=False)
                for queued in batch:
                    try:
                        outcomes.append(verify(uow, queued.request, states=states))
                    except Refused as refusal:
                        outcomes.append(refusal)
                uow.commit()
        except Exception as failure:
            if len(batch) == 1 and retries > 0 and is_deadlock(failure):
                self._verify(batch, retries=retries - 1)
                return
            if len(batch) == 1 or (is_busy(failure) and not is_deadlock(failure)):
                # a lock not had in time would only be waited for again, once per scan
                for queued in batch:
                    queued.answer.set_exception(failure)
                return
            for queued in batch:
                self._verify([queued])
            return
        for queued, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Refused):
                queued.answer.set_exception(outcome)
            else:
                queued.answer.set_result(outcome)
