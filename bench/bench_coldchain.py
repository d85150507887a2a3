"""The cold chain at scale: one unit's exposure over a trip of 100,000 readings, and a lot of
100,000 units on 20 pallets judged.

The repository is bench_trace's traced lot (``BENCH_LOT_UNITS`` units, each commissioned and
stored by an event of its own, packed 50 to a case and 100 cases to a pallet, the pallets
shipped to 5 parties), written straight into the tables, untimed. Each pallet carries a logger
from the pallet's building (its packing event) until ``BENCH_PALLET_DAYS`` days after the lot's
first event, reading once a minute at 5 °C; the
first pallet's read 12 °C for 40 minutes a day after the last pallet was shipped (a breach of 2-8 °C with an allowed
excursion to 10 °C). One unit's case carries a logger of its own for its first days, reading
every 10 seconds: ``BENCH_TRIP_READINGS`` readings.

Timed, each the service call the route makes:
- the exposure and MKT of that unit (``cold_chain_of``, what ``GET /api/cold-chain`` answers),
  median and slowest of ``BENCH_RUNS``: target <= 100 ms;
- judging the lot (``judge_lot`` and its commit: every unit's verdict, the breach recorded,
  alerted, and its pallet's units held): the first judgement (which writes) and the median of
  later ones (which find it all recorded): target <= 2 s;
- the lot's answer (``cold_chain_of`` of the lot), median.

The default run is the issue's size (a lot of 100,000 units, 20 pallets). SQLite in a temporary
folder; PostgreSQL on a scratch database of the local server (``UNITRACE_BENCH_POSTGRES_URL``)
where it answers; ``BENCH_ONLY`` (``sqlite`` or ``postgresql``) measures one. Exits 1 when a
figure misses.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_LOT_UNITS", "100000")
os.environ.setdefault("BENCH_UNITS", str(int(os.environ["BENCH_LOT_UNITS"]) + 3 * 2000))
os.environ.setdefault(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_coldchain_bench",
)

from sqlalchemy import Engine, text

import bench_trace
from bench_trace import AT, Filler
from scratch import scratch_postgresql
from unitrace.coldchain.instants import epoch_ms
from unitrace.registry.model import Actor, Role
from unitrace.services.cold_chain.breaches import judge_lot
from unitrace.services.cold_chain.exposure import cold_chain_of
from unitrace.services.cold_chain.view import Exposure, LotExposure
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database

ADMIN = Actor("bench", Role.ADMIN)
ONLY = os.environ.get("BENCH_ONLY")
POSTGRES_URL = os.environ["UNITRACE_BENCH_POSTGRES_URL"]
PALLET_DAYS = int(os.environ.get("BENCH_PALLET_DAYS", "10"))
TRIP_READINGS = int(os.environ.get("BENCH_TRIP_READINGS", "100000"))
EXPOSURE_TARGET_MS, JUDGE_TARGET_S = 100.0, 2.0
MINUTE_MS = 60_000


def add_loggers(engine: Engine) -> str:
    """The pallets' loggers and the case logger of one unit, with their readings; the unit's
    code."""
    filler = Filler(engine)
    start = epoch_ms(AT)
    with engine.begin() as connection:
        pallets = [
            str(epc)
            for epc in connection.execute(
                text("SELECT epc FROM containers WHERE kind = 'sscc' ORDER BY id")
            ).scalars()
        ]
        case, serial = connection.execute(
            text(
                "SELECT containers.epc, units.serial FROM units JOIN containers "
                "ON containers.id = units.container_id WHERE units.lot_id = 1 "
                "ORDER BY units.serial LIMIT 1"
            )
        ).one()
        packed_by = _last_event_ms(connection)
        built = {
            str(epc): epoch_ms(_time(at))
            for epc, at in connection.execute(
                text(
                    "SELECT event_epcs.epc, epcis_events.event_time FROM event_epcs "
                    "JOIN epcis_events ON epcis_events.id = event_epcs.event_pk "
                    "WHERE event_epcs.role = 'parent' AND event_epcs.epc LIKE 'urn:epc:id:sscc:%'"
                )
            )
        }
        connection.execute(
            text(
                "INSERT INTO storage_conditions (product_id, min_c, max_c, excursion_min_c, "
                "excursion_max_c, excursion_max_minutes, mkt_max_c, mkt_window, delta_h_over_r, "
                "updated_at) VALUES (1, 2, 8, 0, 10, 60, 8, '24h', 10000, :at)"
            ),
            {"at": bench_trace._sqlite(AT) if engine.dialect.name == "sqlite" else AT},
        )
    devices = [(n + 1, f"PAL-{n + 1}", AT) for n in range(len(pallets))]
    devices.append((len(pallets) + 1, "CASE-1", AT))
    filler.write("sensor_devices", ("id", "device", "created_at"), devices)
    until = start + PALLET_DAYS * 24 * 60 * MINUTE_MS
    # each logger goes on its pallet as the pallet is built (its packing event)
    attachments = [
        (n + 1, n + 1, "container", epc, built[epc], until, AT) for n, epc in enumerate(pallets)
    ]
    # the case logger starts once every unit is packed and shipped: all its readings are the
    # unit's
    trip_start = packed_by + MINUTE_MS
    trip_until = trip_start + TRIP_READINGS * 10_000
    attachments.append(
        (len(pallets) + 1, len(pallets) + 1, "container", case, trip_start, trip_until, AT)
    )
    filler.write(
        "sensor_attachments",
        ("id", "device_id", "target_kind", "target", "from_ms", "until_ms", "created_at"),
        attachments,
    )
    # a day after every pallet was built and shipped
    spike = (packed_by + 24 * 60 * MINUTE_MS, packed_by + 24 * 60 * MINUTE_MS + 40 * MINUTE_MS)

    def pallet_readings() -> object:
        for device, _, _ in devices[:-1]:
            for at in range(start, until, MINUTE_MS):
                warm = device == 1 and spike[0] <= at < spike[1]
                yield (device, at, 12.0 if warm else 5.0)

    filler.write("sensor_readings", ("device_id", "at_ms", "celsius"), pallet_readings())  # type: ignore[arg-type]
    rng = random.Random(7)
    filler.write(
        "sensor_readings",
        ("device_id", "at_ms", "celsius"),
        (
            (len(pallets) + 1, trip_start + n * 10_000, round(rng.uniform(3.0, 7.0), 2))
            for n in range(TRIP_READINGS)
        ),
    )
    if engine.dialect.name == "postgresql":
        # vacuumed and analysed, as a live database's tables are: else autovacuum, woken by
        # the fill, runs beside the first measurements
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return f"(01){bench_trace.gtin(0)}(21){serial}"


def _time(found: object) -> dt.datetime:
    if isinstance(found, str):  # SQLite's text
        return dt.datetime.fromisoformat(found).replace(tzinfo=dt.UTC)
    assert isinstance(found, dt.datetime)
    return found


def _last_event_ms(connection: object) -> int:
    """When the repository's last event happened."""
    found = connection.execute(text("SELECT max(event_time) FROM epcis_events")).scalar_one()  # type: ignore[attr-defined]
    return epoch_ms(_time(found))


