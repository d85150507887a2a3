"""The service's thread that counts the scans logged (:meth:`ScanCounts.count_queued
<unitrace.store.scan_counts.ScanCounts.count_queued>`): every second, thousands at a time, off
the scans' own transactions, which only queue them. The figures are right without it (they
add the queued scans to the counts); counting keeps the queue, and so their reading, short.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Final

from unitrace.store.database import is_busy
from unitrace.store.scan_counts import COUNTING_CHUNK, COUNTING_WRITER
from unitrace.store.unit_of_work import Database

logger = logging.getLogger(__name__)

#: how long the thread waits between countings, in seconds
COUNTING_INTERVAL: Final = 1.0
#: how many writer numbers the counting threads of a service's processes spread over
WRITER_SLOTS: Final = 64


def counting_writer(dialect: str, pid: int | None = None) -> int:
    """The writer number a process's counting thread counts as: from 1 (0 is every writer
    that is not a counting thread); on PostgreSQL one of :data:`WRITER_SLOTS` slots by the
    process id, so that the processes of a service (``unitrace serve --workers``) count in
    rows of their own (SQLite's writers take turns anyway). Two processes sharing a slot by
    chance only wait for each other's rows of the day; the counts are right either way."""
    if dialect != "postgresql":
        return 1
    return 1 + (os.getpid() if pid is None else pid) % (WRITER_SLOTS - 1)


class ScanCounting:
    """Counts the queued scans on a thread of its own, every ``interval`` seconds, until
    :meth:`stop`."""

    def __init__(
        self,
        database: Database,
        *,
        interval: float = COUNTING_INTERVAL,
        chunk: int = COUNTING_CHUNK,
    ) -> None:
        if interval <= 0 or chunk < 1:
            raise ValueError("scan counting: interval and chunk must be positive")
        self.database = database
        self.interval = interval
        self.chunk = chunk
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="scan-counting", daemon=True)
            self._thread.start()

    def stop(self, *, wait: float = 3.0) -> None:
        """Stop after counting what is queued (within ``wait`` seconds)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(wait)

    def count_queued(self) -> int:
        """Count every scan queued, ``chunk`` per transaction; how many (a failure is logged,
        and the scans it was counting are left queued for the next time)."""
        counted = 0
        while True:
            try:
                # looked for first without the write lock (SQLite's is the scan intake's too)
                with self.database.unit_of_work(read_only=True) as uow:
                    if not uow.scan_counts.any_queued():
                        return counted
                with self.database.unit_of_work() as uow:
                    taken = uow.scan_counts.count_queued(self.chunk)
                    uow.commit()
            except Exception as failure:
                if is_busy(failure):
                    logger.warning("scan counts: the database was busy; counted again later")
                else:
                    logger.exception("scan counts: the queued scans could not be counted")
                return counted
            counted += taken
            if taken < self.chunk:
                return counted

    def _run(self) -> None:
        COUNTING_WRITER.set(counting_writer(self.database.dialect))
        while not self._stopping.wait(self.interval):
            self.count_queued()
        self.count_queued()
