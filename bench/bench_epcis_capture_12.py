"""``unitrace epcis capture`` of an EPCIS 1.2 XML document of 10,000 events that carry no
eventID, so that every event is named by its CBV 2.0 event hash, timed as the user runs it
(the command, in a process of its own) on a fresh SQLite file and on PostgreSQL. Target
>= 10,000 events/s.

The document is what a partner's packaging and shipping lines send on the DSCSA guideline's
EPCIS 1.2: ObjectEvents observing and commissioning (with ILMD) several units each, drawn from
a few thousand units so that the same EPCs come back event after event, and AggregationEvents
packing them into cases; the line's read points, locations and times repeat as well.

With ``--base DIR`` (a checkout of the code to compare with, such as a ``git worktree`` of
main) each round captures the document with that code and with this one, alternating, and the
median ratio of their rates is printed. With ``--hash-workers N`` this code is timed besides
with ``UNITRACE_CAPTURE_HASH_WORKERS=N`` (the events hashed in N worker processes). ``UNITRACE_BENCH_POSTGRES_URL`` (default: the local
server, database ``unitrace_capture12_bench``) names the PostgreSQL database, emptied before
each capture.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scratch import migrated, scratch_postgresql
from unitrace.epcis.xml_read import document_from_xml
from unitrace.epcis.xml_write import document_to_xml
from unitrace.epcis.xml_write.epcis_1_2 import as_epcis_1_2
from unitrace.store.database import open_database

EVENTS = 10_000
UNITS = 3_000  # the pool the events' EPCs are drawn from
TARGET = 10_000
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_capture12_bench",
)
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
HERE = Path(__file__).resolve().parent.parent


def _unit(n: int) -> str:
    return f"urn:epc:id:sgtin:4012345.011111.S{n % UNITS:06d}"


def _event(n: int) -> dict[str, Any]:
    # a line reports a few events a second: times repeat from one event to the next
    at = T0 + dt.timedelta(seconds=n // 3, milliseconds=(n % 3) * 250)
    site = n % 5
    common: dict[str, Any] = {
        "eventTime": at.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "-05:00",
        "readPoint": {"id": f"urn:epc:id:sgln:4012345.00001.{site}"},
        "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"},
    }
    epcs = [_unit(n * 7 + i * 131) for i in range(2 + n % 5)]
    kind = n % 5
    if kind == 0:
        return {
            "type": "ObjectEvent",
            **common,
            "epcList": epcs,
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "ilmd": {
                "cbvmda:lotNumber": f"L{n // 1000:03d}",
                "cbvmda:itemExpirationDate": "2028-05-31",
            },
        }
    if kind == 1:
        return {
            "type": "AggregationEvent",
            **common,
            "parentID": f"urn:epc:id:sscc:4012345.{n // 10:010d}",
            "childEPCs": epcs,
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
        }
    return {
        "type": "ObjectEvent",
        **common,
        "epcList": epcs,
        "action": "OBSERVE",
        "bizStep": "shipping" if kind == 2 else "inspecting",
        "disposition": "in_transit" if kind == 2 else "active",
        "bizTransactionList": [
            {"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:4012345000009:{n // 50}"}
        ],
    }


def document_xml(events: int = EVENTS) -> bytes:
    """The EPCIS 1.2 document of ``events`` events, none with an eventID."""
    document = {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-05-04T15:00:00Z",
        "epcisBody": {"eventList": [_event(n) for n in range(events)]},
    }
    written = as_epcis_1_2(document_to_xml(document))
    read = document_from_xml(written)["epcisBody"]["eventList"]
    assert len(read) == events
    assert not any("eventID" in event for event in read)
    return written


def _fresh(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    engine = open_database(url)
    migrated(engine)
    engine.dispose()


def _capture(code: Path, workers: int, file: Path, url: str, events: int) -> tuple[float, float]:
    """Seconds ``unitrace epcis capture`` of ``code`` (a checkout's src) takes, startup
    included, on a database made anew: on the clock, and of CPU (its own and its workers')."""
    _fresh(url)
    environment = {
        **os.environ,
        "UNITRACE_DATABASE_URL": url,
        "PYTHONPATH": str(code / "src"),
        "UNITRACE_CAPTURE_HASH_WORKERS": str(workers),
    }
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "unitrace", "epcis", "capture", str(file)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    if done.returncode != 0 or f"{events:,} of {events:,} events captured" not in done.stdout:
        raise SystemExit(f"capture failed ({code}): {done.stdout}{done.stderr}")
    return took, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, help="a checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--hash-workers", type=int, default=0)
    parser.add_argument("--events", type=int, default=EVENTS)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "capture-1.2.xml"
        file.write_bytes(document_xml(arguments.events))
        print(
            f"document: {arguments.events:,} events without eventID, {file.stat().st_size / 1e6:.1f} MB"
        )
        print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
        databases = []
        if arguments.only != "postgresql":
            databases.append(("sqlite", f"sqlite:///{folder}/bench.db"))
        if arguments.only != "sqlite" and scratch_postgresql(POSTGRES_URL):
            databases.append(("postgresql", POSTGRES_URL))
        for name, url in databases:
            _compare(name, url, file, arguments)
        print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")


def _compare(name: str, url: str, file: Path, arguments: argparse.Namespace) -> None:
    codes = [("this", HERE, 0)]
    if arguments.hash_workers:
        codes.append((f"{arguments.hash_workers} workers", HERE, arguments.hash_workers))
    if arguments.base is not None:
        codes.append(("base", arguments.base.resolve(), 0))
    rates: dict[str, list[float]] = {label: [] for label, _, _ in codes}
    cpu: dict[str, list[float]] = {label: [] for label, _, _ in codes}
    for round_ in range(arguments.rounds):
        # alternate which goes first, so that neither always meets the warmer machine
        for label, code, workers in codes if round_ % 2 == 0 else codes[::-1]:
            took, used = _capture(code, workers, file, url, arguments.events)
            rates[label].append(arguments.events / took)
            cpu[label].append(used)
    this = statistics.median(rates["this"])
    verdict = "meets" if this >= TARGET else "MISSES"
    print(
        f"{name:<10} this: median {this:,.0f} events/s, best {max(rates['this']):,.0f} "
        f"({verdict} the {TARGET:,}/s target); CPU median {statistics.median(cpu['this']):.2f} s"
    )
    for label, _, _ in codes[1:]:
        ratios = [mine / theirs for mine, theirs in zip(rates["this"], rates[label], strict=True)]
        print(
            f"{name:<10} {label}: median {statistics.median(rates[label]):,.0f} events/s, best "
            f"{max(rates[label]):,.0f}; this / {label}: median {statistics.median(ratios):.2f}x "
            f"(rounds: {', '.join(f'{ratio:.2f}' for ratio in ratios)}); CPU median "
            f"{statistics.median(cpu[label]):.2f} s"
        )


if __name__ == "__main__":
    main()
