"""A request its worker stops in the middle of (uvicorn cancels it when the graceful shutdown
time is over) is answered 503 with Retry-After, as problem+json or an EPCIS exception, never
uvicorn's plain 500; one whose answer had begun is left as it was."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from unitrace.api.stopped_requests import RETRY_AFTER, StoppedRequests


async def held(scope: Scope, receive: Receive, send: Send) -> None:
    """A route still working when the worker stops: it never answers."""
    await asyncio.Event().wait()


async def half_answered(scope: Scope, receive: Receive, send: Send) -> None:
    """A route that began its answer (a streamed code file) and was stopped in the middle."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await asyncio.Event().wait()


def cancelled(app: Any, path: str) -> tuple[list[Message], bool]:
    """What ``app`` behind the middleware sends for a request to ``path`` cancelled while it
    runs, and whether the cancellation went on to the server."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    async def scenario() -> bool:
        scope = {"type": "http", "method": "POST", "path": path, "headers": []}
        task = asyncio.create_task(StoppedRequests(app)(scope, receive, send))
        await asyncio.sleep(0.01)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return True
        return False

    return sent, asyncio.run(scenario())


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/serial-requests", "/problems/stopping"),
        ("/epcis/capture", "epcisException:ImplementationException"),
    ],
)
def test_a_request_stopped_before_its_answer_is_a_503_to_send_again(path: str, kind: str) -> None:
    sent, went_on = cancelled(held, path)
    start, body = sent
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    problem = json.loads(body["body"])
    assert (start["status"], headers["content-type"], headers["retry-after"]) == (
        503,
        "application/problem+json",
        str(RETRY_AFTER),
    )
    assert (problem["status"], problem["type"]) == (503, kind)
    assert "nothing of it was kept" in problem["detail"]
    assert went_on


def test_a_request_whose_answer_had_begun_is_left_as_it_was() -> None:
    sent, went_on = cancelled(half_answered, "/api/serial-requests/1/codes")
    assert [(message["type"], message.get("status")) for message in sent] == [
        ("http.response.start", 200)
    ]
    assert went_on
