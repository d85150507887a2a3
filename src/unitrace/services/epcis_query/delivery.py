"""Subscriptions delivered: :class:`SubscriptionDelivery` runs in a background thread and
POSTs each subscription what its query finds that it has not had yet, as an
EPCISQueryDocument signed with its token (:func:`signature`), batch by batch; a failed
delivery is retried after a growing pause, and a subscription whose deliveries keep failing,
or whose creator's token or party is gone, is suspended."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from unitrace.registry.model import Actor, Role
from unitrace.services import webhooks
from unitrace.services.epcis_query.answers import answer_document
from unitrace.services.epcis_query.pages import viewer_of
from unitrace.services.epcis_query.parameters import QueryDefinition, json_parameters, read_query
from unitrace.services.epcis_query.subscriptions import Schedule
from unitrace.services.tokens import ACTOR_PREFIX, revocation_reason
from unitrace.services.webhooks import DestinationRefused, WebhookDestinations, WebhookTarget
from unitrace.store.database import is_busy
from unitrace.store.epcis_query import EpcisQueries
from unitrace.store.epcis_query.event_reads import PagePosition
from unitrace.store.epcis_query.subscriptions import CreatorStanding, Subscription
from unitrace.store.unit_of_work import Database

log = logging.getLogger(__name__)


def signature(body: bytes, token: str) -> str:
    """The ``GS1-Signature`` of a delivery: ``sha256=`` and the lower-case hex HMAC-SHA256 of
    the exact request body bytes, keyed with the subscription's ``signatureToken`` (UTF-8).

    >>> signature(b"{}", "secret")
    'sha256=77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13'
    """
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


Post = Callable[[WebhookTarget, bytes, Mapping[str, str]], int]


def post_over_http(target: WebhookTarget, body: bytes, headers: Mapping[str, str]) -> int:
    """POST ``body`` to the checked ``target``, connecting to the address that was checked;
    the HTTP status (redirects are not followed; a connection failure is an ``OSError``)."""
    return webhooks.post(target, body, headers, timeout=DELIVERY_TIMEOUT)


DELIVERY_TIMEOUT: Final = 10.0


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How deliveries are paced: ``poll`` seconds between looks for new events of a stream;
    ``settle`` seconds an event must have been recorded before it is sent (a transaction that
    took its recordTime earlier may not have committed yet); at most ``batch`` events per POST;
    failed deliveries retried after ``backoff`` * 2^(attempt-1) seconds (at most
    ``max_backoff``), ``max_attempts`` times in a row before the subscription is suspended."""

    poll: float = 1.0
    settle: float = 2.0
    batch: int = 500
    backoff: float = 2.0
    max_backoff: float = 300.0
    max_attempts: int = 8
    lease: float = 120.0


