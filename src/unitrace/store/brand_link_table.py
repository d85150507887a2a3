"""The table of brand-managed links (:mod:`unitrace.store.brand_links` keeps and reads it), on
the schema's metadata. Import it from :mod:`unitrace.store.schema`, as every table."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from unitrace.store.schema import Timestamp, metadata

# A link the brand serves for a product (``lot`` empty) or for one of its lots: the resolver
# lists it in the linkset and redirects to it. ``hreflang`` and ``context`` are empty where the
# link has none, so that the unique keys below hold on both databases (NULLs are all distinct
# to a unique index): one default per product or lot, language and context, and no link twice.
brand_links = Table(
    "brand_links",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("lot", String(20), nullable=False),
    Column("link_type", Text, nullable=False),
    Column("href", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("hreflang", String(5), nullable=False),
    Column("context", String(100), nullable=False),
    Column("media_type", Text),
    Column("is_default", Boolean, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint(
        "product_id", "lot", "link_type", "href", "hreflang", "context", name="uq_brand_links_link"
    ),
    Index(
        "ix_brand_links_default",
        "product_id",
        "lot",
        "hreflang",
        "context",
        unique=True,
        sqlite_where=text("is_default"),
        postgresql_where=text("is_default"),
    ),
)
