"""``/console``: the overview a manager opens first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from unitrace.api.console.pages import console_page
from unitrace.api.console.session import SignedIn

router = APIRouter(include_in_schema=False)


@router.get("/console")
def overview(request: Request, signed: SignedIn) -> HTMLResponse:
    return console_page(request, signed, "overview.html", title="Overview")
