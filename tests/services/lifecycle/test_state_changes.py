"""Changes of state, in CBV words, and the undo rule."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.services.issued_units import ADMIN, DIST_A_GLN, PHARMACY, PHARMACY_GLN, SHOP, T0
from tests.services.lifecycle.scenes import (
    HOUR,
    PALLET,
    code,
    dispensed,
    done,
    record,
    refused,
    unit,
    units,
)
from unitrace.registry.errors import TransitionRefused as Refusal
from unitrace.registry.model import Actor, UnitState
from unitrace.services.lifecycle import allocate, change_state
from unitrace.store.events import EventRecord
from unitrace.store.unit_of_work import Database, UnitOfWork


@pytest.mark.parametrize(
    ("to", "actor", "words"),
    [
        (UnitState.SUPPLIED, PHARMACY, ("OBSERVE", "dispensing", "dispensed")),
        (UnitState.SUPPLIED, SHOP, ("OBSERVE", "retail_selling", "retail_sold")),
        (UnitState.DESTROYED, PHARMACY, ("DELETE", "destroying", "destroyed")),
        (UnitState.STOLEN, PHARMACY, ("OBSERVE", None, "stolen")),
        (UnitState.SAMPLE, PHARMACY, ("OBSERVE", "sampling", "non_sellable_other")),
        (UnitState.FREE_SAMPLE, PHARMACY, ("OBSERVE", "sampling", "dispensed")),
        (UnitState.EXPORTED, PHARMACY, ("OBSERVE", "departing", "non_sellable_other")),
        (UnitState.LOCKED, PHARMACY, ("OBSERVE", "holding", "non_sellable_other")),
        (UnitState.CHECKED_OUT, PHARMACY, ("OBSERVE", "repackaging", "inactive")),
        (UnitState.EXPIRED, ADMIN, ("OBSERVE", None, "expired")),
        (UnitState.RECALLED, ADMIN, ("OBSERVE", None, "recalled")),
        (UnitState.WITHDRAWN, ADMIN, ("OBSERVE", None, "non_sellable_other")),
    ],
)
def test_each_state_change_is_recorded_in_cbv_words(
    scene: Database, to: UnitState, actor: Actor, words: tuple[str, ...]
) -> None:
    at = T0 + 5 * HOUR

    def change(uow: UnitOfWork) -> EventRecord:
        if actor.party_id is not None:
            allocate(
                uow, party=actor.party_id, actor=ADMIN, codes=[code(11), code(12)], at=T0 + 2 * HOUR
            )
        return change_state(uow, codes=[code(11), code(12)], to=to, actor=actor, at=at)

    event = done(scene, change)
    place = {"pharmacy-1": "urn:epc:id:sgln:9506000.00003.0"}.get(actor.party_id or "")
    assert record(event) == (
        "ObjectEvent",
        *words[:1],
        at,
        *words[1:],
        place,
        place,
        actor.party_id,
        actor.name,
    )
    with scene.unit_of_work(read_only=True) as uow:
        states = units(uow)
        assert uow.events.epc_count(event.event_id) == 2
    assert (states[11][0], states[12][0], states[13][0]) == (to.value, to.value, "active")


def test_voiding_issued_serials(scene: Database) -> None:
    event = done(
        scene,
        lambda uow: change_state(uow, codes=[code(40)], to=UnitState.VOIDED, actor=ADMIN, at=T0),
    )
    assert (event.action, event.biz_step, event.disposition) == ("DELETE", "decommissioning", None)
    with scene.unit_of_work(read_only=True) as uow:
        assert units(uow)[40][0] == "voided"


def test_a_container_code_changes_every_unit_in_it(scene: Database) -> None:
    done(
        scene,
        lambda uow: change_state(uow, codes=[PALLET], to=UnitState.LOCKED, actor=ADMIN, at=T0),
    )
    with scene.unit_of_work(read_only=True) as uow:
        assert {units(uow)[seq][0] for seq in range(1, 11)} == {"locked"}


UNDO = "unit {} is {}: {}"
WINDOW = (
    "a decommissioned unit may be made active again only within 240 hours (10 days); it was "
    "decommissioned {} hours ago, at 2026-03-02T01:00:00+00:00"
)


@pytest.mark.parametrize(
    ("to", "after", "actor", "location", "refusal"),
    [
        (UnitState.SUPPLIED, 240 * HOUR, PHARMACY, None, None),
        (
            UnitState.SUPPLIED,
            240 * HOUR + dt.timedelta(minutes=6),
            PHARMACY,
            None,
            WINDOW.format("240.1"),
        ),
        (UnitState.SAMPLE, 1000 * HOUR, PHARMACY, None, WINDOW.format("1,000")),
        (UnitState.LOCKED, 1000 * HOUR, PHARMACY, None, None),
        (
            UnitState.SUPPLIED,
            HOUR,
            PHARMACY,
            DIST_A_GLN,
            "it may be made active again only at the location it was decommissioned at "
            f"({PHARMACY_GLN})",
        ),
        (
            UnitState.SUPPLIED,
            HOUR,
            ADMIN,
            PHARMACY_GLN,
            "only the party that decommissioned it (pharmacy-1) may make it active again",
        ),
        (
            UnitState.LOCKED,
            dt.timedelta(days=2000),
            PHARMACY,
            None,
            "its lot expired on 2030-12-31: an expired unit may never be active again",
        ),
    ],
)
def test_the_ten_day_undo(
    scene: Database,
    to: UnitState,
    after: dt.timedelta,
    actor: Actor,
    location: str | None,
    refusal: str | None,
) -> None:
    dispensed(scene, [11, 12], T0, to)

    def undo(uow: UnitOfWork) -> EventRecord:
        return change_state(
            uow,
            codes=[code(11), code(12)],
            to=UnitState.ACTIVE,
            actor=actor,
            location_gln=location,
            at=T0 + after,
        )

    if refusal is None:
        event = done(scene, undo)
        assert (event.action, event.biz_step, event.disposition) == ("OBSERVE", None, "active")
        with scene.unit_of_work(read_only=True) as uow:
            assert (units(uow)[11][0], units(uow)[12][0]) == ("active", "active")
        return
    refused(scene, undo, Refusal, UNDO.format(f"{unit(11)} (and 1 more)", to.value, refusal))


def test_the_undo_window_counts_from_each_units_own_decommissioning(scene: Database) -> None:
    """Two units dispensed a day apart: the older one is the one named."""
    dispensed(scene, [11], T0)
    dispensed(scene, [12], T0 + 24 * HOUR)

    def undo(uow: UnitOfWork) -> EventRecord:
        return change_state(
            uow, codes=[code(12), code(11)], to=UnitState.ACTIVE, actor=PHARMACY, at=T0 + 250 * HOUR
        )

    refused(scene, undo, Refusal, UNDO.format(unit(11), "supplied", WINDOW.format("250")))
