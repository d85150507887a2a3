"""The webhook subscriptions to named queries, with their delivery state: the watermark (the
last event sent), the next attempt, the failures in a row, the lease a delivery worker holds
while it sends, and whether the subscription is suspended (a delivery that keeps failing,
a creator's token revoked or its party gone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, case, delete, insert, or_, select, update

from unitrace.store.epcis_query.event_reads import PagePosition
from unitrace.store.epcis_query.named_queries import NamedQuery
from unitrace.store.schema import (
    api_tokens,
    epcis_events,
    epcis_queries,
    epcis_subscriptions,
    parties,
)
from unitrace.store.times import utc


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    """A subscription as stored, with the name and definition of its query."""

    id: int
    subscription_id: str
    query_id: int
    query_name: str
    query: dict[str, Any]
    dest: str
    signature_token: str | None
    stream: bool
    schedule: dict[str, str] | None
    report_if_empty: bool
    role: str
    party_id: str | None
    created_by: str | None
    created_at: dt.datetime
    initial_record_time: dt.datetime
    watermark: PagePosition
    status: str
    next_attempt_at: dt.datetime
    attempts: int
    last_error: str | None
    last_notified_at: dt.datetime | None
    token_id: int | None = None
    suspended_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CreatorStanding:
    """What is left of a subscription's creator: its token (``token_known``, and when it
    was revoked) and its party (``party_known``)."""

    token_known: bool
    token_revoked_at: dt.datetime | None
    party_known: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSubscription:
    """A subscription to be stored: its watermark is taken from its ``initial_record_time``."""

    subscription_id: str
    dest: str
    signature_token: str | None
    stream: bool
    schedule: dict[str, str] | None
    report_if_empty: bool
    role: str
    party_id: str | None
    created_by: str | None
    created_at: dt.datetime
    initial_record_time: dt.datetime
    first_attempt_at: dt.datetime
    token_id: int | None = None


class SubscriptionRepository:
    """The subscriptions and their delivery state, on one connection (a unit of work's)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_subscription(self, query: NamedQuery, new: NewSubscription) -> Subscription:
        watermark = self.latest_record_before(new.initial_record_time)
        values = {
            "subscription_id": new.subscription_id,
            "query_id": query.id,
            "dest": new.dest,
            "signature_token": new.signature_token,
            "stream": new.stream,
            "schedule": new.schedule,
            "report_if_empty": new.report_if_empty,
            "role": new.role,
            "party_id": new.party_id,
            "created_by": new.created_by,
            "token_id": new.token_id,
            "created_at": new.created_at,
            "initial_record_time": new.initial_record_time,
            "watermark_time": watermark.time,
            "watermark_pk": watermark.pk,
            "status": "active",
            "next_attempt_at": new.first_attempt_at,
            "attempts": 0,
        }
        self.connection.execute(insert(epcis_subscriptions), values)
        found = self.subscription(new.subscription_id)
        assert found is not None
        return found

    def latest_record_before(self, at: dt.datetime) -> PagePosition:
        """The watermark of a subscription that wants the events recorded from ``at`` on."""
        row = self.connection.execute(
            select(epcis_events.c.record_time, epcis_events.c.id)
            .where(epcis_events.c.record_time < at)
            .order_by(epcis_events.c.record_time.desc(), epcis_events.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return PagePosition(utc(at) - dt.timedelta(microseconds=1), 0)
        return PagePosition(utc(row.record_time), row.id)

    def _subscriptions(self) -> Select[Any]:
        return select(
            epcis_subscriptions,
            epcis_queries.c.name.label("query_name"),
            epcis_queries.c.query.label("query_definition"),
        ).join(epcis_queries, epcis_queries.c.id == epcis_subscriptions.c.query_id)

    def subscription(self, subscription_id: str) -> Subscription | None:
        row = self.connection.execute(
            self._subscriptions().where(epcis_subscriptions.c.subscription_id == subscription_id)
        ).first()
        return None if row is None else _subscription(row)

    def subscriptions_of(self, query_id: int) -> list[Subscription]:
        rows = self.connection.execute(
            self._subscriptions()
            .where(epcis_subscriptions.c.query_id == query_id)
            .order_by(epcis_subscriptions.c.id)
        )
        return [_subscription(row) for row in rows]

    def remove_subscription(self, pk: int) -> None:
        self.connection.execute(delete(epcis_subscriptions).where(epcis_subscriptions.c.id == pk))

    def due_subscriptions(self, at: dt.datetime) -> list[Subscription]:
        rows = self.connection.execute(
            self._subscriptions()
            .where(
                epcis_subscriptions.c.status != "suspended",
                epcis_subscriptions.c.next_attempt_at <= at,
            )
            .order_by(epcis_subscriptions.c.next_attempt_at)
        )
        return [_subscription(row) for row in rows]

    def claim(self, pk: int, *, at: dt.datetime, until: dt.datetime) -> bool:
        """Whether this worker won the subscription for a delivery (until ``until``): one
        conditional update, so that two workers never both win it."""
        claimed = self.connection.execute(
            update(epcis_subscriptions)
            .where(
                epcis_subscriptions.c.id == pk,
                or_(
                    epcis_subscriptions.c.leased_until.is_(None),
                    epcis_subscriptions.c.leased_until <= at,
                ),
            )
            .values(leased_until=until)
        )
        return claimed.rowcount == 1

    def delivered(
        self,
        pk: int,
        *,
        watermark: PagePosition,
        at: dt.datetime,
        next_attempt_at: dt.datetime,
        notified: bool,
    ) -> None:
        changes: dict[str, Any] = {
            "watermark_time": watermark.time,
            "watermark_pk": watermark.pk,
            # a subscription suspended meanwhile (its token revoked) stays suspended
            "status": case((_suspended(), "suspended"), else_="active"),
            "attempts": 0,
            "last_error": None,
            "next_attempt_at": next_attempt_at,
            "leased_until": None,
        }
        if notified:
            changes["last_notified_at"] = at
        self.connection.execute(
            update(epcis_subscriptions).where(epcis_subscriptions.c.id == pk).values(changes)
        )

    def failed(
        self,
        pk: int,
        *,
        error: str,
        attempts: int,
        status: str,
        next_attempt_at: dt.datetime,
        suspended_reason: str | None = None,
    ) -> None:
        self.connection.execute(
            update(epcis_subscriptions)
            .where(epcis_subscriptions.c.id == pk)
            .values(
                status=case((_suspended(), "suspended"), else_=status),
                attempts=attempts,
                last_error=error[:2000],
                next_attempt_at=next_attempt_at,
                leased_until=None,
                suspended_reason=case(
                    (_suspended(), epcis_subscriptions.c.suspended_reason),
                    else_=suspended_reason,
                ),
            )
        )

    def suspend(self, pk: int, *, reason: str) -> None:
        """Deliver the subscription no more, for ``reason``."""
        self.connection.execute(
            update(epcis_subscriptions)
            .where(epcis_subscriptions.c.id == pk)
            .values(status="suspended", suspended_reason=reason, leased_until=None)
        )

    def suspend_created_by(self, token_id: int, *, reason: str) -> int:
        """Suspend every subscription the token ``token_id`` made; how many there were."""
        suspended = self.connection.execute(
            update(epcis_subscriptions)
            .where(
                epcis_subscriptions.c.token_id == token_id,
                epcis_subscriptions.c.status != "suspended",
            )
            .values(status="suspended", suspended_reason=reason)
        )
        return int(suspended.rowcount)

    def creator_standing(self, found: Subscription) -> CreatorStanding:
        """Whether the token and the party that made ``found`` still exist (a subscription
        made without a token or a party has nothing to lose)."""
        token_known, revoked_at = True, None
        if found.token_id is not None:
            row = self.connection.execute(
                select(api_tokens.c.revoked_at).where(api_tokens.c.id == found.token_id)
            ).first()
            token_known = row is not None
            if row is not None and row.revoked_at is not None:
                revoked_at = utc(row.revoked_at)
        party_known = found.party_id is None or (
            self.connection.execute(
                select(parties.c.id).where(parties.c.id == found.party_id)
            ).first()
            is not None
        )
        return CreatorStanding(token_known, revoked_at, party_known)


def _suspended() -> ColumnElement[bool]:
    return epcis_subscriptions.c.status == "suspended"


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id,
        subscription_id=row.subscription_id,
        query_id=row.query_id,
        query_name=row.query_name,
        query=dict(row.query_definition),
        dest=row.dest,
        signature_token=row.signature_token,
        stream=bool(row.stream),
        schedule=None if row.schedule is None else dict(row.schedule),
        report_if_empty=bool(row.report_if_empty),
        role=row.role,
        party_id=row.party_id,
        created_by=row.created_by,
        created_at=utc(row.created_at),
        initial_record_time=utc(row.initial_record_time),
        watermark=PagePosition(utc(row.watermark_time), row.watermark_pk),
        status=row.status,
        next_attempt_at=utc(row.next_attempt_at),
        attempts=row.attempts,
        last_error=row.last_error,
        last_notified_at=None if row.last_notified_at is None else utc(row.last_notified_at),
        token_id=row.token_id,
        suspended_reason=row.suspended_reason,
    )
