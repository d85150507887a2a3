"""The console's figures over a year of scans, and what keeping their counts costs the scan
intake.

(a) A registry of 20 products, 200 lots, 30 distributors and ``BENCH_UNITS`` units, and a year
of ``BENCH_SCANS`` scans of them in 300 regions of 50 countries, written straight into the scan
log (untimed; its secondary indexes dropped and built again after), then counted with the 0015
recount (:func:`unitrace.store.scan_recount.recount`, timed). Then the overview
(scans per day, most-scanned products and lots, scans per custodian, open alerts) and the map
(scans and first scans by place, the latest 200 points), each for the brand, a distributor's
user and one product, over the last 30 days and over the whole year: the service call's own
time, median of ``BENCH_RUNS`` runs. Target <= 300 ms each.

(b) Scan intake throughput with the counts kept and without (their tally and writes stubbed
out; counted, the service's counting thread runs beside the intake and its processor time is
the counts' too), the two taking turns ``BENCH_ROUNDS`` times on the same database after a round that
warms the caches, ``BENCH_INTAKE`` scans each, submitted by 16 threads as the service's requests
are (one intake writer on SQLite, two on PostgreSQL, as the service has); the cost is the
median of the rounds' ratios. Target <= 10 %. On a shared machine the ratio moves a lot from
round to round, so two steadier figures are printed too: the processor time a scan costs (this
process's, and the PostgreSQL server's on PostgreSQL), counted and not, whatever else the
machine runs; and the share of the writers' time spent in the counts' tally and writes.

The default run is small (200,000 scans of 20,000 units); ``BENCH_SCANS=10000000
BENCH_UNITS=1000000`` is the full size. SQLite in a temporary folder; PostgreSQL on a scratch
database of the local server (``UNITRACE_BENCH_POSTGRES_URL``) where it answers; ``BENCH_ONLY``
(``sqlite`` or ``postgresql``) measures one. Exits 1 when a SQLite figure misses its target.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy import Engine, text

from scratch import scratch_postgresql
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.model import Actor, Role
from unitrace.services import scan_figures
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.services.scan_counting import ScanCounting
from unitrace.services.scan_figures import FigureFilter
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.verification import ScanRequest
from unitrace.store import scan_counts as counts_module
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.scan_recount import recount
from unitrace.store.unit_of_work import Database
from unitrace.store.unit_scans import summarize_logged

SCANS = int(os.environ.get("BENCH_SCANS", "200000"))
UNITS = int(os.environ.get("BENCH_UNITS", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
INTAKE = int(os.environ.get("BENCH_INTAKE", "2000"))
ONLY = os.environ.get("BENCH_ONLY")
#: a folder to keep the SQLite database in (the PostgreSQL one is kept anyway): a later run with
#: as many scans counts them again and measures, instead of filling anew
KEEP = os.environ.get("BENCH_KEEP")
#: with BENCH_KEEP, whether the kept database is counted again (1, the default) or not (0)
RECOUNT = os.environ.get("BENCH_RECOUNT", "1") == "1"
#: whether the figures are measured (1, the default) or only the intake (0)
FIGURES = os.environ.get("BENCH_FIGURES", "1") == "1"
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_console_bench",
)
PRODUCTS, LOTS_PER_PRODUCT, DISTRIBUTORS = 20, 10, 30
COUNTRIES, REGIONS_PER_COUNTRY = 50, 6
FIGURES_TARGET_MS, INTAKE_COST_TARGET = 300.0, 0.10
ADMIN = Actor("bench", Role.ADMIN)
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
YEAR_END = dt.date(2026, 11, 30)
YEAR_START = YEAR_END - dt.timedelta(days=364)
#: verdicts of scans of units, by weight; 2 % more are counterfeit codes naming no unit
VERDICTS = {"genuine": 92, "suspicious": 4, "recalled": 1, "expired": 1, "inactive": 1}


def places() -> list[tuple[str, str]]:
    """300 real regions (country, ISO 3166-2), 6 in each of 50 countries: the intake checks
    the codes it is sent."""
    found: list[tuple[str, str]] = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        regions = sorted(
            s.code
            for s in pycountry.subdivisions.get(country_code=country.alpha_2) or []
            if len(s.code) <= 6 and s.parent_code is None
        )
        if len(regions) >= REGIONS_PER_COUNTRY:
            found += [(country.alpha_2, code) for code in regions[:REGIONS_PER_COUNTRY]]
        if len(found) == COUNTRIES * REGIONS_PER_COUNTRY:
            return found
    raise RuntimeError("not enough countries with regions")


def territory(n: int, countries: list[str]) -> list[str]:
    """Distributor ``n``'s two countries."""
    return [countries[(2 * n) % len(countries)], countries[(2 * n + 1) % len(countries)]]


