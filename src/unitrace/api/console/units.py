"""The console's search box and the pages of a unit and of a case or pallet.

- ``/console/search?code=…`` reads any code (:mod:`unitrace.services.code_lookup`) and sends
  the browser to the page of what it names (303); a code it cannot read is a 400 page saying
  why, the code kept in the box.
- ``/console/units/{gtin}/{serial}``: the unit's trail (:mod:`unitrace.services.unit_trail`).
- ``/console/containers/{code}``: a case or pallet, what it holds and where it is.

Each asks the services with the signed-in person's actor, as the API asks with a token's:
the same rules, the same refusals, as pages.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from unitrace.api.console.cold_chain_words import page_section
from unitrace.api.console.pages import NO_STORE, console_page
from unitrace.api.console.parties import party_href
from unitrace.api.console.refusals import WORDING, refusal_page, utc_text
from unitrace.api.console.session import SignedIn
from unitrace.api.console.trace import trace_path
from unitrace.gs1 import InvalidCode, parse
from unitrace.registry.errors import InvalidRequest, Refused
from unitrace.services.code_lookup import (
    MAX_CODE_LENGTH,
    code_target,
    container_path,
    lot_path,
    unit_path,
)
from unitrace.services.lifecycle import ContainerView, container_view
from unitrace.services.unit_trail import UnitTrail, unit_trail
from unitrace.store.unit_of_work import Database

router = APIRouter(include_in_schema=False)

#: The most units and inner containers a container page lists.
CONTAINER_LISTING: Final = 100


@router.get("/console/search")
def search(
    request: Request,
    signed: SignedIn,
    code: Annotated[str, Query()] = "",
) -> Response:
    database: Database = request.app.state.database
    try:
        with database.unit_of_work(read_only=True) as uow:
            target = code_target(uow, code, actor=signed.actor)
    except Refused as refusal:
        status = 404 if not isinstance(refusal, InvalidRequest) else 400
        return console_page(
            request,
            signed,
            "search.html",
            status=status,
            title="Code not found" if status == 404 else "Code not read",
            search_code=code[:MAX_CODE_LENGTH],
            search_error=str(refusal),
        )
    return RedirectResponse(target.path, status_code=303, headers=NO_STORE)


@router.get("/console/units/{gtin}/{serial:path}")
def unit_page(request: Request, signed: SignedIn, gtin: str, serial: str) -> HTMLResponse:
    database: Database = request.app.state.database
    try:
        with database.unit_of_work(read_only=True) as uow:
            trail = unit_trail(uow, gtin=gtin, serial=serial, actor=signed.actor)
    except Refused as refusal:
        return refusal_page(request, signed, refusal)
    unit = trail.unit
    return console_page(
        request,
        signed,
        "unit.html",
        title=f"Unit (01){unit.gtin.value}(21){unit.serial}",
        trail=trail,
        unit=unit,
        scan_map=_scan_map(trail),
        trace_path=trace_path,
        container_path=container_path,
        lot_path=lot_path,
        party_href=party_href(signed),
        cold_chain=page_section(database, signed, f"(01){unit.gtin.value}(21){unit.serial}"),
        **WORDING,
    )


@router.get("/console/containers/{code:path}")
def container_page(request: Request, signed: SignedIn, code: str) -> HTMLResponse:
    database: Database = request.app.state.database
    try:
        if len(code) > MAX_CODE_LENGTH:
            raise InvalidRequest(f"code: a code has at most {MAX_CODE_LENGTH:,} characters")
        with database.unit_of_work(read_only=True) as uow:
            view = container_view(uow, code=code, actor=signed.actor)
    except Refused as refusal:
        return refusal_page(request, signed, refusal)
    return console_page(
        request,
        signed,
        "logistic_unit.html",
        title=f"{'Pallet' if view.kind == 'sscc' else 'Case'} {_hri(view.epc)}",
        view=view,
        code=_hri(view.epc),
        parent=_hri(view.parent) if view.parent else None,
        inner=[_hri(epc) for epc in view.containers[:CONTAINER_LISTING]],
        units=_unit_links(view),
        container_path=container_path,
        party_href=party_href(signed),
        cold_chain=page_section(database, signed, view.epc),
        **WORDING,
    )


def _scan_map(trail: UnitTrail) -> dict[str, Any]:
    """The map of the unit's scans (console-map.js's contract): its scans with coordinates,
    oldest first and joined in that order, and its scans by region or country."""
    points = [
        {
            "lat": scan.place.latitude,
            "lon": scan.place.longitude,
            "label": f"{utc_text(scan.at)} · {scan.place.label} · {scan.verdict}",
            "verdict": scan.verdict,
        }
        for scan in reversed(trail.scans)
        if scan.place.has_coordinates
    ]
    areas: dict[str, int] = {}
    for scan in trail.scans:
        if scan.place.area is not None:
            areas[scan.place.area] = areas.get(scan.place.area, 0) + 1
    return {"areas": areas, "points": points, "trail": True}


def _hri(epc: str) -> str:
    try:
        return parse(epc).hri()
    except InvalidCode:
        return epc


def _unit_links(view: ContainerView) -> list[tuple[str, str]]:
    """The first units a container holds directly: (code, its page's path)."""
    links = []
    for epc in view.units[:CONTAINER_LISTING]:
        try:
            scan = parse(epc)
        except InvalidCode:
            continue
        if scan.gtin is not None and scan.serial is not None:
            links.append((scan.hri(), unit_path(scan.gtin.value, scan.serial)))
    return links
