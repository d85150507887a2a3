"""EPCIS 2.0 JSON-LD read and validation throughput on one core.

1. A document of 10,000 typical ObjectEvents (commissioning with ILMD, shipping with a
   destination, receiving; 1 to 5 SGTINs each, read point and business location), read and
   validated (schema checks, CBV words, every EPC through the code layer): target >= 20,000
   events/s, so that capture (validation, hashing, storage) can reach 5,000 events/s on 2 cores.
2. The same read against the schema's rules only (read_document), the same parsed from JSON
   text first, and the events written back (document()).
3. One commissioning event of 100,000 EPCs, in EPCs/s.
4. For comparison, the official JSON Schema through jsonschema on 500 of the events.

Each figure is the best and the median of five runs, so that the machine's noise shows.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from unitrace.epcis import EPCIS_CONTEXT, read_document, validate_document

N = 10_000
RUNS = 5
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PLANT = "urn:epc:id:sgln:9506000.00004.0"


def serial(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(12))


def typical_event(rng: random.Random, number: int) -> dict[str, Any]:
    epcs = [f"urn:epc:id:sgtin:9506000.013435.{serial(rng)}" for _ in range(rng.randint(1, 5))]
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:6b4f3e3c-0000-4000-8000-{number:012d}",
        "eventTime": "2026-05-04T09:30:15.250+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": epcs,
        "readPoint": {"id": PLANT},
        "bizLocation": {"id": PLANT},
    }
    kind = number % 3
    if kind == 0:
        event.update(
            action="ADD",
            bizStep="commissioning",
            disposition="active",
            ilmd={"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2030-12-31"},
        )
    elif kind == 1:
        event.update(
            action="OBSERVE",
            bizStep="shipping",
            disposition="in_transit",
            destinationList=[
                {"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"}
            ],
        )
    else:
        event.update(action="OBSERVE", bizStep="receiving", disposition="in_progress")
    return event


def document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-05-04T09:30:15.250+08:00",
        "epcisBody": {"eventList": events},
    }


def rate(work: Callable[[], object], count: int, runs: int = RUNS) -> tuple[float, float]:
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        rates.append(count / (time.perf_counter() - started))
    return max(rates), statistics.median(rates)


def main() -> None:
    rng = random.Random(2026)
    sent = document([typical_event(rng, number) for number in range(N)])
    text = json.dumps(sent)
    epcs = sum(len(event["epcList"]) for event in sent["epcisBody"]["eventList"])
    print(f"typical document   : {N:,} ObjectEvents, {epcs:,} EPCs, {len(text):,} bytes of JSON")

    best, median = rate(lambda: validate_document(sent), N)
    verdict = "meets" if median >= 20_000 else "MISSES"
    print(
        f"validate_document  : best {best:,.0f} events/s, median {median:,.0f} events/s "
        f"({verdict} the 20,000/s target)"
    )
    best, median = rate(lambda: validate_document(json.loads(text)), N)
    print(f"json.loads + above : best {best:,.0f} events/s, median {median:,.0f} events/s")
    best, median = rate(lambda: read_document(sent), N)
    print(f"read_document      : best {best:,.0f} events/s, median {median:,.0f} events/s")
    read = validate_document(sent)
    best, median = rate(read.document, N)
    print(f"document() (write) : best {best:,.0f} events/s, median {median:,.0f} events/s")

    big = document(
        [
            {
                "type": "ObjectEvent",
                "eventTime": "2026-05-04T09:30:15.250+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "ADD",
                "bizStep": "commissioning",
                "epcList": [
                    f"urn:epc:id:sgtin:9506000.013435.S{number:09d}" for number in range(100_000)
                ],
                "ilmd": {"cbvmda:lotNumber": "L1"},
            }
        ]
    )
    best, median = rate(lambda: validate_document(big), 100_000)
    print(f"one 100,000-EPC event: best {best:,.0f} EPCs/s, median {median:,.0f} EPCs/s")

    try:
        import jsonschema
    except ImportError:
        print("jsonschema          : not installed, comparison skipped")
        return
    from pathlib import Path

    schema_path = (
        Path(__file__).resolve().parents[2]
        / "shared"
        / "conformance"
        / "epcis"
        / "EPCIS-JSON-Schema.json"
    )
    if not schema_path.is_file():
        print(f"jsonschema          : {schema_path} not found, comparison skipped")
        return
    checker = jsonschema.Draft7Validator(
        json.loads(schema_path.read_text()), format_checker=jsonschema.FormatChecker()
    )
    sample = document(sent["epcisBody"]["eventList"][:500])
    best, median = rate(lambda: checker.validate(sample), 500, runs=3)
    print(f"jsonschema (official schema): best {best:,.0f} events/s, median {median:,.0f} events/s")


if __name__ == "__main__":
    main()
