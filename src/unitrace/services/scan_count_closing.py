"""The service's thread that closes the months of scan counts that have ended
(:func:`unitrace.store.scan_count_months.close_months`): when the service starts, and every
hour after. The figures are right without it (an unclosed month is read from its day rows);
closing makes a year's figures read 12 month rows per key instead of 365 day rows.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from unitrace.store.scan_count_months import close_months, months_to_close
from unitrace.store.unit_of_work import Database

logger = logging.getLogger(__name__)

#: how often the thread looks for months to close, in seconds
CLOSING_INTERVAL: Final = 3600.0


class MonthClosing:
    """Closes ended months on a thread of its own until :meth:`stop`."""

    def __init__(self, database: Database, *, interval: float = CLOSING_INTERVAL) -> None:
        self.database = database
        self.interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="month-closing", daemon=True)
            self._thread.start()

    def stop(self, *, wait: float = 3.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(wait)

    def close_ended_months(self) -> None:
        """Close the months that have ended (a failure is logged and tried again later)."""
        try:
            # looked for first without a lock: most hours there is nothing to close
            with self.database.unit_of_work(read_only=True) as uow:
                if not months_to_close(uow.connection):
                    return
            with self.database.unit_of_work() as uow:
                closed = close_months(uow.connection)
                uow.commit()
        except Exception:
            logger.exception("scan counts: the ended months could not be closed")
            return
        if closed:
            logger.info(
                "scan counts: closed %s", ", ".join(month.strftime("%Y-%m") for month in closed)
            )

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.close_ended_months()
            self._stopping.wait(self.interval)
