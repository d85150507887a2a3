"""The unit projection: each unit's current state, lot, container, custodian and location, read
and changed over a selection of units, in the same transaction as the events that change it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal_column, select, update

from unitrace.gs1 import Gtin
from unitrace.registry.model import LotStatus, UnitState
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import containers, lots, products, units
from unitrace.store.times import utc
from unitrace.store.units.selections import Selector, UnitKeys, UnitSelection, equals, stored


@dataclass(frozen=True, slots=True)
class ProductKey:
    """What naming and selecting a product's units needs."""

    id: int
    gtin: Gtin
    company_prefix_length: int | None
    serial_alphabet: str
    issued: int


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """One unit as the projection holds it, with its lot."""

    product_id: int
    gtin: Gtin
    serial: str
    lot_id: int
    lot: str
    expiry: dt.date
    lot_status: LotStatus
    seq: int
    state: UnitState
    container_id: int | None
    container_epc: str | None
    custodian_id: str | None
    location_gln: str | None
    state_since: dt.datetime | None
    state_party_id: str | None
    state_location_gln: str | None
    previous_state: UnitState | None


@dataclass(frozen=True, slots=True)
class UnitGroup:
    """Units of a selection that share everything the lifecycle rules look at: a tally, so
    that rules are checked once per group instead of once per unit."""

    lot_id: int
    lot_expiry: dt.date
    state: UnitState
    custodian_id: str | None
    packed: bool
    state_party_id: str | None
    state_location_gln: str | None
    count: int
    #: the earliest ``state_since`` in the group: the one the 10-day rule is strictest on
    oldest_state_since: dt.datetime | None


