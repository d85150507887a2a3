"""The containers units are packed in: cases (SGTIN) and pallets (SSCC), named by their EPC,
packed inside one another, with their custodian and location."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select, update

from unitrace.gs1 import Gtin
from unitrace.store.schema import containers, products, units
from unitrace.store.units.selections import CHUNK, Selector, among, stored


@dataclass(frozen=True, slots=True)
class ContainerRecord:
    """A case (SGTIN) or pallet (SSCC), named by its EPC."""

    id: int
    epc: str
    kind: str
    parent_id: int | None
    custodian_id: str | None
    location_gln: str | None


class Containers(Selector):
    """Reading and changing cases and pallets, and the units packed directly in one."""

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
                select(containers).where(among(self.connection, containers.c.epc, chunk))
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
                created_at=stored(at),
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


def _container_from_row(row: Row[Any]) -> ContainerRecord:
    return ContainerRecord(
        row.id, row.epc, row.kind, row.parent_id, row.custodian_id, row.location_gln
    )
