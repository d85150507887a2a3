"""The unit projection: each unit's current state, lot, container, custodian and location,
kept up to date in the same transaction as the events that change it, and the containers
(cases and pallets) units are packed in.

Every change is one set-based statement over a *selection* of units, never a loop over rows:
a seq range of a lot (:class:`LotRange`), the units packed in some containers
(:class:`InContainers`), or a list of (product, serial) keys (:class:`UnitKeys`, cut into
chunks that stay within every database's limit on parameters).

The rooms, which :class:`UnitRepository` (a unit of work's ``units``) brings together:

- :mod:`~unitrace.store.units.selections`: the selections and the conditions they make
  (:class:`~unitrace.store.units.selections.Selector`), cut into chunks;
- :mod:`~unitrace.store.units.projection`: reading the units (one, some by key, tallied in
  groups for the rules, a few named as examples) and changing them (state, custodian,
  location, packing);
- :mod:`~unitrace.store.units.containers`: cases and pallets, inside one another, and the
  units packed directly in one.
"""

from __future__ import annotations

from unitrace.store.units.containers import ContainerRecord, Containers
from unitrace.store.units.projection import ProductKey, UnitGroup, UnitProjection, UnitRecord
from unitrace.store.units.selections import (
    CHUNK,
    InContainers,
    LotRange,
    UnitKeys,
    UnitSelection,
)


class UnitRepository(UnitProjection, Containers):
    """The units of the projection and the containers they are packed in, on one
    connection."""


__all__ = [
    "CHUNK",
    "ContainerRecord",
    "InContainers",
    "LotRange",
    "ProductKey",
    "UnitGroup",
    "UnitKeys",
    "UnitRecord",
    "UnitRepository",
    "UnitSelection",
]
