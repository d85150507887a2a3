"""The console's trace page, ``/console/trace?code=…&direction=…``, and its CSV.

It asks :func:`unitrace.services.trace.trace` with the signed-in person's actor, as
``GET /api/trace`` asks with a token's: forward, the units reached as charts (by custodian,
state and region, each over its table), the cases and pallets as a tree, the shipments and
what was made from it; back, the lot, the containers, the custodians, the timeline; both
with the genealogy as a graph, inputs on the left. ``/console/trace.csv`` is the route's CSV.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from unitrace.api.console.genealogy_graph import genealogy_graph
from unitrace.api.console.pages import NO_STORE, console_page
from unitrace.api.console.parties import party_href
from unitrace.api.console.refusals import WORDING, refusal_page
from unitrace.api.console.session import SignedIn
from unitrace.api.streamed_files import FilePipe, streamed_file
from unitrace.api.trace_answers import csv_lines
from unitrace.registry.errors import InvalidRequest, Refused
from unitrace.services import trace
from unitrace.services.code_lookup import MAX_CODE_LENGTH, container_path
from unitrace.store.unit_of_work import Database

router = APIRouter(include_in_schema=False)

#: The most containers the page's tree lists (the CSV names every unit's).
CONTAINER_LISTING: Final = 200


def trace_path(code: str, direction: str | None = None) -> str:
    """The trace page of ``code``.

    >>> trace_path("(01)09506000134352(21)A/1", "back")
    '/console/trace?code=%2801%2909506000134352%2821%29A%2F1&direction=back'
    """
    query = {"code": code, **({"direction": direction} if direction else {})}
    return f"/console/trace?{urlencode(query)}"


@router.get("/console/trace")
def trace_page(
    request: Request,
    signed: SignedIn,
    code: Annotated[str, Query()] = "",
    direction: Annotated[str, Query()] = "",
) -> HTMLResponse:
    context: dict[str, Any] = {
        "title": "Trace",
        "code": code[:MAX_CODE_LENGTH],
        "direction": direction,
        "found": None,
    }
    if code.strip():
        database: Database = request.app.state.database
        try:
            with database.unit_of_work(read_only=True) as uow:
                found = trace.trace(uow, code=code, direction=direction or None, actor=signed.actor)
        except Refused as refusal:
            return refusal_page(request, signed, refusal)
        context.update(_shown(found))
        context["title"] = f"Trace {found.subject.code}"
    return console_page(
        request,
        signed,
        "trace.html",
        trace_path=trace_path,
        container_path=container_path,
        party_href=party_href(signed),
        **context,
        **WORDING,
    )


@router.get("/console/trace.csv")
async def trace_csv(
    request: Request, signed: SignedIn, code: Annotated[str, Query()] = ""
) -> Response:
    """Every unit reached forward, one row each, as ``GET /api/trace?format=csv`` writes it."""
    database: Database = request.app.state.database

    def written(out: FilePipe) -> None:
        if not code.strip():
            raise InvalidRequest("code: give the code to trace")
        with database.unit_of_work(read_only=True) as uow:
            for part in csv_lines(trace.trace_rows(uow, code=code, actor=signed.actor)):
                out.write(part.encode())

    try:
        return await streamed_file(
            written, media_type="text/csv; charset=utf-8", file_name="trace.csv", headers=NO_STORE
        )
    except Refused as refusal:
        return refusal_page(request, signed, refusal)


def _shown(found: trace.ForwardTrace | trace.BackTrace) -> dict[str, Any]:
    if isinstance(found, trace.ForwardTrace):
        units = found.units
        depth: dict[str | None, int] = {None: -1}
        tree = []
        for container in found.containers[:CONTAINER_LISTING]:
            depth[container.code] = depth.get(container.parent, -1) + 1
            tree.append((depth[container.code], container))
        return {
            "found": found,
            "forward": True,
            "charts": [
                ("custodian", "Units by custodian", _chart(units.by_custodian)),
                ("state", "Units by state", _chart(units.by_state)),
                ("region", "Units by region", _chart(units.by_region)),
            ],
            "tree": tree,
            "containers_left_out": max(0, len(found.containers) - CONTAINER_LISTING),
            "graph": genealogy_graph(found.made_into, toward="outputs"),
            "genealogy": found.made_into,
        }
    return {
        "found": found,
        "forward": False,
        "graph": genealogy_graph(found.made_from, toward="inputs"),
        "genealogy": found.made_from,
    }


def _chart(counts: dict[str, int]) -> dict[str, Any]:
    """Counts as the console's doughnut charts draw them (console-charts.js's contract)."""
    return {"labels": list(counts), "series": [{"name": "units", "values": list(counts.values())}]}
