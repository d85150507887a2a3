"""The capture runner: a service worker's thread that captures EPCIS documents one after
another, off the requests' path, and stops within a bound when the service does.

``POST /epcis/capture`` answers 202 once the job is recorded; the runner then captures the
document in a unit of work that may wait longer for the database's write lock than a request
(:data:`JOB_LOCK_WAIT`): a job queued behind a large serial request waits its turn rather than
failing. When the service stops, the capture under way is interrupted at its next step and
rolled back, and it and the jobs still queued are finished as not captured, saying why, so
that no job is left "running" by a worker that stopped on purpose. A job whose outcome could
not be recorded (the database gone for a moment) is finished again, and the jobs that a worker
which died (killed, its machine lost) left running are finished as abandoned when a runner
starts, and every :data:`SWEEP_EVERY` seconds after.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from unitrace.registry.model import Actor
from unitrace.services.epcis_capture import jobs
from unitrace.store.capture_jobs import CaptureJob
from unitrace.store.unit_of_work import Database, UnitOfWork

logger = logging.getLogger(__name__)

#: Seconds a capture job waits for the database's locks: longer than a request may.
JOB_LOCK_WAIT: Final = 300.0
#: Seconds between looks for jobs that workers which died left running.
SWEEP_EVERY: Final = 600.0
#: Times a job's outcome is tried to be recorded before it is left to the sweep.
FINISH_ATTEMPTS: Final = 3


@dataclass(frozen=True, slots=True)
class _Job:
    job: CaptureJob
    document: Mapping[str, Any]
    actor: Actor
    from_xml: bool


class CaptureRunner:
    """Captures submitted documents in order on one thread of its own (started with the first
    job); :meth:`shutdown` stops it."""

    def __init__(self, database: Database, *, lock_wait: float = JOB_LOCK_WAIT) -> None:
        self.database = database
        self.lock_wait = lock_wait
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def submit(
        self, job: CaptureJob, document: Mapping[str, Any], *, actor: Actor, from_xml: bool
    ) -> None:
        """Queue ``document`` for capture under ``job`` (recorded already)."""
        with self._lock:
            if self._stopping.is_set():
                self._finish_unstarted(job)
                return
            self._start()
            self._queue.put(_Job(job, document, actor, from_xml))

    def start(self) -> None:
        """Start the thread ahead of the first job; it first finishes the jobs that workers
        which died left running (:func:`~.epcis_capture.jobs.finish_abandoned`)."""
        with self._lock:
            if not self._stopping.is_set():
                self._start()

    def _start(self) -> None:
        # started again should it ever have ended on a fault, so that no job waits for a
        # thread that is gone; a daemon: a worker stopping never waits on a capture beyond
        # its bound
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="epcis-capture", daemon=True)
            self._thread.start()

    def shutdown(self, *, wait: float = 3.0) -> None:
        """Stop: the capture under way ends at its next step, rolled back, and every job not
        captured is finished saying so. Waits ``wait`` seconds at most."""
        with self._lock:
            self._stopping.set()
            thread = self._thread
        self._queue.put(None)
        if thread is not None:
            thread.join(wait)
            if thread.is_alive():
                logger.warning("capture runner: a capture was still under way at shutdown")

    def _run(self) -> None:
        self._sweep()
        while True:
            try:
                item = self._queue.get(timeout=SWEEP_EVERY)
            except queue.Empty:
                self._sweep()
                continue
            if item is None:
                break
            if self._stopping.is_set():
                self._finish_unstarted(item.job)
                continue
            try:
                jobs.run_capture(
                    functools.partial(self.database.unit_of_work, lock_wait=self.lock_wait),
                    item.job,
                    item.document,
                    actor=item.actor,
                    from_xml=item.from_xml,
                    progress=self._progress,
                )
            except Exception:  # the outcome could not be recorded: tried again, then left
                logger.exception("capture job %s: its outcome was not recorded", item.job.id)
                self._finish(item.job, jobs.finish_failed)
        # what was queued behind the stop is not captured either
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                self._finish_unstarted(item.job)

    def _progress(self, _done: int) -> None:
        if self._stopping.is_set():
            raise jobs.CaptureInterrupted

    def _finish_unstarted(self, job: CaptureJob) -> None:
        self._finish(job, jobs.finish_interrupted, attempts=1)

    def _finish(
        self,
        job: CaptureJob,
        finish: Callable[[UnitOfWork, int], None],
        *,
        attempts: int = FINISH_ATTEMPTS,
    ) -> None:
        """Record that ``job`` captured nothing, trying ``attempts`` times a second apart
        (fewer once the service stops); a job still running after that is finished by the
        sweep, as abandoned."""
        started = time.monotonic()
        for attempt in range(attempts):
            try:
                with self.database.unit_of_work(lock_wait=2.0) as uow:
                    finish(uow, job.id)
                    uow.commit()
                return
            except Exception:
                if attempt + 1 == attempts or self._stopping.wait(1.0):
                    break
        logger.exception(
            "capture job %s: not captured, and not marked so (%.1f s)",
            job.id,
            time.monotonic() - started,
        )

    def _sweep(self) -> None:
        try:
            with self.database.unit_of_work(lock_wait=2.0) as uow:
                abandoned = jobs.finish_abandoned(uow)
                uow.commit()
        except Exception:
            logger.exception("capture runner: jobs left running could not be finished")
            return
        if abandoned:
            logger.warning("capture jobs %s: left running by a worker that died", abandoned)
