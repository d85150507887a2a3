"""The tables of EPCIS named queries and their webhook subscriptions, on the schema's metadata.
Import them from :mod:`unitrace.store.schema`, as every table: that module loads this one once
its metadata is made.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from unitrace.store.schema import Timestamp, metadata

# EPCIS named queries (``POST /epcis/queries``): the query's parameters as the REST binding's
# query schema writes them, kept per owner: a distributor's party, or the brand (NULL: its admin
# and line tokens share them). A name is unique per owner, so that one owner's names tell
# nothing of another's.
epcis_queries = Table(
    "epcis_queries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("query", JSON, nullable=False),
    Column("party_id", String(64)),
    Column("created_by", Text),
    Column("created_at", Timestamp, nullable=False),
    Index(
        "uq_epcis_queries_brand_name",
        "name",
        unique=True,
        sqlite_where=text("party_id IS NULL"),
        postgresql_where=text("party_id IS NULL"),
    ),
    Index(
        "uq_epcis_queries_party_name",
        "party_id",
        "name",
        unique=True,
        sqlite_where=text("party_id IS NOT NULL"),
        postgresql_where=text("party_id IS NOT NULL"),
    ),
)

# Webhook subscriptions to a named query, and their delivery state. Events are delivered in
# (record_time, id) order; the watermark is the last one the subscriber acknowledged, so a
# failed delivery is retried from the same place. A worker claims a subscription for a while
# (``leased_until``) before delivering, so that two workers never deliver it twice.
epcis_subscriptions = Table(
    "epcis_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscription_id", String(64), nullable=False, unique=True),
    Column("query_id", Integer, ForeignKey("epcis_queries.id"), nullable=False),
    Column("dest", Text, nullable=False),
    # the subscriber's shared secret: the HMAC key, so it is kept as given
    Column("signature_token", Text),
    Column("stream", Boolean, nullable=False),
    Column("schedule", JSON),
    Column("report_if_empty", Boolean, nullable=False),
    # whose view of the events the subscriber gets: the subscribing token's role and party
    Column("role", String(16), nullable=False),
    Column("party_id", String(64)),
    Column("created_by", Text),
    # the subscribing token (none for the command line): its revocation ends the deliveries
    Column("token_id", Integer),
    Column("created_at", Timestamp, nullable=False),
    Column("initial_record_time", Timestamp, nullable=False),
    Column("watermark_time", Timestamp, nullable=False),
    Column("watermark_pk", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("last_notified_at", Timestamp),
    Column("leased_until", Timestamp),
    # why a suspended subscription is no longer delivered
    Column("suspended_reason", Text),
    CheckConstraint("status IN ('active', 'failing', 'suspended')", name="status"),
    Index("ix_epcis_subscriptions_query_id", "query_id"),
    Index("ix_epcis_subscriptions_next_attempt_at", "next_attempt_at"),
)
