"""The state table, pair by pair: every (from, to) of the 14 unit states is allowed, allowed
under the undo rule, or refused with its exact rule; and the undo rule's conditions."""

from __future__ import annotations

import datetime as dt

import pytest

from unitrace.registry.errors import TransitionRefused
from unitrace.registry.model import UnitState
from unitrace.registry.states import (
    Allowed,
    Reactivation,
    allowed,
    check_transition,
    refusal,
    sources,
    undo_refusal,
)

UNIT = "(01)09506000134352(21)S00001"
DECOMMISSIONED = ["supplied", "sample", "free_sample", "exported", "checked_out"]

# The expected table, written out independently of the implementation: for each from-state the
# first matching row gives the result for a target ("*" matches any). "always", "undo" and
# "undo any time" are allowed; anything else is the exact rule of the refusal.
EXPECTED = """
issued       issued        it is issued already
issued       active        always
issued       voided        always
issued       *             an issued serial may only be commissioned (active) or voided
active       active        it is active already
active       issued        a commissioned unit never goes back to issued
active       voided        only an issued serial that was never commissioned may be voided
active       *             always
{d}          active        undo
{d}          {d}           it is {d} already
{d}          recalled      always
{d}          withdrawn     always
{d}          issued        a commissioned unit never goes back to issued
{d}          voided        only an issued serial that was never commissioned may be voided
{d}          *             a decommissioned unit must be made active again (within the undo rule) before it changes state
locked       active        undo any time
locked       locked        it is locked already
locked       recalled      always
locked       withdrawn     always
locked       issued        a commissioned unit never goes back to issued
locked       voided        only an issued serial that was never commissioned may be voided
locked       *             a decommissioned unit must be made active again (within the undo rule) before it changes state
recalled     destroyed     always
recalled     recalled      it is recalled already
recalled     active        recalled is irreversible: the unit may never be active again
recalled     *             recalled is irreversible: the unit may only become destroyed
withdrawn    destroyed     always
withdrawn    withdrawn     it is withdrawn already
withdrawn    active        withdrawn is irreversible: the unit may never be active again
withdrawn    *             withdrawn is irreversible: the unit may only become destroyed
expired      destroyed     always
expired      recalled      always
expired      withdrawn     always
expired      expired       it is expired already
expired      active        expired is irreversible: the unit may never be active again
expired      *             expired is irreversible: the unit may only become destroyed, recalled or withdrawn
destroyed    destroyed     it is destroyed already
destroyed    *             destroyed is terminal: nothing may follow it
stolen       stolen        it is stolen already
stolen       *             stolen is terminal: nothing may follow it
voided       voided        it is voided already
voided       *             voided is terminal: nothing may follow it
"""


def expected_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in EXPECTED.strip().splitlines():
        current, to, result = line.split(maxsplit=2)
        if current == "{d}":
            rows += [
                (state, to.replace("{d}", state), result.replace("{d}", state))
                for state in DECOMMISSIONED
            ]
        else:
            rows.append((current, to, result))
    return rows


def expected(current: UnitState, to: UnitState) -> str:
    for row_from, row_to, result in expected_rows():
        if row_from == current.value and row_to in (to.value, "*"):
            return result
    raise AssertionError(f"the expected table has no row for {current} → {to}")


PAIRS = [(current, to) for current in UnitState for to in UnitState]


def test_the_expected_table_covers_every_state() -> None:
    assert {row[0] for row in expected_rows()} == {state.value for state in UnitState}
    assert len(PAIRS) == 14 * 14


