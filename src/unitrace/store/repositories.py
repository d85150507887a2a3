"""Repositories: the registry's things in and out of their tables, as domain objects.

Each takes the unit of work's connection; none commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, null, select, update

from unitrace.gs1 import Gtin
from unitrace.registry.detection import NO_PRODUCT_RULES, PRODUCT_RULES, ProductRules
from unitrace.registry.model import Lot, LotStatus, Party, PartyRole, Product, SerialFormat
from unitrace.store.driver_statements import DriverStatement
from unitrace.store.schema import api_tokens, audit_trail, lots, parties, products
from unitrace.store.times import now

# Statements on the verification hot path, built once (so is their cache key).
# Read on every verification: run on the driver's cursor (see store.driver_statements).
_PRODUCT_BY_GTIN = DriverStatement(select(products).where(products.c.gtin == bindparam("gtin")))
_PARTY_BY_ID = DriverStatement(select(parties).where(parties.c.id == bindparam("id")))


class ProductRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, product: Product) -> int:
        result = self.connection.execute(
            insert(products).values(
                gtin=product.gtin.value,
                name=product.name,
                company_prefix_length=product.company_prefix_length,
                serial_length=product.serial_format.length,
                serial_alphabet=product.serial_format.alphabet,
                target_markets=list(product.target_markets),
                storage_conditions=product.storage_conditions,
                issued=0,
                created_at=now(),
                detection_rules=_stored_rules(product.detection_rules),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def set_detection_rules(self, product_id: int, rules: ProductRules) -> None:
        self.connection.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(detection_rules=_stored_rules(rules))
        )

    def get(self, gtin: Gtin) -> Product | None:
        found = _PRODUCT_BY_GTIN.rows(self.connection, {"gtin": gtin.value})
        return product_from_row(found[0]) if found else None

    def with_id(self, gtin: Gtin) -> tuple[int, Product] | None:
        """The product and its id, in one read."""
        found = _PRODUCT_BY_GTIN.rows(self.connection, {"gtin": gtin.value})
        return (int(found[0].id), product_from_row(found[0])) if found else None

    def id_of(self, gtin: Gtin, *, for_update: bool = False) -> int | None:
        query = select(products.c.id).where(products.c.gtin == gtin.value)
        if for_update:
            query = query.with_for_update()
        return self.connection.execute(query).scalar()

    def all(self) -> list[Product]:
        rows = self.connection.execute(select(products).order_by(products.c.gtin))
        return [product_from_row(row) for row in rows]

    def count_issued(self, product_id: int, count: int) -> None:
        self.connection.execute(
            update(products)
            .where(products.c.id == product_id)
            .values(issued=products.c.issued + count)
        )


def product_from_row(row: Any) -> Product:
    return Product(
        gtin=Gtin(row.gtin),
        name=row.name,
        company_prefix_length=row.company_prefix_length,
        serial_format=SerialFormat(row.serial_length, row.serial_alphabet),
        target_markets=tuple(row.target_markets),
        storage_conditions=row.storage_conditions,
        issued=row.issued,
        detection_rules=_product_rules(row.detection_rules),
    )


def _stored_rules(rules: ProductRules) -> Any:
    # SQL NULL rather than JSON null or {}: "the product sets nothing" reads the same in SQL
    return rules.given or null()


def _product_rules(stored: dict[str, Any] | None) -> ProductRules:
    if not stored:
        return NO_PRODUCT_RULES
    # a rule a later version no longer knows is ignored rather than failing every scan
    return ProductRules(**{name: stored[name] for name in PRODUCT_RULES if name in stored})


class LotRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, product_id: int, lot: Lot) -> int:
        result = self.connection.execute(
            insert(lots).values(
                product_id=product_id,
                lot=lot.lot,
                expiry=lot.expiry,
                production_date=lot.production_date,
                site=lot.site,
                status=lot.status.value,
                status_reason=lot.status_reason,
                issued=0,
                created_at=now(),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def get(self, gtin: Gtin, lot: str) -> Lot | None:
        row = self.connection.execute(
            select(lots, products.c.gtin)
            .join(products, products.c.id == lots.c.product_id)
            .where(products.c.gtin == gtin.value, lots.c.lot == lot)
        ).first()
        return None if row is None else lot_from_row(row)

    def id_of(self, gtin: Gtin, lot: str, *, for_update: bool = False) -> int | None:
        query = (
            select(lots.c.id)
            .join(products, products.c.id == lots.c.product_id)
            .where(products.c.gtin == gtin.value, lots.c.lot == lot)
        )
        if for_update:
            query = query.with_for_update(of=lots)
        return self.connection.execute(query).scalar()

    def of_product(self, gtin: Gtin) -> list[Lot]:
        rows = self.connection.execute(
            select(lots, products.c.gtin)
            .join(products, products.c.id == lots.c.product_id)
            .where(products.c.gtin == gtin.value)
            .order_by(lots.c.lot)
        )
        return [lot_from_row(row) for row in rows]

    def count_issued(self, lot_id: int, count: int) -> int:
        """Add ``count`` units to the lot; the seq of the first of them is returned."""
        issued = self.connection.execute(
            update(lots)
            .where(lots.c.id == lot_id)
            .values(issued=lots.c.issued + count)
            .returning(lots.c.issued)
        ).scalar_one()
        return int(issued) - count + 1

    def status_of(self, lot_id: int, *, for_update: bool = True) -> LotStatus | None:
        """A lot's status by its key, locked for the caller's transaction by default."""
        query = select(lots.c.status).where(lots.c.id == lot_id)
        if for_update:
            query = query.with_for_update()
        found = self.connection.execute(query).scalar()
        return None if found is None else LotStatus(found)

    def set_status(self, lot_id: int, status: LotStatus, reason: str) -> None:
        self.connection.execute(
            update(lots)
            .where(lots.c.id == lot_id)
            .values(status=status.value, status_reason=reason)
        )


def lot_from_row(row: Row[Any]) -> Lot:
    return Lot(
        gtin=Gtin(row.gtin),
        lot=row.lot,
        expiry=row.expiry,
        production_date=row.production_date,
        site=row.site,
        status=LotStatus(row.status),
        status_reason=row.status_reason,
        issued=row.issued,
    )


class PartyRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, party: Party) -> None:
        self.connection.execute(
            insert(parties).values(
                id=party.id,
                name=party.name,
                role=party.role.value,
                gln=party.gln,
                territory=list(party.territory),
                created_at=now(),
            )
        )

    def get(self, party_id: str) -> Party | None:
        found = _PARTY_BY_ID.rows(self.connection, {"id": party_id})
        return party_from_row(found[0]) if found else None

    def all(self) -> list[Party]:
        rows = self.connection.execute(select(parties).order_by(parties.c.id))
        return [party_from_row(row) for row in rows]


def party_from_row(row: Any) -> Party:
    return Party(
        id=row.id,
        name=row.name,
        role=PartyRole(row.role),
        gln=row.gln,
        territory=tuple(row.territory),
    )


class TokenRepository:
    """API tokens, stored as SHA-256 hashes: a leaked database does not leak tokens."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, token_hash: str, role: str, party_id: str | None, label: str | None) -> int:
        result = self.connection.execute(
            insert(api_tokens).values(
                token_hash=token_hash, role=role, party_id=party_id, label=label, created_at=now()
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def find(self, token_hash: str) -> Row[Any] | None:
        return self.connection.execute(
            select(api_tokens).where(
                api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)
            )
        ).first()

    def count(self) -> int:
        return len(self.connection.execute(select(api_tokens.c.id)).all())

    def listed(self) -> list[Row[Any]]:
        """Every token, oldest first, without its hash."""
        shown = [column for column in api_tokens.c if column.name != "token_hash"]
        return list(self.connection.execute(select(*shown).order_by(api_tokens.c.id)))

    def record_use(self, token_id: int, at: dt.datetime, *, unless_after: dt.datetime) -> bool:
        """Whether ``at`` was recorded as the token's last use: it is not where a use after
        ``unless_after`` was recorded already (by another request or worker)."""
        column = api_tokens.c.last_used_at
        recorded = self.connection.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, (column.is_(None)) | (column <= unless_after))
            .values(last_used_at=at)
        )
        return recorded.rowcount == 1

    def revoke(self, token_id: int, at: dt.datetime) -> bool:
        """Whether the live token ``token_id`` was revoked (False: unknown or revoked already)."""
        revoked = self.connection.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return revoked.rowcount == 1


class AuditTrail:
    """Who did what to which thing, when: every write leaves a line here."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def record(self, actor: str, action: str, subject: str, details: Mapping[str, Any]) -> None:
        self.connection.execute(
            insert(audit_trail).values(
                at=now(), actor=actor, action=action, subject=subject, details=dict(details)
            )
        )

    def of(self, subject: str) -> list[Row[Any]]:
        return list(
            self.connection.execute(
                select(audit_trail)
                .where(audit_trail.c.subject == subject)
                .order_by(audit_trail.c.id)
            )
        )
