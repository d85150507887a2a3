"""Holds: units kept from the market until what put them on hold is cleared (a failed
inspection until a passing one; a cold chain breach is another cause). A hold is not a state
of the state table: a held unit stays active, in its custodian's hands, and may be received,
packed, sampled, destroyed or recalled; what it may not do is leave for the market or into
other goods, which is what this rule refuses, once per selection of units, never per unit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from unitrace.registry.errors import Conflict
from unitrace.registry.model import UnitState
from unitrace.services.lifecycle.targets import some_units
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units.selections import UnitSelection

#: The cause of a hold a failed inspection places.
INSPECTION: Final = "inspection"

#: The cause of a hold a cold chain breach places (:mod:`unitrace.services.cold_chain`).
COLD_CHAIN: Final = "cold_chain"

#: Why a unit is on hold, in words, by cause (a scan's answer says it too).
HOLD_WORDS: Final[Mapping[str, str]] = {
    INSPECTION: "on hold after a failed inspection",
    COLD_CHAIN: "on hold: storage conditions were not kept",
}

#: The states a held unit may not enter: on the market (supplied, a free sample, exported)
#: or consumed into other goods (checked out by a transformation or an assembly).
KEPT_FROM: Final = frozenset(
    {UnitState.SUPPLIED, UnitState.FREE_SAMPLE, UnitState.EXPORTED, UnitState.CHECKED_OUT}
)


def hold_words(cause: str) -> str:
    return HOLD_WORDS.get(cause, f"on hold ({cause})")


def refuse_held(uow: UnitOfWork, selections: Sequence[UnitSelection], doing: str) -> None:
    """Refuse (:class:`Conflict`) ``doing`` to units of ``selections`` that are on hold,
    naming one of them and why it is held."""
    for selection in selections:
        held = uow.holds.held(selection)
        if held is not None:
            raise Conflict(
                f"unit {some_units([(held.gtin, held.serial)], held.count)} is "
                f"{hold_words(held.cause)}: a unit on hold may not be {doing} until a passing "
                "inspection of what failed releases it"
            )
