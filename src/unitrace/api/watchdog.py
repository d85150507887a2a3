"""The event-loop watchdog: a worker whose event loop stops turning is stopped, so that its
supervisor starts another, rather than left holding its share of the connections unanswered.

No route blocks the event loop (database work, lock waits and large parses run on threads),
so a loop that has not run a callback for :data:`STALL_LIMIT` seconds is a defect. uvicorn's
supervisor cannot see it (its health check is answered by a thread of the worker, not by the
loop), and the worker would ignore SIGTERM as well. The watchdog logs where every thread
stands, for the operator to report, and ends the process.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Final

logger = logging.getLogger(__name__)

#: Seconds the event loop may go without running a callback before the worker is ended.
STALL_LIMIT: Final = 30.0
#: The exit status of a worker ended by the watchdog (EX_SOFTWARE).
STALLED_EXIT: Final = 70


def _end_worker() -> None:
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    os._exit(STALLED_EXIT)


class LoopWatchdog:
    """Looks every ``every`` seconds whether ``loop`` runs a callback within ``limit``
    seconds, and calls ``on_stall`` (by default: end the process) when it does not."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        limit: float = STALL_LIMIT,
        every: float = 1.0,
        on_stall: Callable[[], None] = _end_worker,
    ) -> None:
        self.loop = loop
        self.limit = limit
        self.every = every
        self.on_stall = on_stall
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="loop-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def _watch(self) -> None:
        while not self._stopping.wait(self.every):
            turned = threading.Event()
            try:
                self.loop.call_soon_threadsafe(turned.set)
            except RuntimeError:
                return  # the loop is closed: the worker is stopping
            if turned.wait(self.limit) or self._stopping.is_set():
                continue
            logger.critical(
                "the event loop has not run for %.0f s: ending this worker so that it is "
                "replaced (every thread's stack follows)",
                self.limit,
            )
            self.on_stall()
            return
