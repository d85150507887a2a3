"""Brand-managed links: kept, listed and removed per product and lot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select
from sqlalchemy import exc as sql_errors

from unitrace.store.schema import brand_links, products
from unitrace.store.times import now, utc


@dataclass(frozen=True, slots=True)
class NewBrandLink:
    """A link the brand serves for a product (``lot`` None) or one of its lots."""

    lot: str | None
    link_type: str
    href: str
    title: str
    hreflang: str | None
    context: str | None
    media_type: str | None
    is_default: bool


@dataclass(frozen=True, slots=True)
class BrandLink(NewBrandLink):
    """A link kept: its id, its product's GTIN and when it was added."""

    id: int
    gtin: str
    created_at: dt.datetime


class LinkClash(Exception):
    """The link is held already, or its slot's default is taken: nothing was written."""


class BrandLinkRepository:
    """The brand's links, on one connection (a unit of work's ``brand_links``)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, product_id: int, link: NewBrandLink) -> int:
        """Keep ``link``; :class:`LinkClash` where the same link or a second default for its
        product or lot, language and context is held (a concurrent writer's included)."""
        values = {
            "product_id": product_id,
            "lot": link.lot or "",
            "link_type": link.link_type,
            "href": link.href,
            "title": link.title,
            "hreflang": link.hreflang or "",
            "context": link.context or "",
            "media_type": link.media_type,
            "is_default": link.is_default,
            "created_at": now(),
        }
        try:
            # a savepoint: PostgreSQL would otherwise abort the whole transaction
            with self.connection.begin_nested():
                result = self.connection.execute(insert(brand_links).values(**values))
        except sql_errors.IntegrityError:
            raise LinkClash from None
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def of_product(self, product_id: int, lots: Sequence[str] | None = None) -> list[BrandLink]:
        """The product's links (its own and every lot's, or only those of ``lots``, where ''
        names the product's own), in the order they were added."""
        query = (
            select(brand_links, products.c.gtin)
            .join(products, products.c.id == brand_links.c.product_id)
            .where(brand_links.c.product_id == product_id)
            .order_by(brand_links.c.id)
        )
        if lots is not None:
            query = query.where(brand_links.c.lot.in_(list(lots)))
        return [_link_of(row) for row in self.connection.execute(query)]

    def remove(self, product_id: int, link_id: int) -> BrandLink | None:
        """Remove the product's link ``link_id``; the link removed, or None."""
        found = [link for link in self.of_product(product_id) if link.id == link_id]
        if not found:
            return None
        self.connection.execute(
            delete(brand_links).where(
                brand_links.c.id == link_id, brand_links.c.product_id == product_id
            )
        )
        return found[0]


def _link_of(row: Row[Any]) -> BrandLink:
    mapping = row._mapping
    return BrandLink(
        id=int(mapping["id"]),
        gtin=mapping["gtin"],
        lot=mapping["lot"] or None,
        link_type=mapping["link_type"],
        href=mapping["href"],
        title=mapping["title"],
        hreflang=mapping["hreflang"] or None,
        context=mapping["context"] or None,
        media_type=mapping["media_type"],
        is_default=bool(mapping["is_default"]),
        created_at=utc(mapping["created_at"]),
    )