@pytest.mark.parametrize(("current", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_each_pair_is_allowed_or_refused_with_its_rule(current: UnitState, to: UnitState) -> None:
    result = expected(current, to)
    condition = allowed(current, to)
    if result in ("always", "undo", "undo any time"):
        assert condition is Allowed(result)
        assert refusal(current, to) is None
        return
    assert condition is None
    assert refusal(current, to) == result
    with pytest.raises(TransitionRefused) as refused:
        check_transition(UNIT, current, to)
    assert (refused.value.unit, refused.value.state, refused.value.rule) == (
        UNIT,
        current.value,
        result,
    )
    assert str(refused.value) == f"unit {UNIT} is {current}: {result}"


@pytest.mark.parametrize(
    ("to", "states"),
    [
        (UnitState.ACTIVE, {"issued"}),
        (UnitState.VOIDED, {"issued"}),
        (UnitState.SUPPLIED, {"active"}),
        (UnitState.DESTROYED, {"active", "recalled", "withdrawn", "expired"}),
        (UnitState.EXPIRED, {"active"}),
        (
            UnitState.RECALLED,
            {"active", "expired", "locked", *DECOMMISSIONED},
        ),
    ],
)
def test_the_states_a_change_is_always_allowed_from(to: UnitState, states: set[str]) -> None:
    assert {state.value for state in sources(to)} == states


# --- the undo rule ------------------------------------------------------------------------

DECOMMISSIONED_AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PHARMACY, PHARMACY_GLN = "pharmacy-1", "9506000000039"


def reactivation(
    after: dt.timedelta,
    *,
    party: str | None = PHARMACY,
    location: str | None = PHARMACY_GLN,
    lot_expiry: dt.date | None = dt.date(2030, 12, 31),
) -> Reactivation:
    return Reactivation(
        at=DECOMMISSIONED_AT + after,
        party_id=party,
        location_gln=location,
        decommissioned_at=DECOMMISSIONED_AT,
        decommissioned_by=PHARMACY,
        decommissioned_location=PHARMACY_GLN,
        lot_expiry=lot_expiry,
    )


HOUR = dt.timedelta(hours=1)
WINDOW = (
    "a decommissioned unit may be made active again only within 240 hours (10 days); it was "
    "decommissioned {} hours ago, at 2026-03-02T09:00:00+08:00"
)


@pytest.mark.parametrize(
    ("state", "facts", "rule"),
    [
        ("supplied", reactivation(0 * HOUR), None),
        ("supplied", reactivation(240 * HOUR), None),
        ("supplied", reactivation(240 * HOUR + dt.timedelta(seconds=1)), WINDOW.format("240")),
        ("sample", reactivation(240.5 * HOUR), WINDOW.format("240.5")),
        ("exported", reactivation(24_000 * HOUR), WINDOW.format("24,000")),
        ("locked", reactivation(24_000 * HOUR), None),
        (
            "supplied",
            reactivation(HOUR, party="dist-a"),
            "only the party that decommissioned it (pharmacy-1) may make it active again",
        ),
        (
            "locked",
            reactivation(HOUR, party=None),
            "only the party that decommissioned it (pharmacy-1) may make it active again",
        ),
        (
            "supplied",
            reactivation(HOUR, location="9506000000015"),
            "it may be made active again only at the location it was decommissioned at "
            "(9506000000039)",
        ),
        (
            "checked_out",
            reactivation(HOUR, lot_expiry=dt.date(2026, 3, 1)),
            "its lot expired on 2026-03-01: an expired unit may never be active again",
        ),
        ("free_sample", reactivation(HOUR, lot_expiry=dt.date(2026, 3, 2)), None),
    ],
)
def test_the_undo_rule(state: str, facts: Reactivation, rule: str | None) -> None:
    assert undo_refusal(UnitState(state), facts) == rule
    if rule is None:
        check_transition(UNIT, UnitState(state), UnitState.ACTIVE, facts)
    else:
        with pytest.raises(TransitionRefused, match="^unit .* is " + state):
            check_transition(UNIT, UnitState(state), UnitState.ACTIVE, facts)


def test_the_brand_undoes_what_the_brand_decommissioned() -> None:
    facts = Reactivation(
        at=DECOMMISSIONED_AT + HOUR,
        party_id=None,
        location_gln=None,
        decommissioned_at=DECOMMISSIONED_AT,
        decommissioned_by=None,
        decommissioned_location=None,
    )
    assert undo_refusal(UnitState.SUPPLIED, facts) is None


def test_an_undo_needs_its_facts() -> None:
    with pytest.raises(ValueError, match="Reactivation"):
        check_transition(UNIT, UnitState.SUPPLIED, UnitState.ACTIVE)
