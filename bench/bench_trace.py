"""Trace at scale: forward from a lot to every unit, and back from a unit through two levels of
transformation.

A repository of ``BENCH_UNITS`` units in lots of ``BENCH_LOT_UNITS``, each unit commissioned
and stored by an event of its own (two events per unit, at least 2,000,000 at the full size),
written straight into the tables (untimed; the event index's secondary indexes dropped and
built again after). The traced lot's units are packed 50 to a case, 100 cases to a pallet, and
its pallets shipped to 5 parties (one shipping event each, naming the pallets, cases and units
as unitrace's own shipments do); the other lots' units are loose, with the brand. Two levels
of genealogy: ``CHAINS`` finished units, each assembled from an intermediate unit and a raw
lot's class, each intermediate made from a base unit and another raw lot's class, with an
inspection of each raw lot.

Timed, each the service call the route makes, median and slowest of ``BENCH_RUNS`` runs:
- forward from the lot, the summary (units by state, custodian and region, containers,
  shipments, genealogy): target <= 1 s;
- forward from the lot, the full CSV (every row written): target <= 5 s;
- back from each finished unit (``CHAINS`` of them), one after another: target p99 <= 50 ms.

The default run is small (200,000 units, a lot of 20,000); ``BENCH_UNITS=1000000
BENCH_LOT_UNITS=100000`` is the issue's size. SQLite in a temporary folder (``BENCH_KEEP`` a
folder to keep it in, reused by a later run of the same size); PostgreSQL on a scratch
database of the local server (``UNITRACE_BENCH_POSTGRES_URL``) where it answers;
``BENCH_ONLY`` (``sqlite`` or ``postgresql``) measures one. Exits 1 when a figure misses.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from scratch import scratch_postgresql
from timing import time_each
from unitrace.api.trace_answers import csv_lines
from unitrace.epcis import EpcNaming
from unitrace.gs1 import Gtin, Sscc
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.model import Actor, Role
from unitrace.services import trace
from unitrace.services.catalog import register_lot, register_party, register_product
from unitrace.store.database import open_database
from unitrace.store.migrations import upgrade
from unitrace.store.unit_of_work import Database

UNITS = int(os.environ.get("BENCH_UNITS", "200000"))
LOT_UNITS = int(os.environ.get("BENCH_LOT_UNITS", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CHAINS = int(os.environ.get("BENCH_CHAINS", "200"))
ONLY = os.environ.get("BENCH_ONLY")
KEEP = os.environ.get("BENCH_KEEP")
POSTGRES_URL = os.environ.get(
    "UNITRACE_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/unitrace_trace_bench",
)
PER_CASE, CASES_PER_PALLET, PARTIES = 50, 100, 5
SUMMARY_TARGET_S, CSV_TARGET_S, BACK_TARGET_MS = 1.0, 5.0, 50.0
ADMIN = Actor("bench", Role.ADMIN)
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
RAW = ("urn:epc:class:lgtin:4012345.012345.RAW-A", "urn:epc:class:lgtin:4012345.012345.RAW-B")


def gtin(n: int) -> str:
    body = f"0950600{n:06d}"
    return body + gs1_check_digit(body)


CASE_GTIN = gtin(999)


class Filler:
    """Rows written straight into the tables: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgresql = engine.dialect.name == "postgresql"
        self.next_event = 1

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            chunk: list[tuple[Any, ...]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == 100_000:
                    self._write(cursor, table, columns, chunk)
                    chunk = []
            self._write(cursor, table, columns, chunk)
            raw.commit()
            cursor.close()
        finally:
            raw.close()

    def _write(self, cursor: Any, table: str, columns: Sequence[str], rows: list[Any]) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        if self.postgresql:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",
            [tuple(_sqlite(value) for value in row) for row in rows],
        )

    def events(
        self, described: Iterable[tuple[str, str | None, str, str | None, dict[str, Any]]]
    ) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """Event rows of (type, action, biz step, party, document), each with its key."""
        for kind, action, step, party, document in described:
            pk = self.next_event
            self.next_event += 1
            at = AT + dt.timedelta(seconds=pk)
            yield (
                pk,
                (
                    pk,
                    f"urn:uuid:00000000-0000-4000-8000-{pk:012d}",
                    kind,
                    action,
                    at,
                    "+00:00",
                    at,
                    step,
                    party,
                    json.dumps({"type": kind, **document}),
                ),
            )


EVENT_COLUMNS = (
    "id",
    "event_id",
    "type",
    "action",
    "event_time",
    "event_time_zone_offset",
    "record_time",
    "biz_step",
    "party_id",
    "document",
)