def where_scanned() -> dict[str | None, list[tuple[str, str]]]:
    """The regions each custodian's units are scanned in: its territory's; the brand's own
    units, in its five home countries."""
    regions = places()
    countries = sorted({country for country, _ in regions})
    home = set(countries[-5:])
    found: dict[str | None, list[tuple[str, str]]] = {None: [r for r in regions if r[0] in home]}
    for n in range(DISTRIBUTORS):
        held = set(territory(n, countries))
        found[f"dist-{n:02d}"] = [r for r in regions if r[0] in held]
    return found


def place_of(
    custodian: str | None,
    rng: random.Random,
    local: dict[str | None, list[tuple[str, str]]],
    anywhere: list[tuple[str, str]],
) -> tuple[str, str]:
    """Where a scan of a unit held by ``custodian`` is made: in its custodian's regions, one
    in twenty anywhere."""
    return rng.choice(anywhere) if rng.random() < 0.05 else rng.choice(local[custodian])


def gtin(n: int) -> str:
    body = f"0950600{n:06d}"
    return body + gs1_check_digit(body)


def registry(engine: Engine, rng: random.Random) -> tuple[Database, list[tuple[Any, ...]]]:
    """A fresh registry; its units as (product_id, gtin, lot, serial, custodian)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    database = Database(engine)
    regions = places()
    countries = sorted({country for country, _ in regions})
    with database.unit_of_work() as uow:
        for n in range(DISTRIBUTORS):
            register_party(
                uow,
                id=f"dist-{n:02d}",
                name=f"Distributor {n}",
                role="distributor",
                actor=ADMIN,
                territory=territory(n, countries),
            )
        for p in range(PRODUCTS):
            register_product(
                uow, gtin=gtin(p), name=f"Product {p}", actor=ADMIN, company_prefix_length=7
            )
            for lot in range(LOTS_PER_PRODUCT):
                register_lot(
                    uow,
                    gtin=gtin(p),
                    lot=f"L{p:02d}{lot:02d}",
                    expiry=dt.date(2031, 1, 31),
                    actor=ADMIN,
                )
        uow.commit()
    with engine.connect() as connection:
        lots = connection.execute(
            text(
                "SELECT l.id, l.product_id, p.gtin, l.lot FROM lots l JOIN products p ON p.id = l.product_id ORDER BY l.id"
            )
        ).all()
    units: list[tuple[Any, ...]] = []
    rows = []
    per_lot = UNITS // len(lots)
    for lot_id, product_id, product_gtin, lot in lots:
        holders = [None, *rng.sample([f"dist-{n:02d}" for n in range(DISTRIBUTORS)], 3)]
        for seq in range(1, per_lot + 1):
            serial = "".join(rng.choices(ALPHABET, k=12))
            custodian = holders[seq * len(holders) // (per_lot + 1)]
            units.append((product_id, product_gtin, lot, serial, custodian))
            rows.append(
                {
                    "product_id": product_id,
                    "serial": serial,
                    "lot_id": lot_id,
                    "seq": seq,
                    "request_id": 0,
                    "state": "active",
                    "custodian_id": custodian,
                }
            )
    with engine.begin() as connection:
        for start in range(0, len(rows), 50_000):
            connection.execute(
                text(
                    "INSERT INTO units (product_id, serial, lot_id, seq, request_id, state, custodian_id) "
                    "VALUES (:product_id, :serial, :lot_id, :seq, :request_id, :state, :custodian_id)"
                ),
                rows[start : start + 50_000],
            )
    return database, units


def scan_rows(units: list[tuple[Any, ...]], rng: random.Random) -> Iterator[list[tuple[Any, ...]]]:
    """The year's scans in time order, in chunks: (at, product_id, serial, gtin, lot, raw,
    verdict, known, client, latitude, longitude, region, country)."""
    regions = places()
    local = where_scanned()
    verdicts = list(VERDICTS)
    weights = list(VERDICTS.values())
    start = dt.datetime.combine(YEAR_START, dt.time(), dt.UTC)
    seconds = 365 * 86400
    chunk = 100_000
    for first in range(0, SCANS, chunk):
        count = min(chunk, SCANS - first)
        low, high = seconds * first / SCANS, seconds * (first + count) / SCANS
        times = sorted(rng.uniform(low, high) for _ in range(count))
        picked = rng.choices(units, k=count)
        judged = rng.choices(verdicts, weights, k=count)
        rows = []
        for n in range(count):
            product_id, product_gtin, lot, serial, custodian = picked[n]
            country, region = place_of(custodian, rng, local, regions)
            verdict, known = judged[n], True
            if n % 50 == 0:
                serial, verdict, known = "ZZ" + serial[2:], "counterfeit", False
            placed = n % 5 < 3
            rows.append(
                (
                    start + dt.timedelta(seconds=times[n]),
                    product_id,
                    serial,
                    product_gtin,
                    lot,
                    f"(01){product_gtin}(10){lot}(21){serial}",
                    verdict,
                    known,
                    f"phone-{n % 5000}",
                    rng.uniform(-60, 60) if placed else None,
                    rng.uniform(-180, 180) if placed else None,
                    region,
                    country,
                )
            )
        yield rows


_COLUMNS = (
    "at, product_id, serial, gtin, lot, raw, verdict, known, client, latitude, longitude, "
    "region, country, reasons"
)


def fill_scans(engine: Engine, units: list[tuple[Any, ...]], rng: random.Random) -> None:
    """The scan log, straight in: secondary indexes dropped, then built again; the units'
    scan summaries summed from it."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            found = text(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'scans' AND indexname LIKE 'ix_%'"
            )
        else:
            found = text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'scans' AND name LIKE 'ix_%'"
            )
        secondary = connection.execute(found).all()
        for name, _ in secondary:
            connection.execute(text(f"DROP INDEX {name}"))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for rows in scan_rows(units, rng):
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY scans ({_COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in rows:
                        copy.write_row((*row, "[]"))
            else:
                cursor.executemany(
                    f"INSERT INTO scans ({_COLUMNS}) VALUES ({', '.join('?' * 14)})",
                    [
                        (
                            row[0].strftime("%Y-%m-%d %H:%M:%S.%f"),
                            *row[1:7],
                            int(row[7]),
                            *row[8:],
                            "[]",
                        )
                        for row in rows
                    ],
                )
            raw.commit()
        cursor.close()
    finally:
        raw.close()
    with engine.begin() as connection:
        for _, definition in secondary:
            connection.execute(text(definition))
        # written around the scan log, so the units' summaries are summed from it
        summarize_logged(connection)


def filled_before(engine: Engine) -> list[tuple[Any, ...]]:
    """The units of a database an earlier run filled with as many scans (and its intake
    added to); none otherwise."""
    try:
        with engine.connect() as connection:
            logged = connection.execute(text("SELECT max(id) FROM scans")).scalar_one()
            # the intake of an earlier run may have added some
            if logged is None or not SCANS <= logged < SCANS * 2:
                return []
            return [
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT u.product_id, p.gtin, l.lot, u.serial, u.custodian_id FROM units u "
                        "JOIN lots l ON l.id = u.lot_id JOIN products p ON p.id = u.product_id"
                    )
                )
            ]
    except Exception:  # no tables yet
        return []


