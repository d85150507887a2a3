"""A unit's count of scans and its first scan, as verifications answer them, read from its
summary once its history window is full: the same answers the whole log gives, for units
scanned never, once, around the window's size and far past it, with counterfeit answers among
their scans; and, on PostgreSQL, exact when two processes scan one unit at the same time."""

from __future__ import annotations

import threading

import pytest

from tests.services.issued_units import GTIN, serial_of
from tests.services.test_verification import KL, KUALA_LUMPUR, MINUTE, T1, code, scan, world
from unitrace.services.verification import (
    DetectionRules,
    FirstScan,
    ScanRequest,
    Verdict,
    verify,
)
from unitrace.store.schema import unit_scan_summaries
from unitrace.store.unit_of_work import Database

__all__ = ["world"]  # fixture

#: a short window, so that a unit passes it in a few scans; nothing else fires
RULES = DetectionRules(history=4, max_clients=1000, max_places=1000, before_shipping=False)
#: unit 120 of lot L1: commissioned, the brand's own
SEQ = 120


def expected_answers(kinds: str) -> list[tuple[int, bool, FirstScan | None]]:
    """Each scan's (scan_count, first_scan, first_scanned) for scans of ``kinds`` ('g' a scan
    of the unit's own code, 'c' one with a wrong lot, answered counterfeit) a minute apart."""
    answers: list[tuple[int, bool, FirstScan | None]] = []
    counted = 0
    first: FirstScan | None = None
    for n, kind in enumerate(kinds):
        if kind == "c":
            answers.append((0, False, None))
            continue
        if first is None:
            first = FirstScan(T1 + n * MINUTE, KL)
        answers.append((counted + 1, counted == 0, first))
        counted += 1
    return answers


@pytest.mark.parametrize(
    "kinds",
    [
        pytest.param("", id="never scanned"),
        pytest.param("g", id="once"),
        pytest.param("ggg", id="history-1"),
        pytest.param("gggg", id="history"),
        pytest.param("ggggg", id="history+1"),
        pytest.param("g" * 13, id="many"),
        pytest.param("cgcggcgcgggcgc", id="counterfeit interleaved"),
        pytest.param("ccccccg", id="counterfeit past the window, then one"),
    ],
)
def test_counts_and_first_scans_are_those_of_the_whole_log(world: Database, kinds: str) -> None:
    answered = []
    for n, kind in enumerate(kinds):
        text = code(SEQ, "L1" if kind == "g" else "L9")
        result = scan(world, text, KUALA_LUMPUR, at=T1 + n * MINUTE, rules=RULES)
        assert (result.verdict is Verdict.COUNTERFEIT) == (kind == "c")
        answered.append((result.scan_count, result.first_scan, result.first_scanned))
    assert answered == expected_answers(kinds)
    with world.unit_of_work() as uow:
        product_id, serial = uow.products.id_of(GTIN), serial_of(GTIN, SEQ)
        summary = uow.scans.summary_of_unit(product_id, serial)
        assert summary == uow.scans.first_of_unit(product_id, serial, excluding="counterfeit")
        assert summary[1] == kinds.count("g")


def test_scans_of_one_unit_of_work_count_before_it_commits(world: Database) -> None:
    """The scan intake verifies a batch of scans in one unit of work: each answer counts the
    batch's scans before it, and the summary written at the commit holds them all."""
    kinds = "ggcgggcg"
    with world.unit_of_work() as uow:
        answered = [
            (result.scan_count, result.first_scan, result.first_scanned)
            for n, kind in enumerate(kinds)
            for result in [
                verify(
                    uow,
                    ScanRequest(
                        code(SEQ, "L1" if kind == "g" else "L9"),
                        *KUALA_LUMPUR,
                        client="phone-1",
                        at=T1 + n * MINUTE,
                    ),
                    rules=RULES,
                )
            ]
        ]
        uow.commit()
    assert answered == expected_answers(kinds)
    assert scan(world, code(SEQ), at=T1 + len(kinds) * MINUTE, rules=RULES).scan_count == 7


def test_two_processes_scanning_one_unit_lose_no_count(world: Database) -> None:
    """Two writers scanning the same unit at the same time, each scan its own transaction:
    the summary counts every scan (PostgreSQL; SQLite's writers take turns)."""
    if world.dialect != "postgresql":
        pytest.skip("PostgreSQL's writers run at the same time")
    each = 40
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def scanning(client: str) -> None:
        try:
            start.wait()
            for n in range(each):
                scan(world, code(SEQ), client=client, at=T1 + n * MINUTE, rules=RULES)
        except BaseException as failure:  # reported by the test
            failures.append(failure)

    threads = [threading.Thread(target=scanning, args=(f"phone-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with world.unit_of_work() as uow:
        product_id, serial = uow.products.id_of(GTIN), serial_of(GTIN, SEQ)
        summary = uow.scans.summary_of_unit(product_id, serial)
        assert summary == uow.scans.first_of_unit(product_id, serial, excluding="counterfeit")
    assert summary[1] == 2 * each
    assert summary[0] is not None
    assert summary[0].at == T1


def test_a_verification_a_savepoint_undid_leaves_no_trace_in_the_answers(
    world: Database,
) -> None:
    """A verification inside a savepoint that is rolled back (its scan gone from the log)
    must not be counted by later answers, nor be their first scan: once the unit's window is
    full they read its summary."""
    for n in range(RULES.history):
        scan(world, code(SEQ), KUALA_LUMPUR, at=T1 + n * MINUTE, rules=RULES)
    with world.unit_of_work() as uow:
        undone = uow.connection.begin_nested()
        verify(
            uow,
            ScanRequest(code(SEQ), *KUALA_LUMPUR, client="phone-1", at=T1 - MINUTE),
            rules=RULES,
        )
        # the request's later step failed: its savepoint rolled back
        undone.rollback()
        uow.commit()
    result = scan(world, code(SEQ), KUALA_LUMPUR, at=T1 + 9 * MINUTE, rules=RULES)
    assert (result.scan_count, result.first_scan, result.first_scanned) == (
        RULES.history + 1,
        False,
        FirstScan(T1, KL),
    )


def test_a_unit_whose_window_is_full_is_never_answered_its_first_scan(world: Database) -> None:
    """Scans logged around the summaries (by a process of the release before them, still
    serving while the new one migrates; a bulk load not summed yet) leave a unit's summary
    behind its log: a unit with a full window of scans is still not answered "first scan"."""
    for n in range(RULES.history):
        scan(world, code(SEQ), KUALA_LUMPUR, at=T1 + n * MINUTE, rules=RULES)
    with world.engine.begin() as connection:
        connection.execute(unit_scan_summaries.delete())
    result = scan(world, code(SEQ), KUALA_LUMPUR, at=T1 + 9 * MINUTE, rules=RULES)
    assert (result.scan_count, result.first_scan, result.first_scanned) == (
        RULES.history + 1,
        False,
        FirstScan(T1, KL),
    )
