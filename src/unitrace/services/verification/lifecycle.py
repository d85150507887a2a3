"""The lifecycle detector: a scan of a unit that must not be on sale, by its state and its
lot's: decommissioned (supplied, destroyed, stolen, …), recalled or withdrawn, expired,
never commissioned or voided, or on hold (after a failed inspection, …). Pure: a function of the :class:`~.evidence.Evidence`."""

from __future__ import annotations

from typing import Final

from unitrace.registry.model import LotStatus, UnitState
from unitrace.services.verification.evidence import Evidence
from unitrace.services.verification.findings import AlertType, Findings, Verdict

__all__ = ["ON_HOLD", "lifecycle"]

#: The reason a held unit gives (the answer's message says why it is held).
ON_HOLD: Final = "on_hold"

#: The reason a unit gives that is not for sale and not decommissioned, where it is not its
#: state's name.
_NOT_FOR_SALE: Final = {
    UnitState.ISSUED: "not_commissioned",
    UnitState.VOIDED: "voided",
}


def lifecycle(evidence: Evidence) -> tuple[Verdict, Findings]:
    """The verdict the unit's state gives, before any anomaly, and the finding that says why
    where it is not genuine."""
    unit, findings = evidence.unit, Findings()
    state = unit.state
    if state.is_terminal and state is not UnitState.VOIDED:
        findings.add(state.value, AlertType.LIFECYCLE, state=state.value)
        return Verdict.INACTIVE, findings
    if unit.lot_status is not LotStatus.RELEASED or state in (
        UnitState.RECALLED,
        UnitState.WITHDRAWN,
    ):
        withdrawn = LotStatus.WITHDRAWN in (unit.lot_status, state)
        findings.add(
            "withdrawn" if withdrawn else "recalled",
            AlertType.LIFECYCLE,
            state=state.value,
            lot_status=unit.lot_status.value,
        )
        return Verdict.RECALLED, findings
    if state is UnitState.EXPIRED or unit.expiry < evidence.at.date():
        findings.add(
            "expired", AlertType.LIFECYCLE, state=state.value, expiry=unit.expiry.isoformat()
        )
        return Verdict.EXPIRED, findings
    if state is not UnitState.ACTIVE:
        reason = _NOT_FOR_SALE.get(state, state.value)
        findings.add(reason, AlertType.LIFECYCLE, state=state.value)
        return Verdict.INACTIVE, findings
    if evidence.hold is not None:
        # active, but kept from the market until what held it is cleared
        findings.add(ON_HOLD, AlertType.LIFECYCLE, state=state.value, hold=evidence.hold)
        return Verdict.INACTIVE, findings
    return Verdict.GENUINE, findings
