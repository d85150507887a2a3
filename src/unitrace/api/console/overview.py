"""``/console``: the overview a manager opens first — scans per day by verdict, the share of
suspicious and counterfeit scans, open alerts by type, the most-scanned products and lots,
first scans per region (where units are first bought and opened: sell-through) and each
distributor's scans. Every figure is read from the scan counts kept as scans are logged
(:mod:`unitrace.services.scan_figures`), never by counting the scan log."""

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
from unitrace.api.console.pages import console_page
from unitrace.api.console.refusals import WORDING
from unitrace.api.console.session import SignedIn
from unitrace.api.dependencies import Reader
from unitrace.registry.errors import InvalidRequest
from unitrace.registry.model import Role
from unitrace.services import scan_figures
from unitrace.services.alert_evidence_words import ALERT_TYPE_NAMES
from unitrace.services.scan_figure_filter import VERDICTS

router = APIRouter(include_in_schema=False)

#: Most-scanned products and lots, and regions of first scans, shown.
TOP = 10


@router.get("/console")
def overview(request: Request, signed: SignedIn, uow: Reader) -> HTMLResponse:
    shown, errors = read_filters(request.query_params, party=signed.party)
    figures = None
    firsts: tuple[scan_figures.AreaCount, ...] = ()
    chosen = None
    if not errors:
        chosen = figure_filter(shown, party=signed.party)
        try:
            figures = scan_figures.overview(uow, chosen, top=TOP)
            firsts = tuple(
                area for area in scan_figures.scans_by_area(uow, chosen).regions if area.first_scans
            )
        except InvalidRequest as refusal:
            errors[refusal_field(str(refusal))] = str(refusal)
            figures = None
    context: dict[str, Any] = {}
    if figures is not None:
        context = _figures(figures, sorted(firsts, key=lambda a: -a.first_scans)[:TOP], shown)
    # alerts are the admin's and, of its own units, a distributor's: not the line's nor a
    # verifier's, as the API and the alert pages decide
    context["shows_alerts"] = signed.may(Role.DISTRIBUTOR)
    return console_page(
        request,
        signed,
        "overview.html",
        status=400 if errors else 200,
        title="Overview",
        shown=shown,
        errors=errors,
        periods=PERIODS,
        products=product_choices(uow),
        verdicts=VERDICTS,
        custodians=custodian_choices(uow, signed),
        figures=figures,
        **context,
        **WORDING,
    )


def _figures(
    figures: scan_figures.Overview,
    firsts: list[scan_figures.AreaCount],
    shown: Any,
) -> dict[str, Any]:
    daily = figures.daily
    # a day's bar opens the scans map of that day, with the same filters
    links = [
        "/console/scans?" + shown.query(days=None, **{"from": day, "to": day})
        for day in (day.day.isoformat() for day in daily.days)
    ]
    totals = daily.totals
    return {
        "period": (daily.first_day, daily.last_day),
        "totals": totals,
        "shares": {
            "genuine": _share(totals.genuine, totals.total),
            "suspicious": _share(totals.suspicious, totals.total),
            "counterfeit": _share(totals.counterfeit, totals.total),
        },
        "daily_chart": {**daily_chart(daily), "links": links},
        "daily_rows": daily_rows(daily),
        "open_alerts": sum(alert.open for alert in figures.alerts),
        "alerts": [
            (alert.type, ALERT_TYPE_NAMES.get(alert.type, alert.type), alert.open)
            for alert in figures.alerts
        ],
        "firsts": firsts,
        "firsts_map": {
            "areas": {area.area: area.first_scans for area in firsts if area.area},
            "measure": "first scans",
        },
        "first_scans_total": sum(product.first_scans for product in figures.products),
    }


def daily_chart(daily: scan_figures.DailyScans) -> dict[str, Any]:
    """Scans per day by verdict as the stacked-bar chart draws them."""
    return {
        "labels": [day.day.isoformat() for day in daily.days],
        "series": [
            {"name": verdict, "values": [getattr(day.scans, verdict) for day in daily.days]}
            for verdict in VERDICTS
        ],
    }


def daily_rows(daily: scan_figures.DailyScans) -> list[tuple[Any, scan_figures.VerdictCounts]]:
    """The days with scans, newest first: the chart's table for reading without JavaScript."""
    return [(day.day, day.scans) for day in reversed(daily.days) if day.scans.total]


def _share(part: int, whole: int) -> str:
    """A share as a page shows it.

    >>> _share(1, 3), _share(0, 0), _share(1, 2000)
    ('33.3 %', '—', '0.05 %')
    """
    if not whole:
        return "—"
    share = 100 * part / whole
    return f"{share:.2f} %" if 0 < share < 0.1 else f"{share:.1f} %"
