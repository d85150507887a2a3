"""Evidence as the detectors read it, built without a database: a unit as the registry holds
it, logged scans of it, and the scan being judged."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from unitrace.gs1 import Gtin
from unitrace.places import Place
from unitrace.registry.model import LotStatus, UnitState
from unitrace.services.verification.evidence import Evidence
from unitrace.store.scans import ScanRecord
from unitrace.store.units import UnitRecord

GTIN = Gtin("09506000134352")
T1 = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)
EXPIRY = dt.date(2030, 12, 31)
KUALA_LUMPUR = Place(3.139, 101.6869, "Kuala Lumpur", "MY-14", "MY")
PENANG = Place(5.4164, 100.3327, "George Town", "MY-07", "MY")
IPOH = Place(4.5975, 101.0901, "Ipoh", "MY-08", "MY")
JOHOR_BAHRU = Place(1.4927, 103.7414, "Johor Bahru", "MY-01", "MY")
SINGAPORE = Place(1.29, 103.85, "Singapore", None, "SG")
#: a shop next door to the first: well within GPS noise
KUALA_LUMPUR_NEXT_DOOR = Place(3.15, 101.70, "Kuala Lumpur", "MY-14", "MY")

UNIT = UnitRecord(
    product_id=1,
    gtin=GTIN,
    serial="S00001",
    lot_id=1,
    lot="L1",
    expiry=EXPIRY,
    lot_status=LotStatus.RELEASED,
    seq=1,
    state=UnitState.ACTIVE,
    container_id=None,
    container_epc=None,
    custodian_id=None,
    location_gln=None,
    state_since=None,
    state_party_id=None,
    state_location_gln=None,
    previous_state=None,
)


def unit(**changes: Any) -> UnitRecord:
    """The active unit of a released lot, with ``changes``."""
    return replace(UNIT, **changes)


def logged(
    minutes_before: float,
    place: Place = KUALA_LUMPUR,
    client: str | None = None,
    address: str | None = None,
) -> ScanRecord:
    """A scan logged ``minutes_before`` the scan being judged (at ``T1``)."""
    return ScanRecord(
        id=1,
        at=T1 - dt.timedelta(minutes=minutes_before),
        verdict="genuine",
        reasons=(),
        client=client,
        place=place,
        address=address,
    )


def evidence(**given: Any) -> Evidence:
    """A scan of :data:`UNIT` at ``T1`` in Kuala Lumpur, with ``given`` instead."""
    return Evidence(**{"unit": UNIT, "at": T1, "place": KUALA_LUMPUR, **given})