class UnitProjection(Selector):
    """Reading and changing the units of the projection."""

    def product_keys(self) -> dict[str, ProductKey]:
        """Every product by GTIN: few enough to read whole, and all of them are needed to
        name the codes a request may mix."""
        rows = self.connection.execute(
            select(
                products.c.id,
                products.c.gtin,
                products.c.company_prefix_length,
                products.c.serial_alphabet,
                products.c.issued,
            )
        )
        return {
            row.gtin: ProductKey(
                row.id, Gtin(row.gtin), row.company_prefix_length, row.serial_alphabet, row.issued
            )
            for row in rows
        }

    def get(self, product_id: int, serial: str) -> UnitRecord | None:
        found = _ONE_UNIT.rows(self.connection, {"product_id": product_id, "serial": serial})
        return _unit_from_row(found[0]) if found else None

    def find(self, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], UnitRecord]:
        """The units among ``keys`` that exist, by key."""
        found: dict[tuple[int, str], UnitRecord] = {}
        for condition in self.conditions(UnitKeys(tuple(keys))):
            for row in self.connection.execute(_UNITS.where(condition)):
                record = _unit_from_row(row)
                found[(record.product_id, record.serial)] = record
        return found

    def count(self, selection: UnitSelection) -> int:
        return sum(
            self.connection.execute(
                select(func.count()).select_from(units).where(condition)
            ).scalar_one()
            for condition in self.conditions(selection)
        )

    def groups(self, selection: UnitSelection) -> list[UnitGroup]:
        """The units of ``selection`` tallied by lot, state, custodian, whether packed, and
        by whom and where they entered their state."""
        packed = units.c.container_id.is_not(None)
        keys = (
            units.c.lot_id,
            lots.c.expiry,
            units.c.state,
            units.c.custodian_id,
            packed,
            units.c.state_party_id,
            units.c.state_location_gln,
        )
        merged: dict[tuple[Any, ...], tuple[int, dt.datetime | None]] = {}
        for condition in self.conditions(selection):
            query = (
                select(*keys, func.count(), func.min(units.c.state_since))
                .join(lots, lots.c.id == units.c.lot_id)
                .where(condition)
                .group_by(*keys)
            )
            for row in self.connection.execute(query):
                key = tuple(row[:7])
                count, oldest = row[7], _utc(row[8])
                if key in merged:
                    before, earlier = merged[key]
                    count += before
                    oldest = min((t for t in (oldest, earlier) if t is not None), default=None)
                merged[key] = (count, oldest)
        return [
            UnitGroup(
                lot_id=key[0],
                lot_expiry=key[1],
                state=UnitState(key[2]),
                custodian_id=key[3],
                packed=bool(key[4]),
                state_party_id=key[5],
                state_location_gln=key[6],
                count=count,
                oldest_state_since=oldest,
            )
            for key, (count, oldest) in merged.items()
        ]

    def examples(
        self,
        selection: UnitSelection,
        group: UnitGroup | None = None,
        *,
        limit: int = 3,
        state_since_before: dt.datetime | None = None,
    ) -> tuple[list[tuple[Gtin, str]], int]:
        """A few units of ``selection`` (of ``group``, in their state since before a time),
        the longest in their state first, to name in a message; and how many such units
        there are."""
        extra: list[ColumnElement[bool]] = []
        if group is not None:
            extra += [
                # "+ 0": the selection's own condition, not the lot's index, finds the units
                units.c.lot_id + literal_column("0") == group.lot_id,
                units.c.state == group.state.value,
                equals(units.c.custodian_id, group.custodian_id),
                units.c.container_id.is_not(None)
                if group.packed
                else units.c.container_id.is_(None),
                equals(units.c.state_party_id, group.state_party_id),
                equals(units.c.state_location_gln, group.state_location_gln),
            ]
        if state_since_before is not None:
            extra.append(units.c.state_since < stored(state_since_before))
        found: list[tuple[Any, ...]] = []
        count = 0
        for condition in self.conditions(selection):
            query = (
                select(units.c.state_since, products.c.gtin, units.c.serial)
                .join(products, products.c.id == units.c.product_id)
                .where(condition, *extra)
                .order_by(units.c.state_since, products.c.gtin, units.c.serial)
                .limit(limit)
            )
            found += [tuple(row) for row in self.connection.execute(query)]
            count += self.connection.execute(
                select(func.count()).select_from(units).where(condition, *extra)
            ).scalar_one()
        earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
        found.sort(key=lambda row: (_utc(row[0]) or earliest, row[1], row[2]))
        return [(Gtin(gtin), serial) for _, gtin, serial in found[:limit]], count

    def product_ids(self, selection: UnitSelection) -> list[int]:
        ids: set[int] = set()
        for condition in self.conditions(selection):
            query = select(units.c.product_id).where(condition).distinct()
            ids.update(self.connection.execute(query).scalars())
        return sorted(ids)

    def set_state(
        self,
        selection: UnitSelection,
        *,
        to: UnitState,
        from_states: Iterable[UnitState],
        at: dt.datetime,
        party_id: str | None,
        location_gln: str | None,
    ) -> int:
        """Move the units of ``selection`` that are in one of ``from_states`` to ``to``,
        recording when, by whom and where (also their last location, where one is given);
        how many moved is returned, for the caller to compare with what it checked."""
        values: dict[str, Any] = {
            "state": to.value,
            "previous_state": units.c.state,
            "state_since": stored(at),
            "state_party_id": party_id,
            "state_location_gln": location_gln,
        }
        if location_gln is not None:
            values["location_gln"] = location_gln
        allowed = [state.value for state in from_states]
        return self._update(selection, values, units.c.state.in_(allowed))

    def set_custodian(
        self, selection: UnitSelection, party_id: str | None, *, from_party: str | None
    ) -> int:
        """Hand the active units of ``selection`` held by ``from_party`` (None: the brand)
        to ``party_id``; how many moved is returned, for the caller to compare with what it
        checked (a concurrent shipment of the same units then shows)."""
        return self._update(
            selection,
            {"custodian_id": party_id},
            equals(units.c.custodian_id, from_party),
            units.c.state == UnitState.ACTIVE.value,
        )

    def set_location(self, selection: UnitSelection, location_gln: str | None) -> int:
        return self._update(selection, {"location_gln": location_gln})

    def pack(self, selection: UnitSelection, container_id: int) -> int:
        """Put the loose units of ``selection`` in ``container_id``; how many were packed is
        returned, for the caller to compare with what it checked."""
        return self._update(
            selection, {"container_id": container_id}, units.c.container_id.is_(None)
        )

    def unpack(self, selection: UnitSelection, container_id: int) -> int:
        """Take the units of ``selection`` that are in ``container_id`` out of it."""
        return self._update(selection, {"container_id": None}, units.c.container_id == container_id)

    def _update(
        self, selection: UnitSelection, values: dict[str, Any], *extra: ColumnElement[bool]
    ) -> int:
        changed = 0
        for condition in self.conditions(selection):
            result = self.connection.execute(update(units).where(condition, *extra).values(values))
            changed += result.rowcount
        return changed


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # an aggregate over a SQLite column comes back as text
        value = dt.datetime.fromisoformat(value)
    return utc(value)


# Units with their lot and container, as every read of units wants them.
_UNITS = (
    select(
        units,
        products.c.gtin,
        lots.c.lot,
        lots.c.expiry,
        lots.c.status.label("lot_status"),
        containers.c.epc.label("container_epc"),
    )
    .join(products, products.c.id == units.c.product_id)
    .join(lots, lots.c.id == units.c.lot_id)
    .outerjoin(containers, containers.c.id == units.c.container_id)
)


# The verification hot path's read of a unit.
_ONE_UNIT = DriverStatement(
    _UNITS.where(
        units.c.product_id == bindparam("product_id"), units.c.serial == bindparam("serial")
    )
)


#: A product's GTIN as read back, validated once: bulk reads give the same few thousands of times.
_registered_gtin = lru_cache(maxsize=1024)(Gtin)


def _unit_from_row(row: Any) -> UnitRecord:
    return UnitRecord(
        product_id=row.product_id,
        gtin=_registered_gtin(row.gtin),
        serial=row.serial,
        lot_id=row.lot_id,
        lot=row.lot,
        expiry=row.expiry,
        lot_status=LotStatus(row.lot_status),
        seq=row.seq,
        state=UnitState(row.state),
        container_id=row.container_id,
        container_epc=row.container_epc,
        custodian_id=row.custodian_id,
        location_gln=row.location_gln,
        state_since=_utc(row.state_since),
        state_party_id=row.state_party_id,
        state_location_gln=row.state_location_gln,
        previous_state=UnitState(row.previous_state) if row.previous_state else None,
    )
