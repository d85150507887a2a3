"""The scan intake: scans verified in batches, each answered once its batch is committed, each
judged with every scan before it in view (those of its own batch too), a refused or failing
scan costing the others nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import event, func, select

from tests.services.issued_units import GTIN, LINE, LOT, build_registry, issue, serial_of
from unitrace.registry.errors import InvalidRequest
from unitrace.services import scan_intake
from unitrace.services.lifecycle import commission
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.verification import ScanRequest, Verdict, VerificationResult
from unitrace.store import schema
from unitrace.store.unit_of_work import Database, UnitOfWork


def code(seq: int) -> str:
    return f"https://brand.example/01/{GTIN.value}/10/{LOT}/21/{serial_of(GTIN, seq)}?17=301231"


@pytest.fixture
def world(database: Database) -> Database:
    """Units 1-20 of lot L1, commissioned."""
    build_registry(database)
    with database.unit_of_work() as uow:
        issue(uow, GTIN, LOT, 20)
        commission(uow, gtin=GTIN, lot=LOT, seq_from=1, seq_to=20, actor=LINE)
        uow.commit()
    return database


@pytest.fixture
def gated(world: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScanIntake]:
    """An intake whose writer is held on a first scan (client "gate") until
    ``intake.gate.set()``: what is submitted meanwhile forms the next batch."""
    gate, at_gate = threading.Event(), threading.Event()
    real_verify = scan_intake.verify

    def gate_waits(uow: UnitOfWork, request: ScanRequest, **options: Any) -> VerificationResult:
        if request.client == "gate":
            at_gate.set()
            gate.wait(10)
        return real_verify(uow, request, **options)

    monkeypatch.setattr(scan_intake, "verify", gate_waits)
    commits: list[int] = []
    event.listen(world.engine, "commit", lambda _: commits.append(1))
    intake = ScanIntake(world, batch_limit=16)
    intake.commits = commits  # type: ignore[attr-defined]
    intake.gate = gate  # type: ignore[attr-defined]
    intake.gate_answer = intake.submit(ScanRequest(code(20), client="gate"))  # type: ignore[attr-defined]
    assert at_gate.wait(10)  # the writer holds the gate's batch: the next scans queue up
    yield intake
    gate.set()
    intake.close()


def logged(database: Database) -> list[tuple[str, str]]:
    with database.unit_of_work(read_only=True) as uow:
        rows = uow.connection.execute(
            select(schema.scans.c.raw, schema.scans.c.verdict).order_by(schema.scans.c.id)
        )
        return [(row.raw, row.verdict) for row in rows]


def test_concurrent_scans_of_one_unit_each_see_all_before_them(world: Database) -> None:
    intake = ScanIntake(world)
    scans = 120
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda n: intake.submit(ScanRequest(code(1), client=f"phone-{n % 3}")).result(),
                range(scans),
            )
        )
    intake.close()
    # one scan first, each next one counting all before it: a batch's scans see each other
    assert sorted(answer.scan_count for answer in answers) == list(range(1, scans + 1))
    assert [answer.first_scan for answer in answers].count(True) == 1
    assert len(logged(world)) == scans


def test_scans_share_commits_when_they_queue_up(world: Database, gated: ScanIntake) -> None:
    queued = [gated.submit(ScanRequest(code(2 + n % 10), client="later")) for n in range(40)]
    gated.gate.set()  # type: ignore[attr-defined]
    verdicts = [answer.result().verdict for answer in [gated.gate_answer, *queued]]  # type: ignore[attr-defined]
    assert verdicts == [Verdict.SUSPICIOUS] * 41  # never shipped: before_shipping
    # the gate's scan alone, then the 40 that queued behind it in batches of at most 16
    assert len(gated.commits) == 1 + 3  # type: ignore[attr-defined]
    assert len(logged(world)) == 41


def test_a_refused_scan_is_refused_alone_and_not_logged(world: Database, gated: ScanIntake) -> None:
    answers: list[Future[VerificationResult]] = [
        gated.submit(ScanRequest(code(1), client="a")),
        gated.submit(ScanRequest(code(2), region="XX-99", client="b")),
        gated.submit(ScanRequest(code(3), client="c")),
    ]
    gated.gate.set()  # type: ignore[attr-defined]
    assert answers[0].result().verdict is Verdict.SUSPICIOUS
    with pytest.raises(InvalidRequest, match="region"):
        answers[1].result()
    assert answers[2].result().verdict is Verdict.SUSPICIOUS
    assert [raw for raw, _ in logged(world)] == [code(20), code(1), code(3)]


def test_a_failing_scan_is_retried_alone_and_the_others_are_answered(
    world: Database, gated: ScanIntake, monkeypatch: pytest.MonkeyPatch
) -> None:
    gating_verify = scan_intake.verify

    def breaks_on_client_b(
        uow: UnitOfWork, request: ScanRequest, **options: Any
    ) -> VerificationResult:
        result = gating_verify(
            uow, request, **options
        )  # written, then the failure: the batch is undone
        if request.client == "b":
            raise RuntimeError("disk on fire")
        return result

    monkeypatch.setattr(scan_intake, "verify", breaks_on_client_b)
    answers = [gated.submit(ScanRequest(code(n), client=c)) for n, c in enumerate("abc", 1)]
    gated.gate.set()  # type: ignore[attr-defined]
    assert answers[0].result().scan_count == 1
    with pytest.raises(RuntimeError, match="disk on fire"):
        answers[1].result()
    assert answers[2].result().scan_count == 1
    # the batch was rolled back and its scans verified one by one: the failing one left nothing
    assert [raw for raw, _ in logged(world)] == [code(20), code(1), code(3)]


def test_close_answers_what_is_queued_then_refuses_more(world: Database) -> None:
    intake = ScanIntake(world, writers=2)
    answers = [intake.submit(ScanRequest(code(5 + n % 2), client=f"c{n}")) for n in range(30)]
    intake.close()
    assert all(answer.done() for answer in answers)
    assert {answer.result().verdict for answer in answers} == {Verdict.SUSPICIOUS}
    with pytest.raises(RuntimeError, match="closed"):
        intake.submit(ScanRequest(code(5)))
    with world.unit_of_work(read_only=True) as uow:
        counted = uow.connection.execute(select(func.count()).select_from(schema.scans))
        assert counted.scalar_one() == 30


@pytest.mark.parametrize(("writers", "batch_limit"), [(0, 1), (1, 0)])
def test_bad_settings_are_refused(database: Database, writers: int, batch_limit: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ScanIntake(database, writers=writers, batch_limit=batch_limit)


def test_writers_scanning_the_same_units_in_other_orders_answer_every_scan(
    world: Database,
) -> None:
    """PostgreSQL's writers (two per process, two processes) take batches of the same few
    units in different orders, each scan extending its unit's open alert: every scan is
    answered (none lost to a deadlock between two batches), and each unit's summary says what
    its log says."""
    if world.dialect != "postgresql":
        pytest.skip("PostgreSQL's writers run at the same time")
    intakes = [ScanIntake(world, writers=2, batch_limit=16) for _ in range(2)]
    units = [1 + (n * 7) % 5 for n in range(240)]

    def answer(n: int) -> VerificationResult | BaseException:
        try:
            return intakes[n % 2].submit(ScanRequest(code(units[n]), client=f"p{n % 5}")).result()
        except Exception as failure:  # reported by the test
            return failure

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(answer, range(len(units))))
    for intake in intakes:
        intake.close()
    with world.unit_of_work(read_only=True) as uow:
        product_id = uow.products.id_of(GTIN)
        for seq in set(units):
            serial = serial_of(GTIN, seq)
            assert uow.scans.summary_of_unit(product_id, serial) == uow.scans.first_of_unit(
                product_id, serial, excluding="counterfeit"
            )
    assert [answer for answer in answers if isinstance(answer, BaseException)] == []
