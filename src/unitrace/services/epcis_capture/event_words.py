"""What the words of a captured event mean for the units it names: the state a bizStep and
disposition (or a ``persistentDisposition``) move them to, the lot and expiry its ILMD gives
the units it commissions, the GLN a location or party names. CBV words are read bare (see
:mod:`~unitrace.epcis.xml` for the other spellings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from unitrace.epcis.model import date_written
from unitrace.gs1 import InvalidCode, parse
from unitrace.gs1.check_digits import gs1_check_digit
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import UnitState

__all__ = [
    "STATES_BY_BIZ_STEP",
    "STATES_BY_DISPOSITION",
    "STATES_BY_STEP_AND_DISPOSITION",
    "gln_of",
    "ilmd_lot_and_expiry",
    "lasting_states",
    "state_of",
]

#: The unit state a decommissioning event moves units to, by CBV disposition, else by bizStep.
STATES_BY_DISPOSITION: Final[Mapping[str, UnitState]] = {
    "dispensed": UnitState.SUPPLIED,
    "retail_sold": UnitState.SUPPLIED,
    "destroyed": UnitState.DESTROYED,
    "stolen": UnitState.STOLEN,
    "recalled": UnitState.RECALLED,
    "expired": UnitState.EXPIRED,
}
#: Where the disposition alone says too little, the state by bizStep and disposition together:
#: the words unitrace's own events use for these states (see :mod:`~unitrace.services.lifecycle`).
STATES_BY_STEP_AND_DISPOSITION: Final[Mapping[tuple[str, str], UnitState]] = {
    ("sampling", "dispensed"): UnitState.FREE_SAMPLE,
    ("sampling", "non_sellable_other"): UnitState.SAMPLE,
    ("departing", "non_sellable_other"): UnitState.EXPORTED,
    ("holding", "non_sellable_other"): UnitState.LOCKED,
    ("repackaging", "inactive"): UnitState.CHECKED_OUT,
}
STATES_BY_BIZ_STEP: Final[Mapping[str, UnitState]] = {
    "dispensing": UnitState.SUPPLIED,
    "retail_selling": UnitState.SUPPLIED,
    "destroying": UnitState.DESTROYED,
    "sampling": UnitState.SAMPLE,
    "decommissioning": UnitState.VOIDED,
}

_PGLN: Final = "urn:epc:id:pgln:"


def state_of(step: str, disposition: str, persistent: Sequence[str]) -> UnitState | None:
    """The unit state an ObjectEvent's words move units to, if any: by its bizStep and
    disposition, or by a disposition its ``persistentDisposition`` sets; refused where they
    name different states (a recall is never dropped for another change)."""
    named = (
        STATES_BY_STEP_AND_DISPOSITION.get((step, disposition))
        or STATES_BY_DISPOSITION.get(disposition)
        or STATES_BY_BIZ_STEP.get(step)
    )
    lasting = lasting_states(persistent)
    if named is not None:
        lasting.add(named)
    if len(lasting) > 1:
        raise InvalidRequest(
            f"persistentDisposition: the event names the states "
            f"{', '.join(sorted(state.value for state in lasting))} at once: send them as "
            "separate events"
        )
    return named or next(iter(lasting), None)


def lasting_states(persistent: Sequence[str]) -> set[UnitState]:
    """The unit states the dispositions a ``persistentDisposition`` sets stand for."""
    return {STATES_BY_DISPOSITION[word] for word in persistent if word in STATES_BY_DISPOSITION}


def ilmd_lot_and_expiry(event: Mapping[str, Any]) -> tuple[str | None, dt.date | None]:
    """The lot and expiry an event's ILMD gives the objects it commissions; refused unless
    the lot is text and the expiry a date as XML Schema writes one (``2030-12-31``)."""
    ilmd = event.get("ilmd") or {}
    lot, expiry = ilmd.get("cbvmda:lotNumber"), ilmd.get("cbvmda:itemExpirationDate")
    if lot is not None and not isinstance(lot, str):
        raise InvalidRequest(f"ilmd.cbvmda:lotNumber: {lot!r} is not text")
    if expiry is None:
        return lot, None
    date = date_written(expiry)
    if date is None:
        raise InvalidRequest(
            f"ilmd.cbvmda:itemExpirationDate: {expiry!r} is not a date written YYYY-MM-DD"
        )
    return lot, date


def gln_of(uri: str | None) -> str | None:
    """The GLN an SGLN or PGLN EPC URI, or a Digital Link with AI 414 or 417, names."""
    if not uri:
        return None
    if uri.startswith(_PGLN):
        company_prefix, _, party = uri.removeprefix(_PGLN).partition(".")
        digits = company_prefix + party
        if len(digits) != 12 or not digits.isdigit():
            return None
        return digits + gs1_check_digit(digits)
    try:
        scan = parse(uri)
    except (InvalidCode, ValueError):
        return None
    return scan.ais.get("414") or scan.ais.get("417")
