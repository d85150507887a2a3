"""The console's party pages: ``/console/parties`` (every party, for the brand's admin; a
distributor's user is sent to its own party's page) and ``/console/parties/{id}``, distributor
accountability at a glance (:mod:`unitrace.services.party_accountability`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from unitrace.api.console.pages import NO_STORE, console_page
from unitrace.api.console.refusals import WORDING, refusal_page, utc_text
from unitrace.api.console.session import Signed, SignedIn
from unitrace.api.dependencies import row_id
from unitrace.registry.errors import InvalidRequest, Refused
from unitrace.registry.model import Role
from unitrace.services.code_lookup import lot_path, party_path, unit_path
from unitrace.services.party_accountability import (
    PartyAccountability,
    check_party_reader,
    parties_page,
    party_accountability,
)
from unitrace.store.unit_of_work import Database

router = APIRouter(include_in_schema=False)


@router.get("/console/parties")
def parties(request: Request, signed: SignedIn, page: Annotated[str, Query()] = "1") -> Response:
    database: Database = request.app.state.database
    try:
        check_party_reader(signed.actor)
        if signed.role is Role.DISTRIBUTOR and signed.party is not None:
            return RedirectResponse(party_path(signed.party), status_code=303, headers=NO_STORE)
        number = row_id(page.strip())
        if number is None:
            raise InvalidRequest(f"page: {page[:20]!r} is not a page number (1, 2, …)")
        with database.unit_of_work(read_only=True) as uow:
            listed = parties_page(uow, page=number, actor=signed.actor)
    except Refused as refusal:
        return refusal_page(request, signed, refusal)
    return console_page(
        request,
        signed,
        "parties.html",
        title="Parties",
        listed=listed,
        territory_map={"territory": list(listed.territories)},
        party_path=party_path,
        **WORDING,
    )


@router.get("/console/parties/{party_id}")
def party(request: Request, signed: SignedIn, party_id: str) -> HTMLResponse:
    database: Database = request.app.state.database
    try:
        with database.unit_of_work(read_only=True) as uow:
            figures = party_accountability(uow, party_id, actor=signed.actor)
    except Refused as refusal:
        return refusal_page(request, signed, refusal)
    return console_page(
        request,
        signed,
        "party.html",
        title=figures.party.name,
        figures=figures,
        party=figures.party,
        party_map=_party_map(figures),
        lot_path=lot_path,
        unit_path=unit_path,
        **WORDING,
    )


def party_href(signed: Signed) -> Callable[[str], str | None]:
    """The link to a party's page where ``signed`` may open it (the admin any party's, a
    distributor's user its own party's), for pages that name parties."""

    def href(party_id: str) -> str | None:
        if signed.role is Role.ADMIN or (
            signed.role is Role.DISTRIBUTOR and party_id == signed.party
        ):
            return party_path(party_id)
        return None

    return href


def _party_map(figures: PartyAccountability) -> dict[str, Any]:
    """The party's map (console-map.js's contract): its territory outlined, the places its
    units were scanned shaded by their scans, and its scans outside its territory as points."""
    points = [
        {
            "lat": scan.place.latitude,
            "lon": scan.place.longitude,
            "label": f"{utc_text(scan.at)} · {scan.place.label} · {scan.verdict}",
            "verdict": scan.verdict,
        }
        for scan in figures.outside_scans
        if scan.place.has_coordinates
    ]
    return {
        "territory": list(figures.party.territory),
        "areas": figures.map_areas,
        "points": points,
    }
