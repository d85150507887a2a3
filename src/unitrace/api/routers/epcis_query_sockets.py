"""Subscriptions to a named query over a WebSocket, as the EPCIS 2.0 REST binding defines them:
the handshake is ``GET /epcis/queries/{name}/events`` with ``Upgrade: websocket`` and
``stream=true`` or a schedule (``second``, ``minute``, ``hour``, ``dayOfMonth``, ``month``,
``dayOfWeek``, in UTC), and optionally ``reportIfEmpty``, ``initialRecordTime`` and ``perPage``
(events per message, 500 unless given, at most 1,000), with the caller's
``Authorization: Bearer`` token. Each message is an EPCISQueryDocument (JSON-LD, or XML where
the handshake's ``Accept`` prefers it) carrying the query's name and the subscription's
``subscriptionID``, with the events the caller's token may see, as the query's answers show
them. A streamed subscription is sent the events that become visible after the handshake, soon
after their capture; a scheduled one, at each time its schedule names, the events since its
last run (an empty document then only with ``reportIfEmpty=true``). With
``initialRecordTime``, the first message also has the matching events recorded since then.
The subscription ends with the socket.

A handshake that makes no subscription is answered with the REST binding's problem instead of
the upgrade: 400 ``SubscriptionControlsException`` naming the parameter, 401 without a live
token, 403 for a token that owns no queries, 404 ``NoSuchNameException`` for a query that is
not the caller's owner's, 406 for an ``Accept`` naming no form served, 429 when the token (or
the worker) holds as many sockets as it may. A server that cannot answer a handshake with a
response closes it instead, with 4000 + that status. Once open, a socket is closed with
4401 when its token is revoked, 4404 when its query is deleted, 4408 when the client takes
more than 30 s to take a message, 1001 (or 1012, from the server) when the service stops.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Final

import anyio
import anyio.to_thread
from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketState

from unitrace.api.dependencies import actor_of
from unitrace.api.epcis_problems import (
    BUSY,
    FORBIDDEN,
    IMPLEMENTATION,
    NO_SUCH_NAME,
    NOT_ACCEPTABLE,
    SUBSCRIPTION_CONTROLS,
    UNAUTHORIZED,
    VERSIONS,
    EpcisProblem,
    epcis_problem,
)
from unitrace.api.epcis_socket_hub import FAILED, TOO_SLOW, HeldSocket, SocketHub, TooManySockets
from unitrace.api.routers.epcis_query import XML, media_type_of
from unitrace.epcis.xml import UnwritableDocument
from unitrace.epcis.xml_write import document_to_xml
from unitrace.registry.errors import Forbidden, NotFound, Refused
from unitrace.registry.model import Actor
from unitrace.services.epcis_query import QueryParameterException, sockets
from unitrace.services.epcis_query.subscriptions import SubscriptionControlsException
from unitrace.store.database import DatabaseBusy, is_busy
from unitrace.store.epcis_query import FoundEvent, PagePosition
from unitrace.store.epcis_query.event_feed import FeedMark
from unitrace.store.unit_of_work import Database

log = logging.getLogger(__name__)

router = APIRouter(prefix="/epcis", tags=["epcis query"])

#: More sockets than a token or a worker may hold (the binding names no status for it).
TOO_MANY: Final = EpcisProblem(429, "ImplementationException", "Too many subscriptions")
#: Seconds a closing handshake may take before the socket is simply left.
CLOSE_WITHIN: Final = 2.0


class _Refusal(Exception):
    def __init__(self, kind: EpcisProblem, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


@router.websocket("/queries/{name}/events")
async def subscribe_over_websocket(websocket: WebSocket, name: str) -> None:
    """Subscribe to the named query ``name`` over this WebSocket (see the module)."""
    hub: SocketHub = websocket.app.state.socket_hub
    database: Database = websocket.app.state.database
    try:
        media = media_type_of(websocket)
        if media is None:
            raise _Refusal(
                NOT_ACCEPTABLE,
                f"Accept: {websocket.headers.get('accept')!r}: messages are application/ld+json, "
                "application/json or application/xml",
            )
        # the handshake is a request like any other, on the threads requests run on: the
        # hub's few are its open sockets', which a crowd of handshakes (anonymous ones
        # among them) must not keep waiting
        actor = await anyio.to_thread.run_sync(_caller, websocket, database)
        request = sockets.SocketRequest.read(websocket.query_params.multi_items())
        subscription = await anyio.to_thread.run_sync(_open, database, name, request, actor)
        held = hub.hold(subscription.token_id, subscription.query_id)
    except Exception as error:  # every refusal is answered; the unforeseen ones logged too
        await _deny(websocket, _problem(error))
        return
    try:
        minimum = request.initial_record_time or dt.datetime.now(dt.UTC)
        headers = {**VERSIONS, "GS1-Query-Min-Record-Time": _time_text(minimum)}
        await websocket.accept(
            headers=[(key.lower().encode(), value.encode()) for key, value in headers.items()]
        )
        await _serve(websocket, hub, held, _Sender(websocket, hub, subscription, media))
    finally:
        hub.release(held)


def _caller(websocket: WebSocket, database: Database) -> Actor:
    header = websocket.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "the handshake needs an 'Authorization: Bearer <token>' header")
    return actor_of(websocket, database, token.strip())


def _open(
    database: Database, name: str, request: sockets.SocketRequest, actor: Actor
) -> sockets.SocketSubscription:
    with database.unit_of_work(read_only=True) as uow:
        return sockets.open_subscription(uow, name, request, actor=actor)


def _problem(error: Exception) -> JSONResponse:
    if isinstance(error, _Refusal):
        return epcis_problem(error.kind, str(error))
    if isinstance(error, HTTPException):
        return epcis_problem(UNAUTHORIZED, str(error.detail))
    if isinstance(error, QueryParameterException | SubscriptionControlsException):
        # the binding types every 400 of this handshake so (its 400SubscriptionIssues)
        return epcis_problem(SUBSCRIPTION_CONTROLS, str(error))
    if isinstance(error, TooManySockets):
        return epcis_problem(TOO_MANY, str(error), headers={"Retry-After": "10"})
    if isinstance(error, NotFound):
        return epcis_problem(NO_SUCH_NAME, str(error))
    if isinstance(error, Forbidden):
        return epcis_problem(FORBIDDEN, str(error))
    if isinstance(error, DatabaseBusy) or is_busy(error):
        return epcis_problem(BUSY, "the repository is busy; try again in a moment")
    if isinstance(error, Refused):
        return epcis_problem(SUBSCRIPTION_CONTROLS, str(error))
    log.error("a WebSocket subscription's handshake failed", exc_info=error)
    return epcis_problem(IMPLEMENTATION, "the subscription could not be opened")


async def _deny(websocket: WebSocket, problem: JSONResponse) -> None:
    """Answer the handshake with ``problem``, or, where the server cannot send a response to a
    handshake, close it with 4000 + its status."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(problem)
    else:
        detail = str(json.loads(bytes(problem.body)).get("detail", ""))
        await websocket.close(4000 + problem.status_code, detail[:120])


