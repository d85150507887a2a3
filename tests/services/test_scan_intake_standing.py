"""The scan intake reads the standing of a batch's units (product and its rules, unit,
custodian, holds) before it takes the write lock: a change of that standing committed by
another process is seen by the very next scan, whichever change it is. On SQLite and
PostgreSQL, the other process being an engine of its own on the same database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.services.issued_units import ADMIN, GTIN
from tests.services.test_verification import SINGAPORE, code, world
from unitrace.services.catalog import set_detection_rules
from unitrace.services.lifecycle import allocate, change_state, inspect, set_lot_status
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.verification import ScanRequest, Verdict, VerificationResult
from unitrace.store.database import open_database
from unitrace.store.unit_of_work import Database, UnitOfWork

__all__ = ["world"]  # the fixture, shared with the verification tests

KUALA_LUMPUR = (3.139, 101.6869)


def recall_the_lot(uow: UnitOfWork) -> None:
    set_lot_status(uow, gtin=GTIN.value, lot="L1", status="recalled", reason="dust", actor=ADMIN)


def decommission_the_unit(uow: UnitOfWork) -> None:
    change_state(uow, codes=[code(5)], to="destroyed", actor=ADMIN)


def hold_the_unit(uow: UnitOfWork) -> None:
    inspect(uow, targets=[code(5)], result="fail", actor=ADMIN)


def allow_scans_before_shipping(uow: UnitOfWork) -> None:
    set_detection_rules(uow, gtin=GTIN.value, rules={"before_shipping": False}, actor=ADMIN)


def ship_to_distributor_a(uow: UnitOfWork) -> None:
    allocate(uow, party="dist-a", actor=ADMIN, codes=[code(110)])


#: (the change, the unit scanned before and after it, where, the verdicts and reasons)
CHANGES = [
    pytest.param(
        recall_the_lot,
        code(5),
        KUALA_LUMPUR,
        (Verdict.GENUINE, ()),
        (Verdict.RECALLED, ("recalled",)),
        id="recall of a lot",
    ),
    pytest.param(
        decommission_the_unit,
        code(5),
        KUALA_LUMPUR,
        (Verdict.GENUINE, ()),
        (Verdict.INACTIVE, ("destroyed",)),
        id="unit decommissioned",
    ),
    pytest.param(
        hold_the_unit,
        code(5),
        KUALA_LUMPUR,
        (Verdict.GENUINE, ()),
        (Verdict.INACTIVE, ("on_hold",)),
        id="hold",
    ),
    pytest.param(
        # unit 120 was commissioned and never shipped
        allow_scans_before_shipping,
        code(120),
        KUALA_LUMPUR,
        (Verdict.SUSPICIOUS, ("before_shipping",)),
        (Verdict.GENUINE, ()),
        id="product rule",
    ),
    pytest.param(
        # unit 110 was never shipped; Distributor A's territory is Malaysia's MY-14, MY-10
        ship_to_distributor_a,
        code(110),
        SINGAPORE,
        (Verdict.SUSPICIOUS, ("before_shipping",)),
        (Verdict.SUSPICIOUS, ("outside_territory",)),
        id="custodian",
    ),
]


@pytest.fixture
def other_process(world: Database) -> Iterator[Database]:
    """The same database through an engine of its own, as another worker or the CLI has."""
    engine = open_database(world.engine.url.render_as_string(hide_password=False))
    yield Database(engine)
    engine.dispose()


@pytest.mark.parametrize("read_ahead", [True, False], ids=["read ahead", "read in the batch"])
@pytest.mark.parametrize(("change", "scanned", "where", "before", "after"), CHANGES)
def test_a_change_committed_elsewhere_is_seen_by_the_next_scan(
    world: Database,
    other_process: Database,
    read_ahead: bool,
    change: Callable[[UnitOfWork], None],
    scanned: str,
    where: tuple[float, float],
    before: tuple[Verdict, tuple[str, ...]],
    after: tuple[Verdict, tuple[str, ...]],
) -> None:
    intake = ScanIntake(world, read_ahead=read_ahead)

    def scan() -> VerificationResult:
        lat, lon = where
        return intake.submit(ScanRequest(scanned, lat, lon, client="phone-1")).result(10)

    try:
        first = scan()
        with other_process.unit_of_work() as uow:
            change(uow)
            uow.commit()
        second = scan()
    finally:
        intake.close(wait=10)
    assert [(first.verdict, first.reasons), (second.verdict, second.reasons)] == [before, after]


MIXED = [
    "garbage",
    "x" * 5000,
    "(01)09506000134352",
    "https://brand.example/01/09506000999997/21/NOPE",
    code(170),
    code(5),
    code(5),
    code(201),
]


def test_read_ahead_answers_every_code_as_the_batch_reading_it_would(
    world: Database, other_process: Database
) -> None:
    """Garbage, a code naming no unit, an unknown product, a unit never commissioned, a unit
    twice and a serial never issued: the same answers, read ahead or not."""
    answers = {}
    for read_ahead, database in ((True, world), (False, other_process)):
        intake = ScanIntake(database, read_ahead=read_ahead)
        try:
            futures = [intake.submit(ScanRequest(text, client="phone-1")) for text in MIXED]
            answers[read_ahead] = [
                (result.verdict, result.reasons, result.scan_count)
                for result in (future.result(10) for future in futures)
            ]
        finally:
            intake.close(wait=10)
    assert answers[True][:4] == answers[False][:4]
    assert [verdict for verdict, _, _ in answers[True]] == [
        Verdict.COUNTERFEIT,
        Verdict.COUNTERFEIT,
        Verdict.COUNTERFEIT,
        Verdict.COUNTERFEIT,
        Verdict.INACTIVE,
        Verdict.GENUINE,
        Verdict.GENUINE,
        Verdict.COUNTERFEIT,
    ]
    assert [count for _, _, count in answers[True]][5:7] == [1, 2]
