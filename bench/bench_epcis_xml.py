"""EPCIS XML binding throughput on one core.

One capture document of 10,000 events as a packaging line and its distributors send them: a
commissioning ObjectEvent with ILMD (lot, expiry) for every unit, packing AggregationEvents,
shipping ObjectEvents with business transactions and source/destination, a temperature
reading with sensor data, and a user extension on each.

1. XML -> JSON-LD dict, checked against the official XSD first (the capture path): target
   >= 10,000 events/s.
2. XML -> dict without the XSD check, to show what the check costs.
3. dict -> XML.

Each figure is the best and the median of five runs, so that the machine's noise shows.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from unitrace.epcis.xml import validate_xml
from unitrace.epcis.xml_read import document_from_xml
from unitrace.epcis.xml_write import document_to_xml

N = 10_000
RUNS = 5
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def unit(n: int) -> str:
    return f"urn:epc:id:sgtin:9506000.013435.S{n:08d}"


def event(n: int) -> dict[str, Any]:
    at = {
        "eventTime": f"2026-05-04T09:{n // 600 % 60:02d}:{n // 10 % 60:02d}.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "eventID": f"urn:uuid:0f8e4a38-7b4c-4c55-9a55-{n:012d}",
        "readPoint": {"id": "urn:epc:id:sgln:9506000.00004.0"},
        "bizLocation": {"id": "urn:epc:id:sgln:9506000.00004.0"},
        "ut:line": {"ut:station": f"S{n % 7}", "ut:operator": "op-17"},
    }
    kind = n % 4
    if kind == 0:
        return {
            "type": "ObjectEvent",
            **at,
            "epcList": [unit(n + i) for i in range(4)],
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "ilmd": {"cbvmda:lotNumber": "L2026-05", "cbvmda:itemExpirationDate": "2028-05-31"},
        }
    if kind == 1:
        return {
            "type": "AggregationEvent",
            **at,
            "parentID": f"urn:epc:id:sscc:9506000.{n:010d}",
            "childEPCs": [unit(n + i) for i in range(6)],
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
        }
    if kind == 2:
        return {
            "type": "ObjectEvent",
            **at,
            "epcList": [f"urn:epc:id:sscc:9506000.{n:010d}"],
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "bizTransactionList": [{"type": "desadv", "bizTransaction": f"urn:x:desadv:{n}"}],
            "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:9506000.00004"}],
            "destinationList": [
                {"type": "owning_party", "destination": "urn:epc:id:pgln:9506000.00001"}
            ],
        }
    return {
        "type": "ObjectEvent",
        **at,
        "epcList": [f"urn:epc:id:sscc:9506000.{n:010d}"],
        "action": "OBSERVE",
        "bizStep": "sensor_reporting",
        "sensorElementList": [
            {
                "sensorMetadata": {"time": "2026-05-04T09:00:00.000+08:00"},
                "sensorReport": [
                    {"type": "Temperature", "value": 4.5 + n % 3, "uom": "CEL"},
                    {"type": "RelativeHumidity", "value": 61.0, "uom": "P1"},
                ],
            }
        ],
    }


def document() -> dict[str, Any]:
    return {
        "@context": [CONTEXT, {"ut": "https://unitrace.example/epcis/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-05-04T10:00:00Z",
        "epcisBody": {"eventList": [event(n) for n in range(N)]},
    }


def rate(work: Callable[[], object]) -> tuple[float, float]:
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        rates.append(N / (time.perf_counter() - started))
    return max(rates), statistics.median(rates)


def main() -> None:
    source = document()
    xml = document_to_xml(source)
    validate_xml(xml)
    assert document_from_xml(xml)["epcisBody"]["eventList"] == source["epcisBody"]["eventList"]
    print(f"document: {N:,} events, {len(xml) / 1e6:.1f} MB of XML")
    best, median = rate(lambda: document_from_xml(xml))
    verdict = "meets" if median >= 10_000 else "MISSES"
    print(
        f"XML -> dict, XSD-checked : best {best:,.0f} events/s, median {median:,.0f} events/s "
        f"({verdict} the 10,000/s target)"
    )
    best, median = rate(lambda: document_from_xml(xml, validate=False))
    print(f"XML -> dict, unchecked   : best {best:,.0f} events/s, median {median:,.0f} events/s")
    best, median = rate(lambda: document_to_xml(source))
    print(f"dict -> XML              : best {best:,.0f} events/s, median {median:,.0f} events/s")


if __name__ == "__main__":
    main()