def median_ms(call: Callable[[], object]) -> float:
    call()  # warm
    times = []
    for _ in range(RUNS):
        begun = time.perf_counter()
        call()
        times.append((time.perf_counter() - begun) * 1000)
    return statistics.median(times)


def figures(database: Database) -> list[float]:
    """The overview and the map for the brand, a distributor and a product, over the last 30
    days and over the year."""
    timings = []
    with database.engine.connect() as connection:
        busiest = connection.execute(
            text(
                "SELECT custodian FROM scan_counts WHERE custodian <> '' GROUP BY custodian ORDER BY sum(scans) DESC LIMIT 1"
            )
        ).scalar_one()
    for label, chosen in (
        ("brand", FigureFilter()),
        (f"party {busiest}", FigureFilter(party=busiest)),
        ("product", FigureFilter(gtin=gtin(3))),
        ("product+lot", FigureFilter(gtin=gtin(3), lot="L0302")),
    ):
        for period, first in (("30 days", None), ("year", YEAR_START)):
            scope = FigureFilter(
                first_day=first,
                last_day=YEAR_END,
                gtin=chosen.gtin,
                lot=chosen.lot,
                party=chosen.party,
            )
            with database.unit_of_work(read_only=True) as uow:
                overview = median_ms(lambda u=uow, s=scope: scan_figures.overview(u, s))
                shown = scan_figures.map_figures(uow, scope)
                drawn = median_ms(lambda u=uow, s=scope: scan_figures.map_figures(u, s))
                points = median_ms(lambda u=uow, s=scope: scan_figures.latest_points(u, s))
                total = scan_figures.scans_per_day(uow, scope).totals.total
            timings += [overview, drawn]
            print(
                f"  {label:<18} {period:<8} overview {overview:6.1f} ms  map {drawn:6.1f} ms"
                f" (points {points:5.1f})  {total:,} scans, {len(shown.areas.regions)} areas,"
                f" {len(shown.points)} points"
            )
    return timings


