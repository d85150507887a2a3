"""A verification's cost against the fame of the unit scanned: a unit with 100,000 scans
logged (a promotional pack, say) against units never scanned before, and against a unit with
just enough scans to fill the detectors' window (:attr:`DetectionRules.history`, 50), in the
same run.

Set-up (untimed): a product, a lot of units issued and commissioned through the services; the
famous unit's 100,000 scans and the other's 50 written straight into the log by set-wise
inserts (a minute apart, one phone, one place, so that no detector fires), and the units' scan
summaries summed from the log, as after a bulk load. Then, taking turns scan by scan, ``SCANS``
verifications of the famous unit, ``SCANS`` of the unit with a full window and ``SCANS`` of
units never scanned (a new one each time, so each is its first), each one :func:`~unitrace.services.verification.verify` in its own unit of work with
its commit, as the scan route runs it (in-process: the route's own costs are the same for
units). p50 per scan of each, and the famous unit's ratios to the others: to the unit with a
full window about 1 (fame costs nothing more); to units never scanned, what reading and judging
the window of 50 scans costs, whatever the fame.

``ROUNDS`` rounds of each of two ways of reading the famous unit's count and first scan, taken
in turn: from its summary (``kept``, what verification does), and from the log (``log``: its
scans counted and its first looked for on every verification, as before the summaries), for
reference. The median ratios of each are printed.

SQLite in a temporary folder; PostgreSQL on a scratch database of the local server
(``UNITRACE_BENCH_POSTGRES_URL`` to choose another), where it answers; ``BENCH_ONLY``
(``sqlite`` or ``postgresql``) measures one.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from scratch import migrated, scratch_postgresql
from timing import time_each
from unitrace.gs1 import Gtin
from unitrace.registry.detection import DetectionRules
from unitrace.registry.model import Actor, Role
from unitrace.services import catalog
from unitrace.services.serialization import issue_serials, request_codes
from unitrace.services.verification import ScanRequest, Verdict, VerificationResult, verify
from unitrace.store.database import open_database
from unitrace.store.scans import ScanLog, ScanRecord
from unitrace.store.unit_of_work import Database
from unitrace.store.unit_scans import summarize_logged

FAME = 100_000
SCANS = int(os.environ.get("BENCH_SCANS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
ONLY = os.environ.get("BENCH_ONLY")
GTIN = "09506000134352"
LOT = "B1"
ADMIN = Actor("bench", Role.ADMIN)
#: the grey-market rule off: the brand's own units are scanned here
RULES = DetectionRules(before_shipping=False)
KUALA_LUMPUR = (3.139, 101.6869)
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_famous_bench",
)

#: a unit's ``:scans`` scans, one a minute from 2025, set-wise: (dialect) -> statement
_LOGGED_SCANS = {
    "sqlite": (
        "INSERT INTO scans (at, product_id, serial, gtin, lot, raw, verdict, reasons, known,"
        " client, latitude, longitude, region, country)"
        " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :scans)"
        " SELECT datetime('2025-01-01', '+' || i || ' minutes') || '.000000', :product_id,"
        " :serial, :gtin, :lot, :raw, 'genuine', '[]', 1, 'promo-phone', :lat, :lon,"
        " 'MY-14', 'MY' FROM n"
    ),
    "postgresql": (
        "INSERT INTO scans (at, product_id, serial, gtin, lot, raw, verdict, reasons, known,"
        " client, latitude, longitude, region, country)"
        " SELECT timestamptz '2025-01-01 00:00+00' + i * interval '1 minute', :product_id,"
        " :serial, :gtin, :lot, :raw, 'genuine', '[]', true, 'promo-phone', :lat, :lon,"
        " 'MY-14', 'MY' FROM generate_series(1, :scans) AS i"
    ),
}


@dataclass(frozen=True, slots=True)
class Units:
    """The units scanned: the famous one, the one with a full window, those never scanned."""

    famous: str
    window: str
    fresh: list[str]


def code(serial: str) -> str:
    return f"https://id.gs1.org/01/{GTIN}/10/{LOT}/21/{serial}"


def prepared(engine: Engine) -> tuple[Database, Units]:
    """The database with the famous unit's scans and the full window's logged."""
    database = Database(migrated(engine))
    with database.unit_of_work() as uow:
        catalog.register_product(uow, gtin=GTIN, name="Bench", company_prefix_length=7, actor=ADMIN)
        expiry = dt.date.today().replace(year=dt.date.today().year + 3)
        catalog.register_lot(uow, gtin=GTIN, lot=LOT, expiry=expiry, actor=ADMIN)
        count = SCANS * ROUNDS * 2 + 2
        request = issue_serials(uow, gtin=GTIN, lot=LOT, count=count, commission=True, actor=ADMIN)
        product_id = uow.products.id_of(Gtin(GTIN))
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        famous, window, *fresh = [issued.serial for issued in request_codes(uow, request.id)]
    with database.engine.begin() as connection:
        for serial, scans in ((famous, FAME), (window, RULES.history)):
            connection.execute(
                text(_LOGGED_SCANS[engine.dialect.name]),
                {
                    "scans": scans,
                    "product_id": product_id,
                    "serial": serial,
                    "gtin": GTIN,
                    "lot": LOT,
                    "raw": code(serial),
                    "lat": KUALA_LUMPUR[0],
                    "lon": KUALA_LUMPUR[1],
                },
            )
        summarize_logged(connection)
        connection.execute(text("ANALYZE"))
    return database, Units(famous, window, fresh)


def scanned(database: Database, serial: str) -> VerificationResult:
    with database.unit_of_work() as uow:
        request = ScanRequest(code(serial), *KUALA_LUMPUR, client="promo-phone")
        result = verify(uow, request, rules=RULES)
        uow.commit()
    return result


def from_the_log(self: ScanLog, product_id: int, serial: str) -> tuple[ScanRecord | None, int]:
    """The count and first scan read from the log on every verification, as before."""
    return self.first_of_unit(product_id, serial, excluding=Verdict.COUNTERFEIT.value)


def measure(name: str, engine: Engine) -> None:
    started = time.perf_counter()
    database, units = prepared(engine)
    print(
        f"{name}: units with {FAME:,} scans, {RULES.history} scans and none "
        f"({len(units.fresh):,}), in {time.perf_counter() - started:.1f} s (set-up)"
    )
    kept = ScanLog.summary_of_unit
    ratios: dict[tuple[str, str], list[float]] = {}
    for round_number in range(1, ROUNDS + 1):
        for way, reader in (("kept", kept), ("log", from_the_log)):
            ScanLog.summary_of_unit = reader  # type: ignore[method-assign]
            try:
                p50 = taking_turns(database, units, [units.fresh.pop() for _ in range(SCANS)])
            finally:
                ScanLog.summary_of_unit = kept  # type: ignore[method-assign]
            for other in ("window", "fresh"):
                ratios.setdefault((way, other), []).append(p50["famous"] / p50[other])
            print(
                f"{name} round {round_number} ({way:4}): p50 per scan: famous unit "
                f"{p50['famous']:.2f} ms, {RULES.history}-scan unit {p50['window']:.2f} ms, "
                f"unit never scanned {p50['fresh']:.2f} ms"
            )
    for way in ("kept", "log"):
        print(
            f"{name} ({way:4}): median ratio famous / {RULES.history}-scan unit "
            f"{statistics.median(ratios[(way, 'window')]):.2f}, famous / never scanned "
            f"{statistics.median(ratios[(way, 'fresh')]):.2f}"
        )
    database.engine.dispose()


def taking_turns(database: Database, units: Units, fresh: list[str]) -> dict[str, float]:
    """p50 in ms of verifications of the famous unit, of the unit with a full window and of
    the ``fresh`` ones, taken in turn."""
    kinds = {units.famous: "famous", units.window: "window"}
    order = [serial for new in fresh for serial in (units.famous, units.window, new)]
    times: dict[str, list[float]] = {"famous": [], "window": [], "fresh": []}

    def timed(serial: str) -> tuple[str, VerificationResult]:
        begun = time.perf_counter()
        result = scanned(database, serial)
        times[kinds.get(serial, "fresh")].append((time.perf_counter() - begun) * 1000)
        return kinds.get(serial, "fresh"), result

    time_each(order, timed, _checked)
    return {kind: statistics.median(found) for kind, found in times.items()}


def _checked(answer: tuple[str, VerificationResult]) -> None:
    kind, result = answer
    assert result.verdict is Verdict.GENUINE, result
    least = {"famous": FAME + 1, "window": RULES.history + 1, "fresh": 1}[kind]
    assert result.scan_count >= least, (kind, result.scan_count)
    assert result.first_scan == (kind == "fresh"), (kind, result)


def main() -> None:
    if ONLY in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            measure("SQLite", open_database(f"sqlite:///{Path(folder) / 'bench.db'}"))
    if ONLY in (None, "postgresql") and scratch_postgresql(POSTGRES_URL):
        measure("PostgreSQL", open_database(POSTGRES_URL))


if __name__ == "__main__":
    main()
