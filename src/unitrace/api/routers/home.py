"""The front door: ``/`` answers a browser with a landing page (what unitrace is, a box to
verify a code, the links a visitor may follow) and a JSON client with an index of the same
links; ``/verify?code=…`` takes a code in any form a scanner or a person gives and sends the
browser to its page on this service's own resolver."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from unitrace import __version__
from unitrace.gs1 import InvalidCode, parse
from unitrace.gs1.digital_link import build_digital_link
from unitrace.web.pages import bad_code_page, render_page

router = APIRouter(tags=["service"])

#: Where a visitor may go from the front door.
LINKS: dict[str, str] = {
    "verify": "/verify?code={code}",
    "scans": "/api/scans",
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
    "epcis": "/epcis",
    "health": "/health",
}


@router.get("/", response_model=None)
def home(request: Request) -> Response:
    """The landing page for a browser; for any other client, an index of the service."""
    if _wants_html(request.headers.get("accept", "")):
        return HTMLResponse(render_page("home.html"))
    index: dict[str, Any] = {"name": "unitrace", "version": __version__, "links": LINKS}
    return JSONResponse(index)


@router.get("/verify", response_model=None)
def verify(code: str = Query(max_length=2048)) -> Response:
    """The verification page of ``code`` (a Digital Link, an element string, an EPC URI, …)
    on this service's own resolver: a 303 to it, or the bad-code page where ``code`` names no
    GS1 key a resolver answers for."""
    try:
        link = urlsplit(build_digital_link(parse(code).elements, _ANY_RESOLVER))
    except InvalidCode as error:
        return HTMLResponse(bad_code_page(str(error)), status_code=400)
    return RedirectResponse(link.path + (f"?{link.query}" if link.query else ""), status_code=303)


#: A resolver base whose path the redirect keeps (the browser stays on this service).
_ANY_RESOLVER = "https://resolver.example"


def _wants_html(accept: str) -> bool:
    """Whether an ``Accept`` header asks for a page before JSON (a browser's does).

    >>> _wants_html("text/html,application/xhtml+xml,*/*;q=0.8"), _wants_html("application/json")
    (True, False)
    >>> _wants_html("*/*"), _wants_html("")
    (False, False)
    """
    html = accept.find("text/html")
    json = accept.find("application/json")
    return html >= 0 and (json < 0 or html < json)
