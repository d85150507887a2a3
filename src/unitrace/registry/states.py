"""The state table: which state a unit may move to from which, modelled on the EU FMD pack
states (Delegated Regulation (EU) 2016/161, articles 11-13 and 22-25 and 40).

- An ``issued`` serial becomes ``active`` when it is commissioned on a pack, or is ``voided``
  if it never is.
- An ``active`` unit may be decommissioned (supplied, destroyed, stolen, sample, free sample,
  exported, locked, checked out) or blocked (recalled, withdrawn, expired).
- A decommissioned unit may be made active again only within 10 days (240 hours) of its
  decommissioning, at the same location, by the same party, and never once its lot has expired
  (article 13); ``locked`` has no time limit.
- ``destroyed`` and ``stolen`` are terminal, and so is ``voided``.
- ``recalled``, ``withdrawn`` and ``expired`` are irreversible; such a unit may still be
  destroyed. A lot recall or withdrawal reaches every unit that is not terminal, decommissioned
  ones included, and an expired unit too.

>>> check_transition("(01)09506000134352(21)X1", UnitState.ACTIVE, UnitState.SUPPLIED)
>>> check_transition("(01)09506000134352(21)X1", UnitState.DESTROYED, UnitState.ACTIVE)
Traceback (most recent call last):
...
unitrace.registry.errors.TransitionRefused: unit (01)09506000134352(21)X1 is destroyed: \
destroyed is terminal: nothing may follow it
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from unitrace.registry.errors import TransitionRefused
from unitrace.registry.model import (
    BLOCKED_STATES,
    DECOMMISSIONED_STATES,
    TERMINAL_STATES,
    UnitState,
)

#: How long a decommissioned unit may be made active again (article 13(2): ten days).
UNDO_WINDOW: Final = dt.timedelta(hours=240)


class Allowed(StrEnum):
    """On what condition the state table allows a change."""

    ALWAYS = "always"
    #: back to active: within 240 hours, same location, same party, lot not expired
    UNDO = "undo"
    #: back to active from locked: same location, same party, lot not expired, no time limit
    UNDO_ANY_TIME = "undo any time"


_S = UnitState
_A = Allowed
_DECOMMISSIONED_MAY: Final = {_S.ACTIVE: _A.UNDO, _S.RECALLED: _A.ALWAYS, _S.WITHDRAWN: _A.ALWAYS}

#: The state table: for each state, the states a unit may move to and on what condition.
#: Every change not listed is refused, with the rule :func:`refusal` gives.
TRANSITIONS: Final[Mapping[UnitState, Mapping[UnitState, Allowed]]] = {
    _S.ISSUED: {_S.ACTIVE: _A.ALWAYS, _S.VOIDED: _A.ALWAYS},
    _S.ACTIVE: {
        _S.SUPPLIED: _A.ALWAYS,
        _S.DESTROYED: _A.ALWAYS,
        _S.STOLEN: _A.ALWAYS,
        _S.SAMPLE: _A.ALWAYS,
        _S.FREE_SAMPLE: _A.ALWAYS,
        _S.EXPORTED: _A.ALWAYS,
        _S.LOCKED: _A.ALWAYS,
        _S.CHECKED_OUT: _A.ALWAYS,
        _S.RECALLED: _A.ALWAYS,
        _S.WITHDRAWN: _A.ALWAYS,
        _S.EXPIRED: _A.ALWAYS,
    },
    _S.SUPPLIED: _DECOMMISSIONED_MAY,
    _S.SAMPLE: _DECOMMISSIONED_MAY,
    _S.FREE_SAMPLE: _DECOMMISSIONED_MAY,
    _S.EXPORTED: _DECOMMISSIONED_MAY,
    _S.CHECKED_OUT: _DECOMMISSIONED_MAY,
    _S.LOCKED: {_S.ACTIVE: _A.UNDO_ANY_TIME, _S.RECALLED: _A.ALWAYS, _S.WITHDRAWN: _A.ALWAYS},
    _S.RECALLED: {_S.DESTROYED: _A.ALWAYS},
    _S.WITHDRAWN: {_S.DESTROYED: _A.ALWAYS},
    _S.EXPIRED: {_S.DESTROYED: _A.ALWAYS, _S.RECALLED: _A.ALWAYS, _S.WITHDRAWN: _A.ALWAYS},
    _S.DESTROYED: {},
    _S.STOLEN: {},
    _S.VOIDED: {},
}


@dataclass(frozen=True, slots=True)
class Reactivation:
    """What the undo rule compares: when, where and by whom the unit was decommissioned, and
    when, where and by whom it is to be made active again. Parties and places are ids and GLNs;
    ``None`` is the brand itself, or no place recorded."""

    at: dt.datetime
    party_id: str | None
    location_gln: str | None
    decommissioned_at: dt.datetime | None
    decommissioned_by: str | None
    decommissioned_location: str | None
    lot_expiry: dt.date | None = None


def allowed(current: UnitState, to: UnitState) -> Allowed | None:
    """The condition on which the table allows ``current`` → ``to``; None where it never does.

    >>> allowed(UnitState.SUPPLIED, UnitState.ACTIVE)
    <Allowed.UNDO: 'undo'>
    """
    return TRANSITIONS[current].get(to)


def sources(to: UnitState) -> frozenset[UnitState]:
    """The states from which a unit may always move to ``to``, whatever its history.

    >>> sorted(sources(UnitState.VOIDED))
    [<UnitState.ISSUED: 'issued'>]
    """
    return frozenset(state for state in UnitState if allowed(state, to) is Allowed.ALWAYS)


def refusal(current: UnitState, to: UnitState) -> str | None:
    """The rule that forbids ``current`` → ``to`` whatever the unit's history; None where the
    table allows the change (perhaps on the undo rule's conditions).

    >>> refusal(UnitState.SUPPLIED, UnitState.DESTROYED)
    'a decommissioned unit must be made active again (within the undo rule) before it changes state'
    """
    if allowed(current, to) is not None:
        return None
    if current is to:
        return f"it is {to} already"
    if current in TERMINAL_STATES:
        return f"{current} is terminal: nothing may follow it"
    if current in BLOCKED_STATES:
        onward = _either(sorted(TRANSITIONS[current]))
        if to is UnitState.ACTIVE:
            return f"{current} is irreversible: the unit may never be active again"
        return f"{current} is irreversible: the unit may only become {onward}"
    if current is UnitState.ISSUED:
        return "an issued serial may only be commissioned (active) or voided"
    if to is UnitState.ISSUED:
        return "a commissioned unit never goes back to issued"
    if to is UnitState.VOIDED:
        return "only an issued serial that was never commissioned may be voided"
    if current in DECOMMISSIONED_STATES:
        return (
            "a decommissioned unit must be made active again (within the undo rule) before it "
            "changes state"
        )
    raise AssertionError(f"the state table has no rule for {current} → {to}")  # pragma: no cover


def check_transition(
    unit: str, current: UnitState, to: UnitState, reactivation: Reactivation | None = None
) -> None:
    """Raise :class:`TransitionRefused` naming ``unit``, its ``current`` state and the rule,
    unless the table allows ``current`` → ``to``. Making a decommissioned unit active again
    needs ``reactivation``, the facts the undo rule compares."""
    condition = allowed(current, to)
    if condition is None:
        rule = refusal(current, to)
        assert rule is not None
        raise TransitionRefused(unit, current.value, rule)
    if condition is Allowed.ALWAYS:
        return
    if reactivation is None:
        raise ValueError(f"{current} → {to} needs the facts of the undo rule (a Reactivation)")
    rule = undo_refusal(current, reactivation)
    if rule is not None:
        raise TransitionRefused(unit, current.value, rule)


def undo_refusal(current: UnitState, reactivation: Reactivation) -> str | None:
    """The undo rule (article 13): the part of it ``reactivation`` breaks, or None.

    >>> day = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    >>> print(undo_refusal(UnitState.SUPPLIED, Reactivation(
    ...     day + dt.timedelta(hours=241), "pharmacy-1", "9520123456788",
    ...     day, "pharmacy-1", "9520123456788")))
    a decommissioned unit may be made active again only within 240 hours (10 days); it was \
decommissioned 241 hours ago, at 2026-03-01T00:00:00+00:00
    """
    if reactivation.lot_expiry is not None and reactivation.lot_expiry < reactivation.at.date():
        return (
            f"its lot expired on {reactivation.lot_expiry.isoformat()}: an expired unit may never "
            "be active again"
        )
    if reactivation.party_id != reactivation.decommissioned_by:
        return (
            "only the party that decommissioned it "
            f"({reactivation.decommissioned_by or 'the brand'}) may make it active again"
        )
    if reactivation.location_gln != reactivation.decommissioned_location:
        return (
            "it may be made active again only at the location it was decommissioned at "
            f"({reactivation.decommissioned_location or 'none recorded'})"
        )
    if allowed(current, UnitState.ACTIVE) is Allowed.UNDO_ANY_TIME:
        return None
    since = reactivation.decommissioned_at
    if since is None or reactivation.at - since > UNDO_WINDOW:
        if since is None:
            return "a decommissioned unit with no time of decommissioning recorded stays so"
        hours = f"{(reactivation.at - since) / dt.timedelta(hours=1):,.1f}".removesuffix(".0")
        return (
            "a decommissioned unit may be made active again only within 240 hours (10 days); "
            f"it was decommissioned {hours} hours ago, at {since.isoformat()}"
        )
    return None


def _either(states: list[UnitState]) -> str:
    names = [state.value for state in states]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
