"""``POST /api/scans`` answered without the router: the busiest route of the service, taken
before FastAPI's routing, dependency solving and exception middleware.

A consumer's phone sends a small JSON body and no token; under load, matching the path among
the service's hundreds of routes and FastAPI's per-request machinery cost more than the
route's own work. :class:`ScanLane` sits inside the other middleware (body limits, stopped
requests, security headers all apply as before) and answers such a scan itself, with the
route's own code (:func:`~unitrace.api.routers.verification.scanned_answer`). Anything else
goes on to the router unchanged, with its body handed on as read: a body that is not a valid
scan (so its 422 is the route's own), a token (a scanner's, checked by the route), a body
sent without ``Content-Length``. So every answer is the route's answer; the route stays in
the OpenAPI document as it was.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unitrace.api.request_bodies import SCAN_MAX_BYTES, SCANS
from unitrace.api.routers.verification import ScanIn, scanned_answer

__all__ = ["ScanLane"]

#: Headers that send a scan the router's way.
_ROUTED: Final = frozenset((b"authorization", b"transfer-encoding"))


class ScanLane:
    """ASGI middleware answering a token-less ``POST /api/scans`` with a valid body itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != SCANS or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope["headers"]:
            if name in _ROUTED:
                await self.app(scope, receive, send)
                return
            if name == b"content-length":
                declared = int(value) if value.isdigit() else None
        if declared is None or declared > SCAN_MAX_BYTES:
            await self.app(scope, receive, send)
            return
        body, ended = await _body(receive)
        replayed = _replay(body, ended, receive)
        try:
            scan = ScanIn.model_validate_json(body) if ended is None else None
        except ValidationError:
            scan = None
        if scan is None:
            await self.app(scope, replayed, send)
            return
        request = Request(scope, replayed)
        try:
            answer = await scanned_answer(request, scan)
        except Exception as failure:
            handler = _handler(scope, failure)
            if handler is None:
                raise
            answer = await handler(request, failure)
        await answer(scope, replayed, send)


async def _body(receive: Receive) -> tuple[bytes, Message | None]:
    """The request's body, and the message that ended it early (a disconnect), if one did."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), message
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), None


def _replay(body: bytes, ended: Message | None, receive: Receive) -> Receive:
    """A ``receive`` giving the body already read, then what the connection sends next."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if ended is not None:
        pending.append(ended)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


def _handler(scope: Scope, failure: Exception) -> Any:
    """The application's exception handler for ``failure``, as its exception middleware
    would choose it (the nearest class in its method resolution order); None for one only
    the outermost middleware answers (``Exception``'s, a fault), as it does for the route."""
    handlers = scope["app"].exception_handlers
    for kind in type(failure).__mro__:
        if kind is Exception:
            return None
        if kind in handlers:
            return handlers[kind]
    return None
