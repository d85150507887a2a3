"""How much a request may send: a body over its limit is refused with 413 (problem+json)
before it is read whole, whatever route it is for.

| requests | limit |
| --- | --- |
| ``/api/scans`` (public) | :data:`SCAN_MAX_BYTES` (8 KiB: a 2,048-character code and its place fit many times over) |
| ``POST /epcis/capture``, ``POST /epcis/events`` | ``UNITRACE_CAPTURE_MAX_BYTES`` (64 MiB) |
| ``POST /api/sensor-readings`` | :data:`READINGS_MAX_BYTES` (64 MiB: a logger's trip of a million readings is some 40 MB of CSV) |
| any other | ``UNITRACE_BODY_MAX_BYTES`` (1 MiB) |

A ``Content-Length`` over the limit is answered at once, the body unread. A body sent without
one (chunked) is counted as it arrives and refused the moment it passes the limit; the answer
closes the connection, so the rest is never read. Either way the route gets no body, so
nothing is stored.
"""

from __future__ import annotations

from typing import Final

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unitrace.api.epcis_problems import CAPTURE_LIMIT_EXCEEDED, capture_limits, epcis_problem
from unitrace.api.problems import problem
from unitrace.config import Settings
from unitrace.services.epcis_capture import CAPTURE_FILE_SIZE_LIMIT

#: The largest scan body read.
SCAN_MAX_BYTES: Final = 8 * 1024
SCANS: Final = "/api/scans"
CAPTURES: Final = ("/epcis/capture", "/epcis/events")
#: The largest upload of sensor readings read.
READINGS_MAX_BYTES: Final = 64 * 1024 * 1024
READINGS: Final = "/api/sensor-readings"


class BodyTooLarge(HTTPException):
    """Raised into the route reading a body that has just passed its limit; the problem
    handlers answer it as any other 413."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail, headers={"Connection": "close"})


class RequestBodies:
    """ASGI middleware holding every request body to its limit (the table above)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.general = settings.body_max_bytes
        self.capture = settings.capture_max_bytes or CAPTURE_FILE_SIZE_LIMIT

    def limit(self, path: str) -> int:
        """The most bytes a request to ``path`` may send."""
        if path == SCANS:
            return SCAN_MAX_BYTES
        if path in CAPTURES:
            return self.capture
        if path == READINGS:
            return READINGS_MAX_BYTES
        return self.general

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.limit(path)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self.refusal(path, _over(declared, limit, path))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(_over(None, limit, path))
            return message

        await self.app(scope, counted, send)

    def refusal(self, path: str, detail: str) -> Response:
        headers = {"Connection": "close"}
        if path in CAPTURES:
            headers.update(capture_limits(self.capture))
        if path.startswith("/epcis/"):
            return epcis_problem(CAPTURE_LIMIT_EXCEEDED, detail, headers=headers)
        answer = problem(413, "payload-too-large", "Payload too large", detail)
        answer.headers.update(headers)
        return answer


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _over(declared: int | None, limit: int, path: str) -> str:
    size = "the body" if declared is None else f"the body ({declared:,} bytes)"
    advice = (
        "split it into several captures"
        if path in CAPTURES
        else "split the readings into several uploads"
        if path == READINGS
        else "send less"
    )
    return f"{size} is over the limit of {limit:,} bytes for {path}; {advice}"