def cpu_seconds(postgres: bool) -> float:
    """The processor time this process has used, and the PostgreSQL server's processes with
    it (on PostgreSQL): what the intake costs, whatever else the machine runs."""
    spent = time.process_time()
    if postgres:
        tick = os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)
            except OSError:
                continue
            if "(postgres" in fields[0] or "(postmaster" in fields[0]:
                utime, stime = fields[1].split()[11:13]
                spent += (int(utime) + int(stime)) / tick
    return spent


def intake_rate(
    database: Database, requests: list[ScanRequest], writers: int, *, counted: bool
) -> tuple[float, float, float]:
    """Scans per second; processor milliseconds per scan, with the counting of the scans
    when ``counted`` (the service's counting thread runs beside the intake, as it does in
    the service, and counts what is left when the intake is done); and the seconds that
    counting of what was left took."""
    intake = ScanIntake(database, writers=writers)
    counting = ScanCounting(database)
    postgres = database.dialect == "postgresql"
    cpu = cpu_seconds(postgres)
    if counted:
        counting.start()
    begun = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        for answer in pool.map(lambda r: intake.submit(r).result(), requests):
            assert answer.scan_id
    elapsed = time.perf_counter() - begun
    intake.close()
    left = time.perf_counter()
    counting.stop(wait=60)
    left = time.perf_counter() - left
    cpu = cpu_seconds(postgres) - cpu
    return len(requests) / elapsed, cpu * 1000 / len(requests), left


