"""The unit projection: each unit's current state, lot, container, custodian and location,
kept up to date in the same transaction as the events that change it, and the containers
(cases and pallets) units are packed in.

Every change is one set-based statement over a *selection* of units, never a loop over rows:
a seq range of a lot (:class:`LotRange`), the units packed in some containers
(:class:`InContainers`), or a list of (product, serial) keys (:class:`UnitKeys`, cut into
chunks that stay within every database's limit on parameters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Text,
    and_,
    any_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from unitrace.gs1 import Gtin
from unitrace.registry.model import LotStatus, UnitState
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import containers, lots, products, units
from unitrace.store.times import utc

#: Keys or ids per statement: 2 parameters per key stays far below SQLite's 32,766 and
#: PostgreSQL's 65,535.
CHUNK = 2_000

# SQLite reads a product's units in key order (product, serial) faster than it probes the
# (lot, seq) index once per unit, once a range holds more than this share of the product.
_SCAN_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class LotRange:
    """Units ``seq_from`` … ``seq_to`` of one lot."""

    product_id: int
    lot_id: int
    seq_from: int
    seq_to: int

    @property
    def size(self) -> int:
        return self.seq_to - self.seq_from + 1


@dataclass(frozen=True, slots=True)
class InContainers:
    """The units packed directly in any of ``container_ids``; give a whole subtree
    (:meth:`UnitRepository.subtree`) for the units at every depth."""

    container_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class UnitKeys:
    """Units by (product id, serial)."""

    keys: tuple[tuple[int, str], ...]


UnitSelection = LotRange | InContainers | UnitKeys


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


@dataclass(frozen=True, slots=True)
class ContainerRecord:
    """A case (SGTIN) or pallet (SSCC), named by its EPC."""

    id: int
    epc: str
    kind: str
    parent_id: int | None
    custodian_id: str | None
    location_gln: str | None


class UnitRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- products ---------------------------------------------------------------------------

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

    # --- reading units ------------------------------------------------------------------------

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
                _equals(units.c.custodian_id, group.custodian_id),
                units.c.container_id.is_not(None)
                if group.packed
                else units.c.container_id.is_(None),
                _equals(units.c.state_party_id, group.state_party_id),
                _equals(units.c.state_location_gln, group.state_location_gln),
            ]
        if state_since_before is not None:
            extra.append(units.c.state_since < _stored(state_since_before))
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

    # --- changing units -----------------------------------------------------------------------

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
            "state_since": _stored(at),
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
            _equals(units.c.custodian_id, from_party),
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

    # --- containers -----------------------------------------------------------------------------

    def any_container_named_by_link(self) -> bool:
        """Whether a case or pallet is named by a Digital Link (one under a company prefix
        the registry does not know): only then can an EPC URI under such a prefix name one.
        A seek on the EPC index, which compares in byte order on both databases."""
        row = self.connection.execute(
            select(containers.c.id)
            .where(containers.c.epc >= "http", containers.c.epc < "httq")
            .limit(1)
        ).first()
        return row is not None

    def containers_by_epc(self, epcs: Iterable[str]) -> dict[str, ContainerRecord]:
        wanted = sorted(set(epcs))
        found: dict[str, ContainerRecord] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            rows = self.connection.execute(
                select(containers).where(_among(self.connection, containers.c.epc, chunk))
            )
            found.update((row.epc, _container_from_row(row)) for row in rows)
        return found

    def containers_by_id(self, container_ids: Iterable[int]) -> list[ContainerRecord]:
        """The containers of ``container_ids``, in EPC order."""
        ids = sorted(set(container_ids))
        found: list[ContainerRecord] = []
        for start in range(0, len(ids), CHUNK):
            rows = self.connection.execute(
                select(containers).where(containers.c.id.in_(ids[start : start + CHUNK]))
            )
            found += [_container_from_row(row) for row in rows]
        return sorted(found, key=lambda container: container.epc)

    def container(self, container_id: int) -> ContainerRecord | None:
        row = self.connection.execute(
            select(containers).where(containers.c.id == container_id)
        ).first()
        return None if row is None else _container_from_row(row)

    def add_container(
        self,
        epc: str,
        kind: str,
        *,
        custodian_id: str | None,
        location_gln: str | None,
        at: dt.datetime,
    ) -> ContainerRecord:
        result = self.connection.execute(
            insert(containers).values(
                epc=epc,
                kind=kind,
                custodian_id=custodian_id,
                location_gln=location_gln,
                created_at=_stored(at),
            )
        )
        container_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return ContainerRecord(container_id, epc, kind, None, custodian_id, location_gln)

    def subtree(self, container_ids: Iterable[int]) -> list[int]:
        """``container_ids`` and every container inside them, at any depth."""
        roots = sorted(set(container_ids))
        if not roots:
            return []
        found: set[int] = set()
        for start in range(0, len(roots), CHUNK):
            tree = (
                select(containers.c.id)
                .where(containers.c.id.in_(roots[start : start + CHUNK]))
                .cte("tree", recursive=True)
            )
            tree = tree.union(select(containers.c.id).where(containers.c.parent_id == tree.c.id))
            found.update(self.connection.execute(select(tree.c.id)).scalars())
        return sorted(found)

    def ancestors(self, container_id: int) -> list[int]:
        """The containers ``container_id`` is inside, innermost first."""
        chain: list[int] = []
        current = self.container(container_id)
        while current is not None and current.parent_id is not None:
            if current.parent_id in chain:  # pragma: no cover - the services never build a cycle
                break
            chain.append(current.parent_id)
            current = self.container(current.parent_id)
        return chain

    def child_containers(self, container_id: int) -> list[ContainerRecord]:
        rows = self.connection.execute(
            select(containers)
            .where(containers.c.parent_id == container_id)
            .order_by(containers.c.epc)
        )
        return [_container_from_row(row) for row in rows]

    def unit_keys_in(self, container_id: int) -> list[tuple[Gtin, str]]:
        """The units packed directly in ``container_id``, by GTIN and serial."""
        rows = self.connection.execute(
            select(products.c.gtin, units.c.serial)
            .join(products, products.c.id == units.c.product_id)
            .where(units.c.container_id == container_id)
            .order_by(products.c.gtin, units.c.serial)
        )
        return [(Gtin(gtin), serial) for gtin, serial in rows]

    def set_container_parent(self, container_ids: Iterable[int], parent_id: int | None) -> None:
        self._update_containers(container_ids, {"parent_id": parent_id})

    def set_container_custodian(self, container_ids: Iterable[int], party_id: str | None) -> None:
        self._update_containers(container_ids, {"custodian_id": party_id})

    def set_container_location(
        self, container_ids: Iterable[int], location_gln: str | None
    ) -> None:
        self._update_containers(container_ids, {"location_gln": location_gln})

    def _update_containers(self, container_ids: Iterable[int], values: dict[str, Any]) -> None:
        ids = sorted(set(container_ids))
        for start in range(0, len(ids), CHUNK):
            self.connection.execute(
                update(containers)
                .where(containers.c.id.in_(ids[start : start + CHUNK]))
                .values(values)
            )

    # --- selections -----------------------------------------------------------------------------

    def conditions(self, selection: UnitSelection) -> list[ColumnElement[bool]]:
        """``selection`` as WHERE conditions on ``units``, one statement each (the event
        index selects units with them too)."""
        if isinstance(selection, LotRange):
            return [self._lot_range(selection)]
        if isinstance(selection, InContainers):
            ids = sorted(set(selection.container_ids))
            return [
                units.c.container_id.in_(ids[start : start + CHUNK])
                for start in range(0, len(ids), CHUNK)
            ]
        # one product at a time, serials in a list: SQLite searches the primary key with both
        # columns only this way; a row-value "(product_id, serial) IN (…)" uses just the
        # product and scans every unit of it
        serials_of: dict[int, list[str]] = {}
        for product_id, serial in sorted(set(selection.keys)):
            serials_of.setdefault(product_id, []).append(serial)
        return [
            and_(
                units.c.product_id == product_id,
                _among(self.connection, units.c.serial, serials[start : start + CHUNK]),
            )
            for product_id, serials in serials_of.items()
            for start in range(0, len(serials), CHUNK)
        ]

    def _lot_range(self, selection: LotRange) -> ColumnElement[bool]:
        if self.connection.dialect.name == "sqlite" and self._most_of_product(selection):
            # "+ 0" keeps the (lot, seq) index out of play, so that SQLite walks the product's
            # units in key order: sequential pages, serials in order (the event index then
            # grows at its end), several times faster than one index probe per unit
            unindexed: ColumnElement[int] = literal_column("0")
            return and_(
                units.c.product_id == selection.product_id,
                units.c.lot_id + unindexed == selection.lot_id,
                (units.c.seq + unindexed).between(selection.seq_from, selection.seq_to),
            )
        return and_(
            units.c.lot_id == selection.lot_id,
            units.c.seq.between(selection.seq_from, selection.seq_to),
            units.c.product_id == selection.product_id,
        )

    def _most_of_product(self, selection: LotRange) -> bool:
        issued = self.connection.execute(
            select(products.c.issued).where(products.c.id == selection.product_id)
        ).scalar()
        return issued is not None and selection.size >= _SCAN_SHARE * issued


def _equals(column: Any, value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value  # type: ignore[no-any-return]


def _stored(at: dt.datetime) -> dt.datetime:
    """Times are stored in UTC: SQLite keeps no offset, and both databases then compare and
    order them alike."""
    return at.astimezone(dt.UTC)


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
_TEXTS = postgresql.ARRAY(Text)


def _among(
    connection: Connection, column: ColumnElement[str], values: Sequence[str]
) -> ColumnElement[bool]:
    """``column`` among ``values``, as one parameter: SQLAlchemy then builds no clause element
    per value, which cost more than the database's own work. On PostgreSQL an array
    (``= ANY``): the statement's text stays the same whatever the count, so it is parsed once
    and nothing is rendered per value."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=_TEXTS))
    return column.in_(bindparam(None, list(values), expanding=True))


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


def _container_from_row(row: Row[Any]) -> ContainerRecord:
    return ContainerRecord(
        row.id, row.epc, row.kind, row.parent_id, row.custodian_id, row.location_gln
    )
