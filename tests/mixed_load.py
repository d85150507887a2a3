"""A mixed load on the running service, as a brand's busiest hour looks: a partner's large
EPCIS document captured while the line issues serials by the hundred thousand, an admin
writes, partners post events and consumers scan, with /health polled throughout.

Every client records each answer; :class:`LoadReport` says what was asked and answered, and
how /health fared while the large document was being captured."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.running_service import Answer, RunningService

T0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
#: What each kind of request may answer besides 503 (busy: try again), which any may.
EXPECTED: Mapping[str, frozenset[int]] = {
    "capture": frozenset({202}),
    "capture job": frozenset({200}),
    "serial request": frozenset({201}),
    "token": frozenset({201}),
    "event": frozenset({201}),
    "invalid event": frozenset({400}),
    # a client scanning unknown codes again and again is held as a guesser
    "scan": frozenset({200, 429}),
    "health": frozenset({200}),
}


def partner_document(events: int) -> bytes:
    """An EPCIS 2.0 document of ``events`` observations of a partner's own identifiers."""
    body = [
        {
            "type": "ObjectEvent",
            "eventID": uuid.UUID(int=n + 1).urn,
            "eventTime": (T0 + dt.timedelta(seconds=n)).isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE",
            "bizStep": "receiving",
            "disposition": "in_progress",
            "epcList": [f"urn:epc:id:sgtin:0614141.107346.{n}"],
            "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
        }
        for n in range(events)
    ]
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": T0.isoformat(),
            "epcisBody": {"eventList": body},
        }
    ).encode()


def partner_event() -> dict[str, Any]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "ObjectEvent",
        "eventID": uuid.uuid4().urn,
        "eventTime": T0.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "epcList": [f"urn:epc:id:sgtin:0614141.107346.x{uuid.uuid4().hex[:8]}"],
    }


@dataclass(frozen=True)
class Sent:
    kind: str
    answer: Answer
    at: float  # monotonic time the answer came


@dataclass
class LoadReport:
    sent: list[Sent] = field(default_factory=list)
    capture_began: float = 0.0
    capture_ended: float = 0.0
    capture_job: dict[str, Any] = field(default_factory=dict)

    @property
    def unanswered(self) -> list[Sent]:
        return [item for item in self.sent if item.answer.status == 0]

    @property
    def unexpected(self) -> list[Sent]:
        """Answers neither expected of their kind nor a 503 with Retry-After."""
        return [
            item
            for item in self.sent
            if item.answer.status not in EXPECTED[item.kind]
            and not (item.answer.status == 503 and "retry-after" in item.answer.headers)
        ]

    def statuses(self) -> dict[str, dict[int, int]]:
        counts: dict[str, Counter[int]] = {}
        for item in self.sent:
            counts.setdefault(item.kind, Counter())[item.answer.status] += 1
        return {kind: dict(sorted(found.items())) for kind, found in sorted(counts.items())}

    def health_during_capture(self) -> list[float]:
        return sorted(
            item.answer.seconds
            for item in self.sent
            if item.kind == "health" and self.capture_began <= item.at <= self.capture_ended
        )

    def summary(self) -> str:
        seconds = self.health_during_capture()
        p50, p99 = percentile(seconds, 50), percentile(seconds, 99)
        return (
            f"{len(self.sent):,} requests, {len(self.sent) - len(self.unanswered):,} answered; "
            f"statuses by kind {self.statuses()}; capture of "
            f"{self.capture_job.get('events', 0):,} events took "
            f"{self.capture_ended - self.capture_began:.1f} s "
            f"({self.capture_job.get('captured', 0):,} captured); /health during it: "
            f"{len(seconds)} polls, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"max {max(seconds, default=0) * 1000:.1f} ms"
        )


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[min(98, round(p) - 1)]


def run_mixed_load(
    service: RunningService,
    *,
    admin: str,
    line: str,
    distributor: str,
    scan_codes: list[str],
    gtin: str,
    lot: str,
    capture_events: int,
    serials_per_request: int,
    deadline: float = 180.0,
) -> LoadReport:
    """Load ``service`` until the large capture is done (or ``deadline`` seconds pass)."""
    report = LoadReport()
    lock = threading.Lock()
    done = threading.Event()

    def record(kind: str, answer: Answer) -> Answer:
        with lock:
            report.sent.append(Sent(kind, answer, time.monotonic()))
        return answer

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def capture() -> None:
        document = partner_document(capture_events)
        report.capture_began = time.monotonic()
        answer = record(
            "capture",
            service.request(
                "POST",
                "/epcis/capture",
                body=document,
                headers={**bearer(line), "Content-Type": "application/ld+json"},
                timeout=120,
            ),
        )
        location = answer.headers.get("location")
        while location and time.monotonic() - report.capture_began < deadline:
            job = record(
                "capture job", service.request("GET", location, headers=bearer(line), timeout=30)
            )
            if job.status == 200 and not job.json()["running"]:
                report.capture_job = job.json()
                break
            time.sleep(0.25)
        report.capture_ended = time.monotonic()
        done.set()

    def looping(kind: str, send: Callable[[int], Answer], pause: float = 0.0) -> Callable[[], None]:
        def client() -> None:
            number = 0
            while not done.is_set():
                record(kind, send(number))
                number += 1
                if pause:
                    time.sleep(pause)

        return client

    clients = [
        capture,
        looping(
            "serial request",
            lambda _: service.request(
                "POST",
                "/api/serial-requests",
                body={"gtin": gtin, "lot": lot, "count": serials_per_request, "commission": True},
                headers=bearer(line),
                timeout=60,
            ),
        ),
        looping(
            "token",
            lambda _: service.request(
                "POST", "/api/tokens", body={"role": "verifier"}, headers=bearer(admin)
            ),
            pause=0.05,
        ),
        looping(
            "event",
            lambda _: service.request(
                "POST", "/epcis/events", body=partner_event(), headers=bearer(distributor)
            ),
            pause=0.05,
        ),
        looping(
            "invalid event",
            lambda _: service.request(
                "POST",
                "/epcis/events",
                body={"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "yesterday"},
                headers=bearer(distributor),
            ),
            pause=0.05,
        ),
        *(
            looping(
                "scan",
                lambda n, offset=offset: service.request(
                    "POST",
                    "/api/scans",
                    body={"code": scan_codes[(n * 3 + offset) % len(scan_codes)], "country": "MY"},
                ),
            )
            for offset in range(3)
        ),
        looping("health", lambda _: service.request("GET", "/health", timeout=30), pause=0.02),
    ]
    threads = [threading.Thread(target=client, daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    done.wait(deadline)
    done.set()
    for thread in threads:
        thread.join(90)
    return report