def intake_cost(database: Database, units: list[tuple[Any, ...]], rng: random.Random) -> float:
    """The scan intake's rate with counts and without, taking turns; the median cost."""
    regions = places()
    local = where_scanned()
    writers = 1 if database.dialect == "sqlite" else 2
    real_tally, real_write = counts_module.ScanCounts.tally, counts_module.ScanCounts.write
    spent = [0.0]

    def timed(real: Callable[..., None]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            begun = time.perf_counter()
            real(*args)
            spent[0] += time.perf_counter() - begun

        return call

    ratios, shares, cpu_ratios, lags = [], [], [], []
    for round in range(ROUNDS + 1):
        rates, cpu = {}, {}
        for counted in (True, False) if round % 2 == 0 else (False, True):
            requests = []
            for n in range(INTAKE):
                _, product_gtin, lot, serial, custodian = rng.choice(units)
                country, region = place_of(custodian, rng, local, regions)
                requests.append(
                    ScanRequest(
                        f"https://brand.example/01/{product_gtin}/10/{lot}/21/{serial}",
                        client=f"phone-{n % 500}",
                        country=country,
                        region=region,
                    )
                )
            if counted:
                counts_module.ScanCounts.tally = timed(real_tally)  # type: ignore[method-assign]
                counts_module.ScanCounts.write = timed(real_write)  # type: ignore[method-assign]
            else:
                counts_module.ScanCounts.tally = lambda self, scan: None  # type: ignore[method-assign]
                counts_module.ScanCounts.write = lambda self: None  # type: ignore[method-assign]
            spent[0] = 0.0
            try:
                rates[counted], cpu[counted], lag = intake_rate(
                    database, requests, writers, counted=counted
                )
                if counted:
                    lags.append(lag)
                    # the writers' time spent in the counts' tally and writes
                    busy = len(requests) / rates[counted] * writers
                    share = spent[0] / busy
            finally:
                counts_module.ScanCounts.tally = real_tally  # type: ignore[method-assign]
                counts_module.ScanCounts.write = real_write  # type: ignore[method-assign]
        if not round:
            continue
        ratios.append(rates[False] / rates[True] - 1)
        cpu_ratios.append(cpu[True] / cpu[False] - 1)
        shares.append(share)
        print(
            f"  round {round}: {rates[True]:5.0f} scans/s counted, {rates[False]:5.0f} not"
            f" (cost {ratios[-1]:+.1%}); {cpu[True]:.2f} vs {cpu[False]:.2f} CPU ms a scan"
            f" ({cpu_ratios[-1]:+.1%}); {share:.1%} of the writers' time in the counts"
        )
    print(
        f"  writers' time in the counts' tally and writes: median {statistics.median(shares):.1%}"
    )
    print(f"  processor time a scan: counts cost {statistics.median(cpu_ratios):+.1%}, median")
    print(
        f"  the counting of what was queued when the intake ended: median"
        f" {statistics.median(lags) * 1000:.0f} ms, at most {max(lags) * 1000:.0f} ms"
    )
    return statistics.median(ratios)


def measure(name: str, engine: Engine) -> bool:
    rng = random.Random(14)
    print(f"{name}: {SCANS:,} scans of {UNITS:,} units")
    if KEEP and (units := filled_before(engine)):
        upgrade(engine)
        database = Database(engine)
        print("  the database of an earlier run, as it was filled")
        if RECOUNT:
            begun = time.perf_counter()
            with engine.begin() as connection:
                recount(connection)
            print(f"  counted (0015's back-fill) in {time.perf_counter() - begun:.0f} s")
    else:
        begun = time.perf_counter()
        database, units = registry(engine, rng)
        fill_scans(engine, units, rng)
        filled = time.perf_counter() - begun
        begun = time.perf_counter()
        with engine.begin() as connection:
            recount(connection)
        counted = time.perf_counter() - begun
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        print(f"  filled in {filled:.0f} s; counted (0015's back-fill) in {counted:.0f} s")
    with engine.connect() as connection:
        sizes = {
            table.name: connection.execute(text(f"SELECT count(*) FROM {table.name}")).scalar_one()
            for table in counts_module.TABLES
        }
    print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in sizes.items()))
    worst = 0.0
    if FIGURES:
        worst = max(figures(database))
        print(f"  figures: slowest median {worst:.1f} ms (target <= {FIGURES_TARGET_MS:.0f} ms)")
    cost = intake_cost(database, units, rng)
    print(
        f"  intake: counts cost {cost:+.1%} of throughput, median of {ROUNDS} rounds (target <= {INTAKE_COST_TARGET:.0%})"
    )
    engine.dispose()
    return worst <= FIGURES_TARGET_MS


def main() -> int:
    ok = True
    if ONLY in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(KEEP or scratch)
            engine = open_database(f"sqlite:///{folder / 'console-bench.db'}")
            ok = measure("sqlite", engine)
    if ONLY in (None, "postgresql") and scratch_postgresql(POSTGRES_URL):
        measure("postgresql", open_database(POSTGRES_URL))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
