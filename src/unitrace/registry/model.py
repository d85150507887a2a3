"""What the registry knows: products, their lots, the parties units go to, and units.

>>> UnitState("free_sample").is_decommissioned
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from unitrace.gs1 import Gtin
from unitrace.registry.detection import NO_PRODUCT_RULES, ProductRules


class UnitState(StrEnum):
    """A unit's state, modelled on the EU FMD pack states, the strictest in force."""

    ISSUED = "issued"  # serial allocated, not yet on a pack
    ACTIVE = "active"
    SUPPLIED = "supplied"
    DESTROYED = "destroyed"
    STOLEN = "stolen"
    SAMPLE = "sample"
    FREE_SAMPLE = "free_sample"
    EXPORTED = "exported"
    LOCKED = "locked"
    CHECKED_OUT = "checked_out"
    RECALLED = "recalled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    VOIDED = "voided"  # an issued serial that was never applied

    @property
    def is_decommissioned(self) -> bool:
        return self in DECOMMISSIONED_STATES

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATES


DECOMMISSIONED_STATES = frozenset(
    {
        UnitState.SUPPLIED,
        UnitState.DESTROYED,
        UnitState.STOLEN,
        UnitState.SAMPLE,
        UnitState.FREE_SAMPLE,
        UnitState.EXPORTED,
        UnitState.LOCKED,
        UnitState.CHECKED_OUT,
    }
)
TERMINAL_STATES = frozenset({UnitState.DESTROYED, UnitState.STOLEN, UnitState.VOIDED})
#: Lot- or product-level blocks: a unit in one of these may never be sold again.
BLOCKED_STATES = frozenset({UnitState.RECALLED, UnitState.WITHDRAWN, UnitState.EXPIRED})


class LotStatus(StrEnum):
    RELEASED = "released"
    RECALLED = "recalled"
    WITHDRAWN = "withdrawn"


class PartyRole(StrEnum):
    BRAND = "brand"
    MANUFACTURER = "manufacturer"
    DISTRIBUTOR = "distributor"
    WHOLESALER = "wholesaler"
    RETAILER = "retailer"
    PHARMACY = "pharmacy"
    LOGISTICS = "3pl"
    HOSPITAL = "hospital"


#: The default serial alphabet: 32 upper-case characters without the look-alikes 0/O and 1/I.
UNAMBIGUOUS_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class SerialFormat:
    """How a product's serials look: their length and the characters they are drawn from."""

    length: int = 12
    alphabet: str = UNAMBIGUOUS_ALPHABET

    @property
    def possible(self) -> int:
        """How many different serials the format can express."""
        return int(len(self.alphabet) ** self.length)


@dataclass(frozen=True, slots=True)
class Product:
    gtin: Gtin
    name: str
    company_prefix_length: int | None = None
    serial_format: SerialFormat = field(default_factory=SerialFormat)
    target_markets: tuple[str, ...] = ()
    storage_conditions: str | None = None
    #: Serials issued for this GTIN, for all time: the numerator of the guess probability.
    issued: int = 0
    #: The product's own clone and grey-market rules; the service's defaults where unset.
    detection_rules: ProductRules = NO_PRODUCT_RULES


@dataclass(frozen=True, slots=True)
class Lot:
    gtin: Gtin
    lot: str
    expiry: dt.date
    production_date: dt.date | None = None
    site: str | None = None
    status: LotStatus = LotStatus.RELEASED
    status_reason: str | None = None
    #: Units issued in this lot; the next unit's ``seq`` is one more.
    issued: int = 0


@dataclass(frozen=True, slots=True)
class Party:
    """A distributor, wholesaler, retailer, 3PL, pharmacy: anyone who holds units."""

    id: str
    name: str
    role: PartyRole
    gln: str | None = None
    #: ISO 3166-1 alpha-2 countries and ISO 3166-2 subdivisions, e.g. ("MY-14", "SG").
    territory: tuple[str, ...] = ()


class Role(StrEnum):
    """What an API token may do."""

    ADMIN = "admin"  # everything
    LINE = "line"  # issue serials, commission, aggregate
    DISTRIBUTOR = "distributor"  # units in its own party's custody only
    VERIFIER = "verifier"  # read verification only


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks: recorded on every event and audit line, and checked against the rules."""

    name: str
    role: Role
    party_id: str | None = None
