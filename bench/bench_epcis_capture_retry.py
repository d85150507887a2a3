"""A partner's 10,000-event document sent again after a timeout: the capture that finds every
event captured already (each compared with the stored one by its CBV 2.0 content hash, and
noted) beside the first capture of the same document. SQLite; PostgreSQL where
``UNITRACE_BENCH_POSTGRES_URL`` names a server (default: the local one, database
``unitrace_capture_retry_bench``).

Each figure is the best and the median of three runs on fresh data.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable

from bench_epcis_capture import EVENTS, on_each_database, partner_document, timed
from unitrace.services.epcis_capture import ALREADY_CAPTURED, CaptureResult
from unitrace.store.unit_of_work import Database

RUNS = 3
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_capture_retry_bench",
)


def noted(result: CaptureResult) -> int:
    """How many of the capture's events were noted captured already."""
    return sum(note.message == ALREADY_CAPTURED for note in result.notes)


def measure(name: str, fresh: Callable[[], Database]) -> None:
    first, again = [], []
    body = partner_document()
    for _ in range(RUNS):
        database = fresh()
        seconds, _ = timed(database, body)
        first.append(seconds)
        seconds, result = timed(database, body)
        assert noted(result) == EVENTS, noted(result)
        again.append(seconds)
        database.engine.dispose()
    for label, seconds in (("first capture", first), ("sent again", again)):
        best, median = EVENTS / min(seconds), EVENTS / statistics.median(seconds)
        print(
            f"{name} {label}, {EVENTS:,} events: best {best:,.0f} events/s, "
            f"median {median:,.0f} events/s",
            flush=True,
        )


def main() -> None:
    on_each_database(measure, POSTGRES_URL)


if __name__ == "__main__":
    main()