def _sqlite(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def fill(engine: Engine, rng: random.Random) -> tuple[str, list[str]]:
    """The repository; the traced lot's code and the codes of the finished units."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    database = Database(engine)
    lots_count = max(4, UNITS // LOT_UNITS)
    with database.unit_of_work() as uow:
        for n in range(PARTIES):
            register_party(
                uow,
                id=f"dist-{n}",
                name=f"Distributor {n}",
                role="distributor",
                actor=ADMIN,
                territory=[f"MY-{n + 1:02d}"],
                gln=gtin(500 + n)[1:],
            )
        for p in range(lots_count):
            register_product(
                uow, gtin=gtin(p), name=f"Product {p}", actor=ADMIN, company_prefix_length=7
            )
            register_lot(uow, gtin=gtin(p), lot="L1", expiry=dt.date(2031, 1, 31), actor=ADMIN)
        uow.commit()
    filler = Filler(engine)
    dropped = _drop_indexes(engine)
    naming = EpcNaming.of([(Gtin(gtin(p)), 7) for p in range(lots_count)] + [(Gtin(CASE_GTIN), 7)])
    serials: dict[int, list[str]] = {}
    for p in range(lots_count):
        size = LOT_UNITS if p == 0 else (UNITS - LOT_UNITS) // (lots_count - 1)
        serials[p] = sorted({"".join(rng.choices(ALPHABET, k=12)) for _ in range(size)})
    _fill_traced_lot(filler, naming, serials[0])
    for p in range(1, lots_count):
        _fill_loose_lot(filler, naming, p, serials[p])
    finished = _fill_genealogy(filler, naming, serials)
    _restore_indexes(engine, dropped)
    with engine.begin() as connection:
        # each lot's units issued, as serial issuance counts them (a recall blocks a whole
        # lot by its seq range up to them)
        connection.execute(
            text(
                "UPDATE lots SET issued = (SELECT coalesce(max(seq), 0) FROM units "
                "WHERE units.lot_id = lots.id)"
            )
        )
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('epcis_events', 'id'), (SELECT max(id) FROM epcis_events))"
                )
            )
        else:
            connection.execute(text("ANALYZE"))
    return f"(01){gtin(0)}(10)L1", finished


def _drop_indexes(engine: Engine) -> list[tuple[str, str]]:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            found = text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                "('epcis_events', 'event_epcs') AND indexname LIKE 'ix_%'"
            )
        else:
            found = text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                "('epcis_events', 'event_epcs') AND name LIKE 'ix_%'"
            )
        secondary = [(str(name), str(sql)) for name, sql in connection.execute(found)]
        for name, _ in secondary:
            connection.execute(text(f"DROP INDEX {name}"))
    return secondary


def _restore_indexes(engine: Engine, dropped: list[tuple[str, str]]) -> None:
    with engine.begin() as connection:
        for _, definition in dropped:
            connection.execute(text(definition))


def _unit_rows(product_id: int, serials: list[str], **fields: Any) -> Iterator[tuple[Any, ...]]:
    containers = fields.get("containers")
    custodians = fields.get("custodians")
    for seq, serial in enumerate(serials, start=1):
        container = containers[seq - 1] if containers else None
        custodian = custodians[seq - 1] if custodians else None
        yield (
            product_id,
            serial,
            product_id,
            seq,
            0,
            "active",
            container,
            custodian,
            fields.get("gln"),
        )


UNIT_COLUMNS = (
    "product_id",
    "serial",
    "lot_id",
    "seq",
    "request_id",
    "state",
    "container_id",
    "custodian_id",
    "location_gln",
)


def _per_unit_events(
    filler: Filler, epcs: list[str], epc_rows: list[tuple[int, str, str]]
) -> Iterator[tuple[Any, ...]]:
    """A commissioning and a storing event for each unit."""
    steps = [
        ("ObjectEvent", "ADD", "commissioning", None, {}),
        ("ObjectEvent", "OBSERVE", "storing", None, {}),
    ]
    for epc in epcs:
        for pk, row in filler.events(steps):
            epc_rows.append((pk, "epc", epc))
            yield row


def _fill_traced_lot(filler: Filler, naming: EpcNaming, serials: list[str]) -> None:
    prefix = naming.sgtin(Gtin(gtin(0)), "X")[:-1]
    epcs = [prefix + serial for serial in serials]
    cases = len(serials) // PER_CASE
    pallets = max(1, cases // CASES_PER_PALLET)
    case_prefix = naming.sgtin(Gtin(CASE_GTIN), "X")[:-1]
    pallet_epcs = [
        naming.sscc(Sscc(f"09506000{n:09d}" + gs1_check_digit(f"09506000{n:09d}")))
        for n in range(pallets)
    ]
    case_epcs = [f"{case_prefix}C{n:06d}" for n in range(cases)]
    party_of_pallet = [f"dist-{n * PARTIES // pallets}" for n in range(pallets)]
    container_rows = []
    for n, epc in enumerate(pallet_epcs):
        container_rows.append((n + 1, epc, "sscc", None, party_of_pallet[n], AT))
    for n, epc in enumerate(case_epcs):
        pallet = n * pallets // cases
        container_rows.append(
            (pallets + n + 1, epc, "sgtin", pallet + 1, party_of_pallet[pallet], AT)
        )
    filler.write(
        "containers",
        ("id", "epc", "kind", "parent_id", "custodian_id", "created_at"),
        container_rows,
    )
    case_of_unit = [pallets + 1 + min(i // PER_CASE, cases - 1) for i in range(len(serials))]
    custodian_of_unit = [container_rows[case - 1][4] for case in case_of_unit]
    filler.write(
        "units",
        UNIT_COLUMNS,
        _unit_rows(1, serials, containers=case_of_unit, custodians=custodian_of_unit),
    )
    epc_rows: list[tuple[int, str, str]] = []
    events = list(_per_unit_events(filler, epcs, epc_rows))
    for n, case in enumerate(case_epcs):
        for pk, row in filler.events([("AggregationEvent", "ADD", "packing", None, {})]):
            events.append(row)
            epc_rows.append((pk, "parent", case))
            epc_rows += [(pk, "child", epc) for epc in epcs[n * PER_CASE : (n + 1) * PER_CASE]]
    for n, pallet in enumerate(pallet_epcs):
        held = [i for i in range(cases) if i * pallets // cases == n]
        for pk, row in filler.events([("AggregationEvent", "ADD", "packing", None, {})]):
            events.append(row)
            epc_rows.append((pk, "parent", pallet))
            epc_rows += [(pk, "child", case_epcs[i]) for i in held]
    for party in sorted(set(party_of_pallet)):
        for pk, row in filler.events([("ObjectEvent", "OBSERVE", "shipping", party, {})]):
            events.append(row)
            for n, pallet in enumerate(pallet_epcs):
                if party_of_pallet[n] != party:
                    continue
                epc_rows.append((pk, "epc", pallet))
                for i in range(cases):
                    if i * pallets // cases == n:
                        epc_rows.append((pk, "epc", case_epcs[i]))
                        epc_rows += [
                            (pk, "epc", epc) for epc in epcs[i * PER_CASE : (i + 1) * PER_CASE]
                        ]
    filler.write("epcis_events", EVENT_COLUMNS, events)
    filler.write("event_epcs", ("event_pk", "role", "epc"), epc_rows)


def _fill_loose_lot(filler: Filler, naming: EpcNaming, p: int, serials: list[str]) -> None:
    prefix = naming.sgtin(Gtin(gtin(p)), "X")[:-1]
    filler.write("units", UNIT_COLUMNS, _unit_rows(p + 1, serials))
    epc_rows: list[tuple[int, str, str]] = []
    events = list(_per_unit_events(filler, [prefix + serial for serial in serials], epc_rows))
    filler.write("epcis_events", EVENT_COLUMNS, events)
    filler.write("event_epcs", ("event_pk", "role", "epc"), epc_rows)


def _fill_genealogy(filler: Filler, naming: EpcNaming, serials: dict[int, list[str]]) -> list[str]:
    """``CHAINS`` finished units (lot of product 1) each assembled from an intermediate unit
    (product 2) and raw lot B, each intermediate made from a base unit (product 3) and raw lot
    A; an inspection of each raw lot. The finished units' codes."""
    prefixes = {p: naming.sgtin(Gtin(gtin(p)), "X")[:-1] for p in (1, 2, 3)}
    events: list[tuple[Any, ...]] = []
    epc_rows: list[tuple[int, str, str]] = []
    finished = []
    for n in range(CHAINS):
        base, middle, made = (prefixes[p] + serials[p][n] for p in (3, 2, 1))
        for inputs, raw, output in ((base, RAW[0], middle), (middle, RAW[1], made)):
            for pk, row in filler.events([("TransformationEvent", None, "assembling", None, {})]):
                events.append(row)
                epc_rows += [
                    (pk, "input", inputs),
                    (pk, "input_quantity", raw),
                    (pk, "output", output),
                ]
        finished.append(f"(01){gtin(1)}(21){serials[1][n]}")
    for raw in RAW:
        for pk, row in filler.events(
            [
                (
                    "ObjectEvent",
                    "OBSERVE",
                    "inspecting",
                    None,
                    {"certificationInfo": "https://cert.example/raw"},
                )
            ]
        ):
            events.append(row)
            epc_rows.append((pk, "quantity", raw))
    filler.write("epcis_events", EVENT_COLUMNS, events)
    filler.write("event_epcs", ("event_pk", "role", "epc"), epc_rows)
    return finished


def measure(database: Database, lot: str, finished: list[str]) -> list[bool]:
    with database.engine.connect() as connection:
        units = connection.execute(text("SELECT count(*) FROM units")).scalar_one()
        events = connection.execute(text("SELECT count(*) FROM epcis_events")).scalar_one()
        indexed = connection.execute(text("SELECT count(*) FROM event_epcs")).scalar_one()
    print(f"  repository: {units:,} units, {events:,} events, {indexed:,} EPCs in the index")

    def summary() -> Any:
        with database.unit_of_work(read_only=True) as uow:
            return trace.trace(uow, code=lot, direction="forward", actor=ADMIN)

    def full_csv() -> int:
        out = io.StringIO()
        with database.unit_of_work(read_only=True) as uow:
            for part in csv_lines(trace.trace_rows(uow, code=lot, actor=ADMIN)):
                out.write(part)
        return out.getvalue().count("\n") - 1

    found = summary()
    assert isinstance(found, trace.ForwardTrace)
    print(
        f"  lot {lot}: {found.units.count:,} units, {len(found.containers):,} containers, "
        f"{len(found.shipments)} shipments, by custodian {found.units.by_custodian}"
    )
    summary_s = _seconds(summary)
    rows = full_csv()
    csv_s = _seconds(full_csv)
    print(
        f"  forward summary   median {summary_s[0]:6.3f} s  slowest {summary_s[1]:6.3f} s  (target <= {SUMMARY_TARGET_S} s)"
    )
    print(
        f"  forward full CSV  median {csv_s[0]:6.3f} s  slowest {csv_s[1]:6.3f} s  {rows:,} rows (target <= {CSV_TARGET_S} s)"
    )

    def back(code: str) -> Any:
        with database.unit_of_work(read_only=True) as uow:
            return trace.trace(uow, code=code, direction="back", actor=ADMIN)

    def two_levels(answer: Any) -> None:
        assert isinstance(answer, trace.BackTrace)
        assert max(node.depth for node in answer.made_from.nodes) == 2, answer.made_from

    back(finished[0])
    latencies = time_each(finished, back, two_levels)
    print(
        f"  back, 2 levels    p50 {latencies.p50:6.1f} ms  p99 {latencies.p99:6.1f} ms  "
        f"max {latencies.max:6.1f} ms over {len(finished)} units (target p99 <= {BACK_TARGET_MS} ms)"
    )
    return [
        summary_s[0] <= SUMMARY_TARGET_S,
        csv_s[0] <= CSV_TARGET_S,
        latencies.p99 <= BACK_TARGET_MS,
    ]


def _seconds(call: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(RUNS):
        begun = time.perf_counter()
        call()
        times.append(time.perf_counter() - begun)
    return statistics.median(times), max(times)


def run(engine: Engine, label: str, reuse: bool) -> list[bool]:
    rng = random.Random(13)
    print(f"{label}: {UNITS:,} units, traced lot of {LOT_UNITS:,}")
    begun = time.perf_counter()
    if reuse:
        lot = f"(01){gtin(0)}(10)L1"
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT serial FROM units WHERE product_id = 2 ORDER BY serial LIMIT :n"),
                {"n": CHAINS},
            ).scalars()
            finished = [f"(01){gtin(1)}(21){serial}" for serial in rows]
        print("  (the kept database of an earlier run)")
    else:
        lot, finished = fill(engine, rng)
        print(f"  filled in {time.perf_counter() - begun:.0f} s")
    return measure(Database(engine), lot, finished)


def _filled_before(engine: Engine) -> bool:
    """Whether an earlier run filled the PostgreSQL database at this size."""
    try:
        with engine.connect() as connection:
            units = connection.execute(text("SELECT count(*) FROM units")).scalar_one()
            lot = connection.execute(text("SELECT issued FROM lots WHERE id = 1")).scalar()
    except Exception:  # no tables yet
        return False
    return units == UNITS and lot is not None


def main() -> int:
    met: list[bool] = []
    if ONLY in (None, "sqlite"):
        folder = Path(KEEP) if KEEP else Path(tempfile.mkdtemp(prefix="unitrace-trace-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"trace-{UNITS}-{LOT_UNITS}.db"
        reuse = path.exists() and KEEP is not None
        engine = open_database(f"sqlite:///{path}")
        met += run(engine, "sqlite", reuse)
    if ONLY in (None, "postgresql") and scratch_postgresql(POSTGRES_URL):
        engine = open_database(POSTGRES_URL)
        met += run(engine, "postgresql", KEEP is not None and _filled_before(engine))
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
