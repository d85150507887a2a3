"""What a browser is told about every answer: ``X-Content-Type-Options: nosniff`` on all of
them, and on every page (an answer in ``text/html``) a Content-Security-Policy, framing
refused and no referrer, in one place rather than in each route.

unitrace's own pages (the resolver's verification page and bad-code page) load only their
style sheet and script from unitrace itself (``web.assets``) and post scans back to it, so
their policy allows that and nothing else: no inline script or style, no other host. A route
that writes a page of another kind sets its own ``Content-Security-Policy`` (the API
documentation does, ``api.documentation``), which is then left as it is.

The verification page's URL carries the unit's serial, the anti-counterfeit secret, so pages
send no ``Referer`` at all (``no-referrer``), not even to unitrace's own assets: nothing the
page loads or links to learns which unit was checked.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The policy of unitrace's own pages.
PAGE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

#: Sent with every page; ``X-Frame-Options`` for browsers that know no ``frame-ancestors``.
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """ASGI middleware adding the headers above to each answer as it starts; a header the
    route set already is kept."""

    #: What every answer carries, pages or not (a fault's answer, given outside the
    #: middleware, adds it itself).
    ALWAYS: Final = {"X-Content-Type-Options": "nosniff"}

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SecurityHeaders.ALWAYS.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in PAGE_HEADERS.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
