"""A request a stopping worker could not finish is answered 503, not 500.

On SIGTERM a worker gives the requests under way its graceful shutdown time
(:data:`~unitrace.api.serving.GRACEFUL_SHUTDOWN`); uvicorn then cancels those still running
and, left to itself, answers each with a plain-text 500, as if unitrace had failed. Nothing of
such a request was kept: its unit of work was never committed, and the transaction dies with
the process. So it is answered as what it is: the service unavailable for a moment, ``503``
with ``Retry-After`` (problem+json; an EPCIS ``ImplementationException`` on ``/epcis``), which a
client may simply send again to the restarted service or another worker.
"""

from __future__ import annotations

import asyncio
from typing import Final

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unitrace.api.epcis_problems import BUSY, epcis_problem, is_epcis_path
from unitrace.api.problems import problem

#: Seconds a client is asked to wait: about what a worker takes to be replaced or restarted.
RETRY_AFTER: Final = 5
DETAIL: Final = (
    "the service stopped before it finished this request; nothing of it was kept: send it "
    "again in a moment"
)


def stopped_answer(path: str) -> Response:
    """The 503 a request under way at ``path`` gets when its worker stops."""
    headers = {"Retry-After": str(RETRY_AFTER)}
    if is_epcis_path(path):
        return epcis_problem(BUSY, DETAIL, headers=headers)
    answer = problem(503, "stopping", "Service stopping", DETAIL)
    answer.headers.update(headers)
    return answer


class StoppedRequests:
    """ASGI middleware: a request cancelled before its answer began is answered 503, and the
    cancellation goes on as it came (uvicorn, seeing the answer begun, sends nothing more)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except asyncio.CancelledError:
            if not started:
                await stopped_answer(str(scope.get("path", "")))(scope, receive, send)
            raise
