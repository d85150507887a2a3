"""The console's people, their sessions and their sign-in attempts, in and out of their tables.

Times are written in UTC; rows come back as :class:`UserRecord` and :class:`SessionRecord`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text, update

from unitrace.store.schema import console_sessions, console_sign_ins, console_users
from unitrace.store.times import utc


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A console user as stored, with the password's hash (never shown)."""

    id: int
    email: str
    password_hash: str
    role: str
    party: str | None
    created_at: dt.datetime
    last_sign_in_at: dt.datetime | None
    disabled_at: dt.datetime | None

    @classmethod
    def of(cls, row: Any) -> UserRecord:
        return cls(
            id=int(row.id),
            email=row.email,
            password_hash=row.password_hash,
            role=row.role,
            party=row.party_id,
            created_at=utc(row.created_at),
            last_sign_in_at=_maybe(row.last_sign_in_at),
            disabled_at=_maybe(row.disabled_at),
        )


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A live or ended session and its user."""

    user: UserRecord
    created_at: dt.datetime
    expires_at: dt.datetime
    last_seen_at: dt.datetime


class ConsoleUserRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- users ----------------------------------------------------------------------------

    def add(
        self, *, email: str, password_hash: str, role: str, party: str | None, at: dt.datetime
    ) -> int:
        return int(
            self.connection.execute(
                insert(console_users)
                .values(
                    email=email,
                    password_hash=password_hash,
                    role=role,
                    party_id=party,
                    created_at=at,
                )
                .returning(console_users.c.id)
            ).scalar_one()
        )

    def by_email(self, email: str) -> UserRecord | None:
        row = self.connection.execute(
            select(console_users).where(console_users.c.email == email)
        ).first()
        return None if row is None else UserRecord.of(row)

    def by_id(self, user_id: int) -> UserRecord | None:
        row = self.connection.execute(
            select(console_users).where(console_users.c.id == user_id)
        ).first()
        return None if row is None else UserRecord.of(row)

    def listed(self) -> list[UserRecord]:
        rows = self.connection.execute(select(console_users).order_by(console_users.c.id))
        return [UserRecord.of(row) for row in rows]

    def disable(self, user_id: int, at: dt.datetime) -> bool:
        """Whether the enabled user ``user_id`` was disabled (False: disabled already)."""
        done = self.connection.execute(
            update(console_users)
            .where(console_users.c.id == user_id, console_users.c.disabled_at.is_(None))
            .values(disabled_at=at)
        )
        return done.rowcount == 1

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.connection.execute(
            update(console_users)
            .where(console_users.c.id == user_id)
            .values(password_hash=password_hash)
        )

    def signed_in(self, user_id: int, at: dt.datetime) -> None:
        self.connection.execute(
            update(console_users).where(console_users.c.id == user_id).values(last_sign_in_at=at)
        )

    # --- sessions -------------------------------------------------------------------------

    def open_session(
        self, token_hash: str, user_id: int, *, at: dt.datetime, expires_at: dt.datetime
    ) -> None:
        self.connection.execute(
            insert(console_sessions).values(
                token_hash=token_hash,
                user_id=user_id,
                created_at=at,
                expires_at=expires_at,
                last_seen_at=at,
            )
        )

    def session(self, token_hash: str) -> SessionRecord | None:
        row = self.connection.execute(
            select(
                console_users,
                console_sessions.c.created_at.label("session_created_at"),
                console_sessions.c.expires_at,
                console_sessions.c.last_seen_at,
            )
            .join(console_users, console_users.c.id == console_sessions.c.user_id)
            .where(console_sessions.c.token_hash == token_hash)
        ).first()
        if row is None:
            return None
        return SessionRecord(
            user=UserRecord.of(row),
            created_at=utc(row.session_created_at),
            expires_at=utc(row.expires_at),
            last_seen_at=utc(row.last_seen_at),
        )

    def seen(self, token_hash: str, at: dt.datetime) -> None:
        self.connection.execute(
            update(console_sessions)
            .where(console_sessions.c.token_hash == token_hash)
            .values(last_seen_at=at)
        )

    def close_session(self, token_hash: str) -> None:
        self.connection.execute(
            delete(console_sessions).where(console_sessions.c.token_hash == token_hash)
        )

    def close_sessions_of(self, user_id: int) -> int:
        done = self.connection.execute(
            delete(console_sessions).where(console_sessions.c.user_id == user_id)
        )
        return int(done.rowcount)

    def close_sessions_ended(self, at: dt.datetime, *, idle_since: dt.datetime) -> int:
        """Forget sessions that ended by ``at`` or have been unused since ``idle_since``."""
        done = self.connection.execute(
            delete(console_sessions).where(
                (console_sessions.c.expires_at <= at)
                | (console_sessions.c.last_seen_at < idle_since)
            )
        )
        return int(done.rowcount)

    # --- sign-in attempts -----------------------------------------------------------------

    def take_turn(self, *keys: str) -> None:
        """Hold, until the transaction ends, the turn of each of ``keys`` (an email, an
        address): attempts for the same one are then counted, checked and recorded one after
        another, so that a burst sent at once cannot all be counted before any is recorded.
        On PostgreSQL a transaction-level advisory lock per key (taken in the order given);
        SQLite's writing transactions already run one at a time."""
        if self.connection.dialect.name != "postgresql":
            return
        for key in keys:
            self.connection.execute(_TAKE_TURN, {"key": f"console sign-in {key}"})

    def last_success(self, email: str) -> dt.datetime | None:
        return _maybe(
            self.connection.execute(
                select(func.max(console_sign_ins.c.at)).where(
                    console_sign_ins.c.email == email, console_sign_ins.c.succeeded.is_(True)
                )
            ).scalar_one()
        )

    def record_attempt(self, *, email: str, address: str, succeeded: bool, at: dt.datetime) -> None:
        self.connection.execute(
            insert(console_sign_ins).values(
                at=at, email=email, address=address, succeeded=succeeded
            )
        )

    def failures_since(
        self, since: dt.datetime, *, email: str | None = None, address: str | None = None
    ) -> tuple[int, dt.datetime | None]:
        """How many sign-ins failed after ``since`` for ``email`` (or from ``address``), and
        when the earliest of them was."""
        where = [console_sign_ins.c.at > since, console_sign_ins.c.succeeded.is_(False)]
        if email is not None:
            where.append(console_sign_ins.c.email == email)
        if address is not None:
            where.append(console_sign_ins.c.address == address)
        count, earliest = self.connection.execute(
            select(func.count(), func.min(console_sign_ins.c.at)).where(*where)
        ).one()
        return int(count), _maybe(earliest)


_TAKE_TURN = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


def _maybe(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc(value)