class _Sender:
    """Sends one subscription its messages: the events between two looks, a message's worth
    at a time, each message taken by the client before the next is read."""

    def __init__(
        self,
        websocket: WebSocket,
        hub: SocketHub,
        subscription: sockets.SocketSubscription,
        media: str,
    ) -> None:
        self.websocket = websocket
        self.hub = hub
        self.subscription = subscription
        self.media = media

    async def send_between(
        self,
        earlier: FeedMark | None,
        later: FeedMark,
        *,
        recorded_from: dt.datetime | None = None,
        report_if_empty: bool = False,
    ) -> bool:
        """Send the events between the looks; an empty document where none and
        ``report_if_empty``. False when the client took a message too slowly."""
        after: PagePosition | None = None
        limit = self.subscription.request.per_message
        sent = 0
        while True:
            events = await self.hub.in_thread(self._read, earlier, later, after, recorded_from)
            if events or (sent == 0 and report_if_empty):
                if not await self._send(events):
                    return False
                sent += 1
            if len(events) < limit:
                return True
            after = events[-1].position

    def _read(
        self,
        earlier: FeedMark | None,
        later: FeedMark,
        after: PagePosition | None,
        recorded_from: dt.datetime | None,
    ) -> list[FoundEvent]:
        with self.hub.database.unit_of_work(read_only=True) as uow:
            return sockets.events_between(
                uow, self.subscription, earlier, later, after=after, recorded_from=recorded_from
            )

    async def _send(self, events: list[FoundEvent]) -> bool:
        # written on the hub's threads: a thousand events take ~45 ms as XML, which on the
        # event loop would hold up every other socket and request of the worker
        text = await self.hub.in_thread(self._compose, events)
        with anyio.move_on_after(self.hub.limits.send_within) as waited:
            await self.websocket.send_text(text)
        return not waited.cancelled_caught

    def _compose(self, events: list[FoundEvent]) -> str:
        document = sockets.message(self.subscription, events, at=dt.datetime.now(dt.UTC))
        return _written(document, self.media)