class SubscriptionDelivery:
    """Delivers subscriptions in a background thread: ``start()`` when the service starts,
    ``stop()`` when it stops (it finishes the delivery under way). :meth:`deliver_due` is one
    pass, for tests and for the thread. Nothing here runs on a request's path.

    Before each POST the destination is checked again against ``destinations`` (a name may
    resolve elsewhere since the subscription was made) and the POST goes to the address
    checked; a refused destination is a failed delivery. A subscription whose creator's token
    was revoked, or whose party is gone, is suspended instead of delivered."""

    def __init__(
        self,
        database: Database,
        *,
        policy: DeliveryPolicy | None = None,
        destinations: WebhookDestinations | None = None,
        post: Post = post_over_http,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.database = database
        self.policy = policy or DeliveryPolicy()
        self.destinations = destinations or WebhookDestinations()
        self._post = post
        self._clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="epcis-subscriptions", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = DELIVERY_TIMEOUT + 5) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.wait(self.policy.poll):
            try:
                self.deliver_due()
            except Exception:  # the thread must outlive a database hiccup; logged, tried again
                log.exception("EPCIS subscription delivery pass failed")

    def deliver_due(self) -> int:
        """Deliver every subscription that is due; the number of POSTs made."""
        now = self._clock()
        with self.database.unit_of_work(read_only=True) as uow:
            due = EpcisQueries(uow.connection).due_subscriptions(now)
        posts = 0
        for found in due:
            if self._stopping.is_set() and self._thread is not None:
                break
            with self.database.unit_of_work() as uow:
                lease = now + dt.timedelta(seconds=self.policy.lease)
                claimed = EpcisQueries(uow.connection).claim(found.id, at=now, until=lease)
                uow.commit()
            if not claimed:
                continue
            try:
                posts += self._deliver(found, now)
            except Exception as error:
                if is_busy(error):
                    raise  # the database is busy for all: the pass ends, tried again later
                # one subscription's fault must not hold up the others; its lease keeps it
                # from being tried again at once
                log.exception("EPCIS subscription %s: delivery failed", found.subscription_id)
        return posts

    def _deliver(self, found: Subscription, now: dt.datetime) -> int:
        """Send what the subscription has not had yet, batch by batch; record the outcome."""
        definition = definition_of_subscription(found)
        viewer = viewer_of(
            Actor(found.created_by or "subscriber", Role(found.role), found.party_id)
        )
        settled = now - dt.timedelta(seconds=self.policy.settle)
        before = definition.conditions.record_time_before
        conditions = dataclasses.replace(
            definition.conditions,
            order_by="recordTime",
            descending=False,
            record_time_before=settled if before is None else min(before, settled),
        )
        watermark = found.watermark
        posts = 0
        while True:
            with self.database.unit_of_work(read_only=True) as uow:
                queries = EpcisQueries(uow.connection)
                lost = _lost_access(found, queries.creator_standing(found))
                if lost is None:
                    events = queries.events(
                        conditions, viewer=viewer, after=watermark, limit=self.policy.batch
                    )
            if lost is not None:
                self._suspend(found, lost)
                return posts
            if not events and (found.stream or posts or not found.report_if_empty):
                break
            body = json.dumps(
                answer_document(
                    events,
                    query_name=found.query_name,
                    created=now,
                    subscription_id=found.subscription_id,
                ),
                separators=(",", ":"),
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "GS1-EPCIS-Version": "2.0.0",
                "GS1-CBV-Version": "2.0.0",
            }
            if found.signature_token:
                headers["GS1-Signature"] = signature(body, found.signature_token)
            error = self._attempt(found.dest, body, headers)
            if error is not None:
                self._failed(found, now, error)
                return posts + 1
            posts += 1
            if events:
                watermark = events[-1].position
            # recorded after each batch, so that a failure later does not send these again
            self._delivered(found, watermark, now, notified=True, final=False)
            if len(events) < self.policy.batch:
                break
        self._delivered(found, watermark, now, notified=posts > 0, final=True)
        return posts

    def _attempt(self, dest: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        try:
            target = self.destinations.check(dest)
        except DestinationRefused as error:
            return f"{dest}: destination refused: {error}"
        try:
            status = self._post(target, body, headers)
        except (OSError, http.client.HTTPException) as error:
            return f"{dest}: {error or type(error).__name__}"
        if not 200 <= status < 300:
            return f"{dest} answered HTTP {status}"
        return None

    def _delivered(
        self,
        found: Subscription,
        watermark: PagePosition,
        now: dt.datetime,
        *,
        notified: bool,
        final: bool,
    ) -> None:
        if final:
            upcoming = (
                now + dt.timedelta(seconds=self.policy.poll)
                if found.schedule is None
                else Schedule.read(found.schedule).next_after(now)
            )
        else:
            upcoming = now
        with self.database.unit_of_work() as uow:
            EpcisQueries(uow.connection).delivered(
                found.id, watermark=watermark, at=now, next_attempt_at=upcoming, notified=notified
            )
            if not final:
                # keep the lease while the next batch is under way
                EpcisQueries(uow.connection).claim(
                    found.id, at=now, until=now + dt.timedelta(seconds=self.policy.lease)
                )
            uow.commit()

    def _failed(self, found: Subscription, now: dt.datetime, error: str) -> None:
        attempts = found.attempts + 1
        suspended = attempts >= self.policy.max_attempts
        delay = min(self.policy.backoff * 2 ** (attempts - 1), self.policy.max_backoff)
        log.warning("EPCIS subscription %s: delivery failed (%s)", found.subscription_id, error)
        with self.database.unit_of_work() as uow:
            EpcisQueries(uow.connection).failed(
                found.id,
                error=error,
                attempts=attempts,
                status="suspended" if suspended else "failing",
                next_attempt_at=now + dt.timedelta(seconds=delay),
                suspended_reason=f"{attempts} deliveries in a row failed" if suspended else None,
            )
            uow.commit()

    def _suspend(self, found: Subscription, reason: str) -> None:
        log.warning("EPCIS subscription %s suspended: %s", found.subscription_id, reason)
        with self.database.unit_of_work() as uow:
            EpcisQueries(uow.connection).suspend(found.id, reason=reason)
            uow.commit()


def _lost_access(found: Subscription, standing: CreatorStanding) -> str | None:
    """Why ``found`` may deliver no more: its creator's token or party is gone (None while
    they stand)."""
    if not standing.token_known:
        return f"the token that made it ({ACTOR_PREFIX}{found.token_id}) no longer exists"
    if standing.token_revoked_at is not None and found.token_id is not None:
        return revocation_reason(found.token_id, standing.token_revoked_at)
    if not standing.party_known:
        return f"its party {found.party_id!r}, whose view of the events it had, no longer exists"
    return None


def definition_of_subscription(found: Subscription) -> QueryDefinition:
    return read_query(json_parameters(found.query))
