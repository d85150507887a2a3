"""Rendering console pages: every page gets the signed-in person, the form token, the
navigation their role may follow, and the console's style sheet; a refusal is a page too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from unitrace.api.console.session import Signed
from unitrace.registry.model import Role
from unitrace.web.pages import render_page


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    #: the roles that see the item (admin sees all)
    roles: tuple[Role, ...] = (Role.LINE, Role.DISTRIBUTOR, Role.VERIFIER)


#: The console's sections, in the order the navigation lists them.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Overview", "/console"),
    NavItem("Scans", "/console/scans"),
    # the API shows alerts to an admin and a distributor only (services.alert_workflow)
    NavItem("Alerts", "/console/alerts", (Role.DISTRIBUTOR,)),
    NavItem("Products", "/console/products", (Role.LINE, Role.DISTRIBUTOR, Role.VERIFIER)),
    NavItem("Serial requests", "/console/serial-requests", (Role.LINE,)),
    NavItem("Parties", "/console/parties", (Role.DISTRIBUTOR,)),
    # trace follows the API's view: a verifier sees no unit
    NavItem("Trace", "/console/trace", (Role.LINE, Role.DISTRIBUTOR)),
    NavItem("Recalls", "/console/recalls", (Role.LINE, Role.DISTRIBUTOR)),
    # the cold chain follows the API's view, as trace does
    NavItem("Cold chain", "/console/cold-chain", (Role.LINE, Role.DISTRIBUTOR)),
)


def navigation(signed: Signed, path: str) -> list[dict[str, Any]]:
    """The sections ``signed`` may open, the one ``path`` is in marked current."""
    shown = [item for item in NAVIGATION if signed.may(*item.roles)]
    # the overview is current on itself only: a unit's or a search's page is in no section
    current = max(
        (
            item.href
            for item in shown
            if path == item.href or (item.href != "/console" and path.startswith(item.href + "/"))
        ),
        key=len,
        default=None,
    )
    return [
        {"label": item.label, "href": item.href, "current": item.href == current} for item in shown
    ]


def console_page(
    request: Request, signed: Signed, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """The page ``template`` (under ``console/``) for ``signed``."""
    body = render_page(
        f"console/{template}",
        signed=signed,
        user=signed.session.user,
        csrf=signed.csrf,
        nav=navigation(signed, request.url.path),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def console_problem(request: Request, signed: Signed, status: int, message: str) -> HTMLResponse:
    """A refusal as a console page: 404 for what the person may not see or that does not
    exist (a distributor's user is not told which), 400 and 403 for the rest."""
    titles = {400: "Not accepted", 403: "Not allowed", 404: "Not found", 409: "Conflict"}
    return console_page(
        request,
        signed,
        "problem.html",
        status=status,
        title=titles.get(status, "Not done"),
        message=message,
    )


#: Console pages show a brand's figures: no shared cache keeps them.
NO_STORE = {"Cache-Control": "no-store"}
