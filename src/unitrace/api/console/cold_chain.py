"""``/console/cold-chain``: the lots and the sources (containers, units, shipments, places)
with excursions, as :mod:`unitrace.services.cold_chain.excursion_listing` lists them — a
distributor's user those of what its party holds or held — filtered by verdict, newest judged
first, a page of 50 at a time; and ``/console/cold-chain/chart.svg?code=…``, the chart
``GET /api/cold-chain/chart.svg`` draws, under the console's session (an image a page shows
carries the console's cookie, not a token).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from unitrace.api.console.pages import console_page
from unitrace.api.console.refusals import WORDING, refusal_page
from unitrace.api.console.session import SignedIn
from unitrace.api.routers.cold_chain_chart import answer_of, chart_answer
from unitrace.coldchain.chart import source_label
from unitrace.coldchain.chart_scales import utc_text
from unitrace.coldchain.exposure import Source
from unitrace.gs1 import InvalidCode, parse
from unitrace.registry.errors import InvalidRequest, Refused
from unitrace.services.code_lookup import (
    MAX_CODE_LENGTH,
    container_path,
    lot_path,
    unit_path,
)
from unitrace.services.cold_chain.charts import exposure_chart
from unitrace.services.cold_chain.excursion_listing import excursion_listing
from unitrace.store.excursions_judged import JudgedExcursion
from unitrace.store.unit_of_work import Database

router = APIRouter(include_in_schema=False)

BASE = "/console/cold-chain"
#: How the page names each verdict.
VERDICT_WORDS = {"allowed_excursion": "allowed excursion", "breach": "breach"}


def chart_path(code: str) -> str:
    """The console's chart of ``code`` (a unit, container or lot).

    >>> chart_path("(01)09506000134352(10)L 1")
    '/console/cold-chain/chart.svg?code=%2801%2909506000134352%2810%29L+1'
    """
    return f"{BASE}/chart.svg?{urlencode({'code': code})}"


@router.get(BASE)
def cold_chain_page(
    request: Request,
    signed: SignedIn,
    verdict: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[str, Query(max_length=80)] = "",
) -> HTMLResponse:
    database: Database = request.app.state.database
    try:
        with database.unit_of_work(read_only=True) as uow:
            listing = excursion_listing(
                uow, actor=signed.actor, verdict=verdict or None, page=page or None
            )
    except InvalidRequest as refusal:
        return console_page(
            request,
            signed,
            "cold_chain.html",
            status=400,
            title="Cold chain",
            listing=None,
            error=str(refusal),
            verdicts=VERDICT_WORDS,
            chosen=verdict,
        )
    except Refused as refusal:
        return refusal_page(request, signed, refusal)
    chosen = {"verdict": verdict} if verdict else {}
    next_page = None
    if listing.next_page is not None:
        next_page = f"{BASE}?{urlencode({**chosen, 'page': listing.next_page})}"
    return console_page(
        request,
        signed,
        "cold_chain.html",
        title="Cold chain",
        listing=listing,
        lots=[(lot, lot_path(lot.gtin, lot.lot)) for lot in listing.lots],
        rows=[_excursion_row(excursion) for excursion in listing.excursions],
        next_page=next_page,
        first_page=f"{BASE}?{urlencode(chosen)}" if chosen else BASE,
        verdicts=VERDICT_WORDS,
        chosen=verdict,
        paged=bool(page),
        error=None,
        **WORDING,
    )


@router.get(BASE + "/chart.svg")
async def cold_chain_chart(
    request: Request, signed: SignedIn, code: Annotated[str, Query()] = ""
) -> Response:
    """The chart of ``code``, as the API draws it for the signed-in person's role; a
    refusal is a console page saying why (an image a page shows then shows nothing)."""
    database: Database = request.app.state.database
    try:
        if not code.strip():
            raise InvalidRequest("code: give the code of a unit, container or lot")
        if len(code) > MAX_CODE_LENGTH:
            raise InvalidRequest(f"code: a code has at most {MAX_CODE_LENGTH:,} characters")
        found = await anyio.to_thread.run_sync(answer_of, database, code, signed.actor)
    except Refused as refusal:
        return refusal_page(request, signed, refusal)
    return chart_answer(await anyio.to_thread.run_sync(exposure_chart, found))


def _excursion_row(excursion: JudgedExcursion) -> dict[str, Any]:
    """An excursion as a row of the page: its lot, its source in words with the page of what
    it names (a container's, a unit's, a place's), its time in UTC."""
    source = Source(excursion.target_kind, excursion.target, excursion.device)
    return {
        "excursion": excursion,
        "lot_href": lot_path(excursion.gtin, excursion.lot),
        "source": source_label(source),
        "source_full": source.label(),
        "source_href": _target_href(excursion.target_kind, excursion.target),
        "start": utc_text(excursion.start_ms),
        "end": utc_text(excursion.end_ms),
        "verdict_words": VERDICT_WORDS.get(excursion.verdict, excursion.verdict),
    }


def _target_href(kind: str, target: str) -> str | None:
    """The console page of what an excursion was measured on, where it has one: a container
    or a unit (by its code), a place (the search box sends a GLN on to its party's page); a
    shipment has none."""
    if kind == "location":
        return f"/console/search?{urlencode({'code': f'(414){target}'})}"
    if kind not in ("container", "unit"):
        return None
    try:
        scan = parse(target)
    except InvalidCode:
        return None
    if kind == "unit" and scan.gtin is not None and scan.serial is not None:
        return unit_path(scan.gtin.value, scan.serial)
    return container_path(scan.hri())