def measure(database: Database, unit: str, lot: str) -> list[bool]:
    def exposure() -> Exposure:
        with database.unit_of_work(read_only=True) as uow:
            found = cold_chain_of(uow, code=unit, actor=ADMIN)
        assert isinstance(found, Exposure)
        return found

    found = exposure()
    readings = sum(period.readings for period in found.judgement.periods)
    print(
        f"  unit {unit}: {len(found.judgement.periods)} periods, {readings:,} readings, "
        f"verdict {found.judgement.verdict}, MKT {found.judgement.mkt_c:.2f} °C"
    )
    assert readings >= TRIP_READINGS, readings
    median, slowest = bench_trace._seconds(exposure)
    print(
        f"  unit exposure     median {median * 1000:6.1f} ms  slowest {slowest * 1000:6.1f} ms  "
        f"(target <= {EXPOSURE_TARGET_MS} ms)"
    )

    def judged() -> tuple[int, int, int]:
        with database.unit_of_work() as uow:
            outcome = judge_lot(uow, product_id=1, lot_id=1, actor=ADMIN)
            uow.commit()
        return outcome.units, outcome.held, outcome.breaches

    begun = time.perf_counter()
    units, held, breaches = judged()
    first_s = time.perf_counter() - begun
    print(f"  lot judged: {units:,} units, {breaches} breach, {held:,} units held")
    # the breached pallet's units, 5,000 at the size
    assert (units, breaches) == (bench_trace.LOT_UNITS, 1)
    assert held > 0
    again, again_slowest = bench_trace._seconds(judged)
    print(
        f"  judge the lot     first {first_s:6.3f} s  again median {again:6.3f} s  "
        f"slowest {again_slowest:6.3f} s  (target <= {JUDGE_TARGET_S} s)"
    )

    def lot_answer() -> LotExposure:
        with database.unit_of_work(read_only=True) as uow:
            found = cold_chain_of(uow, code=lot, actor=ADMIN)
        assert isinstance(found, LotExposure)
        return found

    answer = lot_answer()
    print(f"  lot's answer: verdicts {dict(answer.verdicts)}, {len(answer.groups)} groups shown")
    lot_s, _ = bench_trace._seconds(lot_answer)
    print(f"  lot's answer      median {lot_s:6.3f} s")
    return [median * 1000 <= EXPOSURE_TARGET_MS, first_s <= JUDGE_TARGET_S]


def run(engine: Engine, label: str) -> list[bool]:
    print(f"{label}: a lot of {bench_trace.LOT_UNITS:,} units")
    begun = time.perf_counter()
    lot, _ = bench_trace.fill(engine, random.Random(13))
    unit = add_loggers(engine)
    print(f"  filled in {time.perf_counter() - begun:.0f} s")
    return measure(Database(engine), unit, lot)


def main() -> int:
    met: list[bool] = []
    if ONLY in (None, "sqlite"):
        folder = Path(tempfile.mkdtemp(prefix="unitrace-coldchain-"))
        met += run(open_database(f"sqlite:///{folder / 'coldchain.db'}"), "sqlite")
    if ONLY in (None, "postgresql") and scratch_postgresql(POSTGRES_URL):
        met += run(open_database(POSTGRES_URL), "postgresql")
    print(f"  at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.2f}")
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
