"""The lifecycle detector, as a table: a unit's state, its lot's status and its expiry give
the verdict before any anomaly, and the finding saying why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.services.verification.builders import T1, evidence, unit
from unitrace.registry.model import LotStatus, UnitState
from unitrace.services.verification.findings import AlertType, Verdict
from unitrace.services.verification.lifecycle import lifecycle

TODAY = T1.date()
YESTERDAY = TODAY - dt.timedelta(days=1)

# (the unit's state, lot status, expiry) → (verdict, reasons, the lifecycle alert's evidence)
CASES: list[tuple[UnitState, LotStatus, dt.date, Verdict, list[str], dict[str, Any] | None]] = [
    (UnitState.ACTIVE, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.GENUINE, [], None),
    # the last day of its shelf life is still a day it may be sold
    (UnitState.ACTIVE, LotStatus.RELEASED, TODAY, Verdict.GENUINE, [], None),
    (
        UnitState.ACTIVE, LotStatus.RELEASED, YESTERDAY, Verdict.EXPIRED, ["expired"],
        {"state": "active", "expiry": YESTERDAY.isoformat()},
    ),
    (
        UnitState.EXPIRED, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.EXPIRED, ["expired"],
        {"state": "expired", "expiry": "2030-12-31"},
    ),
    (
        UnitState.RECALLED, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.RECALLED,
        ["recalled"], {"state": "recalled", "lot_status": "released"},
    ),
    (
        UnitState.ACTIVE, LotStatus.RECALLED, dt.date(2030, 12, 31), Verdict.RECALLED,
        ["recalled"], {"state": "active", "lot_status": "recalled"},
    ),
    (
        UnitState.WITHDRAWN, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.RECALLED,
        ["withdrawn"], {"state": "withdrawn", "lot_status": "released"},
    ),
    (
        UnitState.ACTIVE, LotStatus.WITHDRAWN, dt.date(2030, 12, 31), Verdict.RECALLED,
        ["withdrawn"], {"state": "active", "lot_status": "withdrawn"},
    ),
    # a recall outranks an expiry
    (
        UnitState.ACTIVE, LotStatus.RECALLED, YESTERDAY, Verdict.RECALLED, ["recalled"],
        {"state": "active", "lot_status": "recalled"},
    ),
    # a pack dispensed is out of circulation, but its lot's recall still reaches it
    (
        UnitState.SUPPLIED, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.INACTIVE,
        ["supplied"], {"state": "supplied"},
    ),
    (
        UnitState.SUPPLIED, LotStatus.RECALLED, dt.date(2030, 12, 31), Verdict.RECALLED,
        ["recalled"], {"state": "supplied", "lot_status": "recalled"},
    ),
    # destroyed and stolen are for good: no recall or expiry says more
    (
        UnitState.DESTROYED, LotStatus.RECALLED, YESTERDAY, Verdict.INACTIVE, ["destroyed"],
        {"state": "destroyed"},
    ),
    (
        UnitState.STOLEN, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.INACTIVE,
        ["stolen"], {"state": "stolen"},
    ),
    (
        UnitState.EXPORTED, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.INACTIVE,
        ["exported"], {"state": "exported"},
    ),
    (
        UnitState.ISSUED, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.INACTIVE,
        ["not_commissioned"], {"state": "issued"},
    ),
    # voided is terminal, but named as a code never used, not as a state reached
    (
        UnitState.VOIDED, LotStatus.RELEASED, dt.date(2030, 12, 31), Verdict.INACTIVE,
        ["voided"], {"state": "voided"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("state", "lot_status", "expiry", "verdict", "reasons", "alert"), CASES)
def test_the_units_state_gives_the_verdict_and_the_reason(
    state: UnitState,
    lot_status: LotStatus,
    expiry: dt.date,
    verdict: Verdict,
    reasons: list[str],
    alert: dict[str, Any] | None,
) -> None:
    scanned = unit(state=state, lot_status=lot_status, expiry=expiry)
    given, found = lifecycle(evidence(unit=scanned))
    assert (given, found.reasons) == (verdict, reasons)
    if alert is None:
        assert found.alerts == {}
    else:
        assert found.alerts == {AlertType.LIFECYCLE: {"reasons": reasons, **alert}}


def test_the_expiry_is_judged_on_the_day_of_the_scan() -> None:
    late = evidence(unit=unit(expiry=TODAY), at=T1 + dt.timedelta(days=1))
    assert lifecycle(late)[0] is Verdict.EXPIRED


@pytest.mark.parametrize(
    ("state", "lot_status", "verdict", "reasons"),
    [
        (UnitState.ACTIVE, LotStatus.RELEASED, Verdict.INACTIVE, ["on_hold"]),
        # a recall or a decommissioning says more than the hold
        (UnitState.ACTIVE, LotStatus.RECALLED, Verdict.RECALLED, ["recalled"]),
        (UnitState.SUPPLIED, LotStatus.RELEASED, Verdict.INACTIVE, ["supplied"]),
    ],
)
def test_a_unit_on_hold_is_inactive_unless_its_state_says_more(
    state: UnitState, lot_status: LotStatus, verdict: Verdict, reasons: list[str]
) -> None:
    scanned = unit(state=state, lot_status=lot_status)
    given, found = lifecycle(evidence(unit=scanned, hold="inspection"))
    assert (given, found.reasons) == (verdict, reasons)
