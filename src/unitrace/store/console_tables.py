"""The tables of the console's people, their sessions and sign-in attempts
(:mod:`unitrace.store.console_users` keeps and reads them), on the schema's metadata. Import
them from :mod:`unitrace.store.schema`, as every table: that module loads this one once its
metadata is made.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table

from unitrace.store.schema import Timestamp, metadata

# The console's people (``unitrace users``): each signs in with an email and a password, kept
# as an argon2 hash, and acts with one of the API's roles (a distributor's user for its party).
# A user is disabled, never deleted, so the audit trail's ``user:<id>`` always names someone.
console_users = Table(
    "console_users",
    metadata,
    Column("id", Integer, primary_key=True),
    # kept lower-cased: one person, one address, however it is typed
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=False),
    Column("role", String(16), nullable=False),
    Column("party_id", String(64), ForeignKey("parties.id")),
    Column("created_at", Timestamp, nullable=False),
    Column("last_sign_in_at", Timestamp),
    Column("disabled_at", Timestamp),
)

# Signed-in browsers: the session cookie's SHA-256 (the cookie itself is never stored), when the
# session ends for good and when it was last seen (it also ends after a while unused).
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("console_users.id"), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("last_seen_at", Timestamp, nullable=False),
    Index("ix_console_sessions_user_id", "user_id"),
)

# Every sign-in attempt, for the rate limit on failures (by email and by the hashed address they
# came from) and for the record; the audit trail holds each one too.
console_sign_ins = Table(
    "console_sign_ins",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", Timestamp, nullable=False),
    Column("email", String(254), nullable=False),
    Column("address", String(24), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_console_sign_ins_email", "email", "at"),
    Index("ix_console_sign_ins_address", "address", "at"),
)
