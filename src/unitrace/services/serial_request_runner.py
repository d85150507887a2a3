"""The serial request runner: a service worker's thread that issues the console's serial
requests (:mod:`~unitrace.services.serial_request_jobs`) one after another, off the requests'
path.

Each job issues in a unit of work that may wait longer for the database's write lock than a
request (:data:`JOB_LOCK_WAIT`): a job queued behind a capture or another large request waits
its turn rather than failing. A job that fails unforeseen is finished as failed. When the
service stops, the jobs still queued are finished as not issued; the one under way ends with
the worker (its transaction, and so its units, with it) and is finished as abandoned by the
sweep a runner makes when it starts and every :data:`SWEEP_EVERY` seconds after.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from typing import Final

from unitrace.services.serial_request_jobs import (
    finish_abandoned,
    finish_failed,
    run_serial_request_job,
)
from unitrace.store.unit_of_work import Database

logger = logging.getLogger(__name__)

#: Seconds a job waits for the database's locks: longer than a request may.
JOB_LOCK_WAIT: Final = 300.0
#: Seconds between looks for jobs that workers which stopped left unfinished.
SWEEP_EVERY: Final = 600.0


class SerialRequestRunner:
    """Issues the jobs it is given, in order, on one thread of its own (started with the
    first job); :meth:`shutdown` stops it."""

    def __init__(self, database: Database, *, lock_wait: float = JOB_LOCK_WAIT) -> None:
        self.database = database
        self.lock_wait = lock_wait
        self._queue: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def submit(self, job_id: int) -> None:
        """Queue job ``job_id`` (recorded and committed already)."""
        with self._lock:
            if self._stopping.is_set():
                self._finish_unstarted(job_id)
                return
            self._start()
            self._queue.put(job_id)

    def start(self) -> None:
        """Start the thread ahead of the first job; it first finishes the jobs that stopped
        workers left unfinished."""
        with self._lock:
            if not self._stopping.is_set():
                self._start()

    def _start(self) -> None:
        # a daemon: a worker stopping never waits for a million serials to be issued
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="serial-requests", daemon=True)
            self._thread.start()

    def shutdown(self, *, wait: float = 3.0) -> None:
        """Stop: the jobs still queued are finished as not issued. Waits ``wait`` seconds at
        most for the job under way."""
        with self._lock:
            self._stopping.set()
            thread = self._thread
        self._queue.put(None)
        if thread is not None:
            thread.join(wait)
            if thread.is_alive():
                logger.warning("serial request runner: a request was still being issued")
                # the thread will not reach the jobs behind it before the worker exits
                self._finish_queued()

    def _finish_queued(self) -> None:
        while True:
            try:
                left = self._queue.get_nowait()
            except queue.Empty:
                return
            if left is not None:
                self._finish_unstarted(left)

    def _run(self) -> None:
        self._sweep()
        while True:
            try:
                job_id = self._queue.get(timeout=SWEEP_EVERY)
            except queue.Empty:
                self._sweep()
                continue
            if job_id is None:
                break
            if self._stopping.is_set():
                self._finish_unstarted(job_id)
                continue
            try:
                run_serial_request_job(
                    functools.partial(self.database.unit_of_work, lock_wait=self.lock_wait),
                    job_id,
                )
            except Exception:
                logger.exception("serial request job %s failed", job_id)
                self._finish(job_id, "issuing failed unforeseen (the service's log says why)")
        self._finish_queued()

    def _finish_unstarted(self, job_id: int) -> None:
        self._finish(job_id, "the service stopped before issuing it")

    def _finish(self, job_id: int, why: str) -> None:
        try:
            with self.database.unit_of_work(lock_wait=2.0) as uow:
                finish_failed(uow, job_id, why)
                uow.commit()
        except Exception:  # left to the sweep, which finishes it as abandoned
            logger.exception("serial request job %s: not issued, and not marked so", job_id)

    def _sweep(self) -> None:
        try:
            with self.database.unit_of_work(lock_wait=2.0) as uow:
                abandoned = finish_abandoned(uow)
                uow.commit()
        except Exception:
            logger.exception("serial request runner: jobs left unfinished could not be finished")
            return
        if abandoned:
            logger.warning("serial request jobs %s: left unfinished by a worker", abandoned)
