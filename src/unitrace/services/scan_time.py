"""When a scan happened: the service's clock, or the time an authenticated scanner gives.

A scanner that was offline hands its scans in later, each with the time it was made (``at``
of ``POST /api/scans``). That time is what every later holder of the pack is told ("first
scanned on …") and what the clone detectors measure travel by, so it is taken

- only from a caller that authenticated as a scanner: a ``verifier`` or ``distributor``
  token, or the brand's ``admin`` (:func:`may_give_time`). An anonymous caller's ``at``, or a
  packaging line's, is not taken: the scan is logged at the service's time;
- only within bounds: not later than the service's clock allows (:data:`CLOCK_SKEW`), not
  before the unit was commissioned (:func:`commissioned_at`), and, for a code that names no
  unit of ours, not before :data:`EARLIEST`. A time out of bounds, or out of the range of
  dates altogether (``9999-12-31T23:59:59-12:00`` is no time in UTC), is not refused, since
  the scan itself is a fact: it is logged at the service's time. The answer says which time
  the scan was logged at.

A time without a UTC offset is no time at all: it is refused, whoever sends it.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from unitrace.epcis import EpcNaming
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Actor, Product, Role, UnitState
from unitrace.store.unit_of_work import UnitOfWork
from unitrace.store.units import UnitRecord

__all__ = [
    "CLOCK_SKEW",
    "EARLIEST",
    "SCANNERS",
    "claimed_time",
    "commissioned_at",
    "logged_at",
    "may_give_time",
]

#: The roles whose scans may say when they were made: the scanners (a pharmacist's or
#: partner's ``verifier``, a ``distributor``), and the brand's ``admin``, admitted everywhere.
#: A ``line`` token records the packaging line's events; it is no scanner.
SCANNERS: Final = frozenset({Role.ADMIN, Role.DISTRIBUTOR, Role.VERIFIER})
#: How far ahead of the service's clock a scanner's clock may run and its times still be
#: taken.
CLOCK_SKEW: Final = dt.timedelta(minutes=5)
#: No scan of a code that names no unit of ours is logged earlier than this: nothing
#: commissioned bounds such a time from below, and the guessing detector counts back from it.
EARLIEST: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: The commissioning business step, in each spelling an EPCIS event may hold it.
COMMISSIONING_STEPS: Final = (
    "commissioning",
    "urn:epcglobal:cbv:bizstep:commissioning",
    "https://ref.gs1.org/cbv/BizStep-commissioning",
    "cbv:BizStep-commissioning",
)
#: States of a unit that never was on a pack.
_NEVER_COMMISSIONED: Final = frozenset({UnitState.ISSUED, UnitState.VOIDED})


def may_give_time(actor: Actor | None) -> bool:
    """Whether a scan from ``actor`` (None: anonymous) may say when it was made.

    >>> may_give_time(Actor("token:7", Role.VERIFIER)), may_give_time(None)
    (True, False)
    >>> may_give_time(Actor("token:8", Role.LINE))
    False
    """
    return actor is not None and actor.role in SCANNERS


def claimed_time(at: dt.datetime | None, *, now: dt.datetime) -> dt.datetime | None:
    """``at`` in UTC where it may be a scan's time whatever the code names: a date in range,
    not before :data:`EARLIEST`, not after ``now`` and :data:`CLOCK_SKEW`; None otherwise
    (and for no time). A time without an offset raises :class:`InvalidRequest`.

    >>> now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    >>> claimed_time(dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), now=now)
    datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone.utc)
    >>> claimed_time(now + dt.timedelta(hours=1), now=now) is None
    True
    >>> far = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12)))
    >>> claimed_time(far, now=now) is None
    True
    """
    if at is None:
        return None
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidRequest("at: needs a UTC offset")
    try:
        utc = at.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None  # no time in UTC: before year 1 or after year 9999 once the offset is taken
    if utc < EARLIEST or utc > now + CLOCK_SKEW:
        return None
    return utc


def commissioned_at(
    uow: UnitOfWork, product: Product | None, unit: UnitRecord
) -> dt.datetime | None:
    """When ``unit`` was commissioned: its earliest commissioning event; where none names it
    under the product's own EPC (a partner's event may have spelled it otherwise), the time
    it entered its state, which is no earlier. None for a unit never on a pack."""
    if unit.state in _NEVER_COMMISSIONED:
        return None
    prefix = product.company_prefix_length if product is not None else None
    epc = EpcNaming.of([(unit.gtin, prefix)]).sgtin(unit.gtin, unit.serial)
    found = uow.events.earliest(epc, COMMISSIONING_STEPS)
    return found if found is not None else unit.state_since


def logged_at(
    uow: UnitOfWork,
    claimed: dt.datetime | None,
    now: dt.datetime,
    product: Product | None,
    unit: UnitRecord | None,
) -> dt.datetime:
    """The time a scan is logged at: ``claimed`` (a time :func:`claimed_time` took) where the
    unit scanned was commissioned by then; else ``now``. A code that names no unit is logged
    when it came: a time of the scanner's own would move it out of the window the guessing
    detector counts in."""
    if claimed is None or unit is None:
        return now
    commissioned = commissioned_at(uow, product, unit)
    if commissioned is None or claimed < commissioned:
        return now
    return claimed