def _written(document: dict[str, object], media: str) -> str:
    if media == XML:
        try:
            return document_to_xml(document).decode()
        except UnwritableDocument:
            pass  # an event with no XML form goes as JSON-LD rather than not at all
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


async def _serve(websocket: WebSocket, hub: SocketHub, held: HeldSocket, sender: _Sender) -> None:
    """Run the subscription until the client leaves or the hub ends it; then close."""
    ended_by_server = True
    async with anyio.create_task_group() as group:

        async def until_the_client_leaves() -> None:
            nonlocal ended_by_server
            while True:
                message = await websocket.receive()
                # whatever else a client sends is read and let go: a subscription takes no input
                if message["type"] == "websocket.disconnect":
                    ended_by_server = False
                    group.cancel_scope.cancel()
                    return

        async def until_the_hub_ends_it() -> None:
            # a revoked token or a deleted query ends the socket even while it waits on a
            # slow client or a read
            await held.ended.wait()
            group.cancel_scope.cancel()

        group.start_soon(until_the_client_leaves)
        group.start_soon(until_the_hub_ends_it)
        try:
            request = sender.subscription.request
            if request.schedule is None:
                await _stream(hub, held, sender)
            else:
                await _scheduled(hub, held, sender)
        except WebSocketDisconnect:
            # the client left while a message was being sent to it
            ended_by_server = False
        except Exception:
            log.exception("WebSocket subscription %s failed", sender.subscription.subscription_id)
            held.end(FAILED, "the subscription failed; subscribe again")
        group.cancel_scope.cancel()
    if ended_by_server:
        log.info(
            "WebSocket subscription %s ended: %s %s",
            sender.subscription.subscription_id,
            held.code,
            held.reason,
        )
    if ended_by_server and websocket.application_state is WebSocketState.CONNECTED:
        with anyio.move_on_after(CLOSE_WITHIN):
            await websocket.close(held.code, held.reason)


async def _stream(hub: SocketHub, held: HeldSocket, sender: _Sender) -> None:
    subscription = sender.subscription
    mark = subscription.opened
    initial = subscription.request.initial_record_time
    if initial is not None and not await sender.send_between(None, mark, recorded_from=initial):
        held.end(TOO_SLOW, "the client took too long to take a message")
        return
    while True:
        await held.wake.wait()
        held.wake.clear()
        if held.ended.is_set():
            return
        latest = hub.mark
        # a look older than the socket's own (taken before the socket opened) has nothing new
        if latest is None or latest == mark or not latest.covers(mark):
            continue
        if not await sender.send_between(mark, latest):
            held.end(TOO_SLOW, "the client took too long to take a message")
            return
        mark = latest


async def _scheduled(hub: SocketHub, held: HeldSocket, sender: _Sender) -> None:
    subscription = sender.subscription
    request = subscription.request
    assert request.schedule is not None
    mark: FeedMark | None = subscription.opened
    recorded_from = request.initial_record_time
    if recorded_from is not None:
        mark = None  # the first run reads every event recorded since then
    while True:
        now = dt.datetime.now(dt.UTC)
        due = request.schedule.next_after(now)
        with anyio.move_on_after((due - now).total_seconds()):
            await held.ended.wait()
        if held.ended.is_set():
            return
        later = await hub.in_thread(_look, hub.database)
        if not await sender.send_between(
            mark, later, recorded_from=recorded_from, report_if_empty=request.report_if_empty
        ):
            held.end(TOO_SLOW, "the client took too long to take a message")
            return
        mark, recorded_from = later, None


def _look(database: Database) -> FeedMark:
    with database.unit_of_work(read_only=True) as uow:
        return sockets.look(uow)


def _time_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
