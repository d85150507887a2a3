"""``/console/scans``: where and when the codes are scanned — a map of scans by country and
ISO 3166-2 region (shaded) with the latest scans that have coordinates as points, scans per day
by verdict, filterable by period, product, lot, verdict and distributor. Counts are read from
the scan counts; only the points read the scan log, its newest scans at most."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from unitrace.api.console.figure_filters import (
    PERIODS,
    custodian_choices,
    figure_filter,
    product_choices,
    read_filters,
    refusal_field,
)
from unitrace.api.console.overview import daily_chart, daily_rows
from unitrace.api.console.pages import console_page
from unitrace.api.console.refusals import WORDING, utc_text
from unitrace.api.console.session import SignedIn
from unitrace.api.dependencies import Reader
from unitrace.registry.errors import InvalidRequest
from unitrace.services import scan_figures
from unitrace.services.scan_figure_filter import VERDICTS

router = APIRouter(include_in_schema=False)

#: Scans drawn as points on the map at most.
POINTS = 300


@router.get("/console/scans")
def scans_map(request: Request, signed: SignedIn, uow: Reader) -> HTMLResponse:
    shown, errors = read_filters(request.query_params, party=signed.party)
    context: dict[str, Any] = {"areas": None}
    if not errors:
        chosen = figure_filter(shown, party=signed.party)
        try:
            found = scan_figures.map_figures(uow, chosen, points=POINTS)
            daily = scan_figures.scans_per_day(uow, chosen)
        except InvalidRequest as refusal:
            errors[refusal_field(str(refusal))] = str(refusal)
        else:
            context = _figures(found, daily)
    return console_page(
        request,
        signed,
        "scans.html",
        status=400 if errors else 200,
        title="Scans",
        shown=shown,
        errors=errors,
        periods=PERIODS,
        products=product_choices(uow),
        verdicts=VERDICTS,
        custodians=custodian_choices(uow, signed),
        **context,
        **WORDING,
    )


def _figures(found: scan_figures.MapFigures, daily: scan_figures.DailyScans) -> dict[str, Any]:
    points = [
        {
            "lat": point.latitude,
            "lon": point.longitude,
            "verdict": point.verdict,
            "label": f"{point.verdict} · {point.place.label} · {utc_text(point.at)}",
        }
        for point in found.points
    ]
    return {
        "areas": found.areas,
        "points": found.points,
        "total": sum(area.scans for area in found.areas.countries),
        "period": (daily.first_day, daily.last_day),
        "map_data": {
            "areas": {area.area: area.scans for area in found.areas.regions if area.area},
            "points": points,
            "measure": "scans",
        },
        "daily_chart": daily_chart(daily),
        "daily_rows": daily_rows(daily),
    }
