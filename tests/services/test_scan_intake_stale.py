"""A change of a unit's standing committed after the scan intake read it ahead but before
the batch took the write lock: the scan is logged after that change, so it must be judged
on it ("a hold is a state a scan respects"), not on what was read ahead."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.services.test_scan_intake_standing import (
    CHANGES,
    KUALA_LUMPUR,
    other_process,
    world,
)
from unitrace.services.scan_intake import ScanIntake
from unitrace.services.verification import ScanRequest, Verdict
from unitrace.services.verification.unit_state import UnitStates
from unitrace.store.unit_of_work import Database, UnitOfWork

__all__ = ["other_process", "world"]


def commission_unit_151(uow: UnitOfWork) -> None:
    from tests.services.issued_units import ADMIN, GTIN
    from unitrace.services.lifecycle.commissioning import commission

    commission(uow, gtin=GTIN, lot="L1", seq_from=151, seq_to=151, actor=ADMIN)


def _151() -> str:
    from tests.services.test_verification import code

    return code(151)


COMMISSIONED = pytest.param(
    commission_unit_151,
    _151(),
    KUALA_LUMPUR,
    None,
    (Verdict.SUSPICIOUS, ("before_shipping",)),
    id="issued unit commissioned",
)


@pytest.mark.parametrize(
    ("change", "scanned", "where", "before", "after"), [*CHANGES, COMMISSIONED]
)
def test_a_change_committed_between_read_ahead_and_write_is_respected(
    world: Database,
    other_process: Database,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[UnitOfWork], None],
    scanned: str,
    where: tuple[float, float],
    before: tuple[Verdict, tuple[str, ...]],
    after: tuple[Verdict, tuple[str, ...]],
) -> None:
    read_ahead = UnitStates.read_ahead

    def read_then_change(self: UnitStates, uow: UnitOfWork, codes: Iterator[str]) -> None:
        read_ahead(self, uow, codes)
        # another process commits, the reader's snapshot still open or just closed
        with other_process.unit_of_work() as other:
            change(other)
            other.commit()

    monkeypatch.setattr(UnitStates, "read_ahead", read_then_change)
    intake = ScanIntake(world, read_ahead=True)
    try:
        lat, lon = where
        result = intake.submit(ScanRequest(scanned, lat, lon, client="phone-1")).result(10)
    finally:
        intake.close(wait=10)
    assert (result.verdict, result.reasons) == after


def test_scans_leave_the_standing_mark_as_it_was(world: Database) -> None:
    """Else every batch would read its units' standing twice."""
    from tests.services.test_verification import code
    from unitrace.store.standing import standing_mark

    with world.unit_of_work(read_only=True) as reader:
        before = standing_mark(reader.connection)
    intake = ScanIntake(world, read_ahead=True)
    try:
        for n in (5, 5, 110, 151):
            intake.submit(ScanRequest(code(n), *KUALA_LUMPUR, client="phone-1")).result(10)
        intake.submit(ScanRequest("garbage", client="phone-1")).result(10)
    finally:
        intake.close(wait=10)
    with world.unit_of_work(read_only=True) as reader:
        assert standing_mark(reader.connection) == before


def test_a_scan_whose_caller_gave_up_leaves_the_intake_answering(
    world: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HTTP route awaits asyncio.wrap_future(submit(...)): a cancelled request cancels
    the intake's future, which set_result then refuses (InvalidStateError). That must not
    leave the rest of the batch, and every scan after it, without an answer."""
    import threading

    from tests.services.test_verification import code

    reading = threading.Event()
    go_on = threading.Event()
    read_ahead = UnitStates.read_ahead

    def held(self: UnitStates, uow: UnitOfWork, codes: Iterator[str]) -> None:
        reading.set()
        go_on.wait(10)
        read_ahead(self, uow, codes)

    monkeypatch.setattr(UnitStates, "read_ahead", held)
    intake = ScanIntake(world, read_ahead=True)
    try:
        given_up = intake.submit(ScanRequest(code(5), *KUALA_LUMPUR, client="phone-1"))
        assert reading.wait(10)
        # queued while the first batch is read ahead: the next batch, or an answer of it
        other = intake.submit(ScanRequest(code(6), *KUALA_LUMPUR, client="phone-2"))
        given_up.cancel()
        go_on.set()
        assert other.result(10).verdict == Verdict.GENUINE
        later = intake.submit(ScanRequest(code(7), *KUALA_LUMPUR, client="phone-3"))
        assert later.result(10).verdict == Verdict.GENUINE
    finally:
        go_on.set()
        intake.close(wait=10)
